package receipts_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receiptdoc"
	"github.com/munimhq/munim/receipts"
)

// A receipt prints as a PDF whose QR code carries a signed verification
// URL; the URL verifies while the receipt stands, shows it cancelled once
// cancelled, and an altered amount or a forged signature does not verify.
func TestReceiptDocumentAndVerification(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raise(t, b, "PT-1", 2026, lines("PT", "3600.40", "LIB_CESS", "180.00", "ROUNDOFF", "-0.40"))
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-1", "1000.00"))
	require.NoError(t, err)
	pdf, d, err := b.receipts.PDF(b.ctx, tenant, r.ID)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")))
	assert.Equal(t, r.Number, d.ReceiptNo)
	require.Len(t, d.Lines, 2)
	assert.Equal(t, receiptdoc.Line{Period: "2026-27", Head: "Property tax", Amount: amt("820.40")}, d.Lines[0])
	assert.Equal(t, "179.60", d.Lines[1].Amount.StringFixed(2), "the round-off netted into the head above it")

	u, err := url.Parse(d.VerifyURL)
	require.NoError(t, err)
	assert.Equal(t, "/verify/receipt", u.Path)
	verify := func(q url.Values) receiptdoc.VerifyPage {
		t.Helper()
		f, sig, err := receiptdoc.ParseVerifyQuery(q)
		require.NoError(t, err)
		p, err := b.receipts.Verify(b.ctx, f, sig)
		require.NoError(t, err)
		return p
	}
	p := verify(u.Query())
	assert.True(t, p.Genuine)
	assert.Equal(t, receiptdoc.StatusValid, p.Status)
	assert.Equal(t, "1000.00", p.Amount.StringFixed(2))

	altered := u.Query()
	altered.Set("amount", "10000.00")
	assert.False(t, verify(altered).Genuine, "an altered amount")
	forged := u.Query()
	forged.Set("sig", strings.Repeat("A", 43))
	assert.False(t, verify(forged).Genuine, "a forged signature")
	other := u.Query()
	other.Set("tenant", "uk.haridwar")
	assert.False(t, verify(other).Genuine, "another tenant")

	_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "wrong property"})
	require.NoError(t, err)
	p = verify(u.Query())
	assert.True(t, p.Genuine)
	assert.Equal(t, receiptdoc.StatusCancelled, p.Status)
	assert.Equal(t, ledger.Date(2026, time.May, 10), p.StatusDate)
	pdf, d, err = b.receipts.PDF(b.ctx, tenant, r.ID)
	require.NoError(t, err)
	assert.Equal(t, receiptdoc.StatusCancelled, d.Status, "reissued marked cancelled")
	assert.NotEmpty(t, pdf)
	books(t, b)
}
