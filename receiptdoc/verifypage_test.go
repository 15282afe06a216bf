package receiptdoc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

func writePage(t *testing.T, p receiptdoc.VerifyPage) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, receiptdoc.WriteVerifyPage(&b, p))
	return b.String()
}

func TestVerifyPageShowsTheStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*receiptdoc.Document)
		want []string
		not  []string
	}{
		{
			"valid", func(*receiptdoc.Document) {},
			[]string{`id="status">VALID<`, "matches the records"},
			[]string{"CANCELLED", "DISHONOURED", "not valid"},
		},
		{
			"cancelled", cancelled,
			[]string{`id="status">CANCELLED<`, "This receipt was cancelled on 20 Jul 2025", "not valid as proof of payment"},
			[]string{">VALID<"},
		},
		{
			"dishonoured", dishonoured,
			[]string{`id="status">DISHONOURED<`, "The payment for this receipt was dishonoured on 18 Jul 2025", "not valid as proof of payment"},
			[]string{">VALID<"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := testDocument(t, tc.edit)
			page := writePage(t, d.VerifyPage())

			for _, want := range append(tc.want,
				"Dehradun Municipal Corporation", "PT/2025-26/000123", "14 Jul 2025", "Rs. 12,345.50") {
				require.Contains(t, page, want)
			}
			for _, not := range tc.not {
				require.NotContains(t, page, not)
			}
			// Anyone with the URL sees this page: nothing about the payer.
			for _, personal := range []string{d.PayerName, d.Consumers[0].Code, d.Cashier, d.Instrument.Number, d.StatusReason} {
				if personal != "" {
					require.NotContains(t, page, personal)
				}
			}
		})
	}
}

func TestVerifyPageForAReceiptThatDoesNotVerify(t *testing.T) {
	t.Parallel()
	page := writePage(t, receiptdoc.VerifyPage{ReceiptNo: "PT/2025-26/000999", Amount: dec("99999.00")})
	require.Contains(t, page, `id="status">NOT VERIFIED<`)
	require.Contains(t, page, "(PT/2025-26/000999) could not be verified")
	require.NotContains(t, page, "99,999.00", "a forged amount is not repeated as if it were a record")
	require.NotContains(t, page, ">VALID<")
}

func TestVerifyPageEscapesWhatTheURLCarried(t *testing.T) {
	t.Parallel()
	page := writePage(t, receiptdoc.VerifyPage{ReceiptNo: `<script>alert(1)</script>`})
	require.NotContains(t, page, "<script>")
	require.Contains(t, page, "&lt;script&gt;")
}

func TestVerifyPageRefusesAGenuinePageWithoutAStatus(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	err := receiptdoc.WriteVerifyPage(&b, receiptdoc.VerifyPage{Genuine: true, ReceiptNo: "X/1"})
	requireInputError(t, err, "status")
	p := testDocument(t, cancelled).VerifyPage()
	p.StatusDate = date("0001-01-01")
	requireInputError(t, receiptdoc.WriteVerifyPage(&b, p), "status_date")
	require.Empty(t, b.String())
}
