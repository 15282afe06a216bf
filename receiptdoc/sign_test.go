package receiptdoc_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

func testSigner(t *testing.T, fill byte) *receiptdoc.Signer {
	t.Helper()
	s, err := receiptdoc.NewSigner(bytes.Repeat([]byte{fill}, receiptdoc.MinKeyLen))
	require.NoError(t, err)
	return s
}

func testFields() receiptdoc.Fields {
	return receiptdoc.Fields{
		TenantID:  "uk.dehradun",
		ReceiptNo: "PT/2025-26/000123",
		Amount:    dec("12345.50"),
		Date:      date("2025-07-14"),
	}
}

// parseURL reads back what VerifyURL wrote, as the public endpoint would.
func parseURL(t *testing.T, raw string) (receiptdoc.Fields, string) {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	f, sig, err := receiptdoc.ParseVerifyQuery(u.Query())
	require.NoError(t, err)
	return f, sig
}

func TestNewSignerRefusesShortKeys(t *testing.T) {
	t.Parallel()
	_, err := receiptdoc.NewSigner(bytes.Repeat([]byte{1}, receiptdoc.MinKeyLen-1))
	require.ErrorContains(t, err, "31 bytes")
	_, err = receiptdoc.NewSigner(nil)
	require.Error(t, err)
}

func TestVerifyURLRoundTrip(t *testing.T) {
	t.Parallel()
	s := testSigner(t, 7)

	raw := s.VerifyURL("https://munim.example.in/verify/receipt", testFields())
	require.True(t, strings.HasPrefix(raw, "https://munim.example.in/verify/receipt?"), raw)
	require.Contains(t, raw, "amount=12345.50")
	require.Contains(t, raw, "date=2025-07-14")

	f, sig := parseURL(t, raw)
	require.Equal(t, "uk.dehradun", f.TenantID)
	require.Equal(t, "PT/2025-26/000123", f.ReceiptNo)
	require.True(t, dec("12345.5").Equal(f.Amount))
	require.True(t, s.Verify(f, sig))
	require.NotContains(t, sig, "=", "no padding")
}

func TestVerifyURLKeepsAnExistingQuery(t *testing.T) {
	t.Parallel()
	raw := testSigner(t, 7).VerifyURL("https://munim.example.in/v?lang=hi", testFields())
	u, err := url.Parse(raw)
	require.NoError(t, err)
	require.Equal(t, "hi", u.Query().Get("lang"))
	require.Equal(t, "uk.dehradun", u.Query().Get("tenant"))
}

func TestVerifyDetectsAlteration(t *testing.T) {
	t.Parallel()
	s := testSigner(t, 7)
	sig := s.Sign(testFields())

	for _, tc := range []struct {
		name  string
		alter func(*receiptdoc.Fields)
	}{
		{"another tenant", func(f *receiptdoc.Fields) { f.TenantID = "uk.haridwar" }},
		{"another receipt number", func(f *receiptdoc.Fields) { f.ReceiptNo = "PT/2025-26/000124" }},
		{"a larger amount", func(f *receiptdoc.Fields) { f.Amount = dec("92345.50") }},
		{"a paisa more", func(f *receiptdoc.Fields) { f.Amount = dec("12345.51") }},
		{"a fraction of a paisa more", func(f *receiptdoc.Fields) { f.Amount = dec("12345.501") }},
		{"another date", func(f *receiptdoc.Fields) { f.Date = date("2025-07-15") }},
		{
			"a character moved from tenant to number",
			func(f *receiptdoc.Fields) { f.TenantID, f.ReceiptNo = "uk.dehradu", "nPT/2025-26/000123" },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := testFields()
			tc.alter(&f)
			require.False(t, s.Verify(f, sig))
		})
	}
}

func TestVerifyRefusesForgedSignatures(t *testing.T) {
	t.Parallel()
	s := testSigner(t, 7)
	f := testFields()
	good := s.Sign(f)

	flipped := []byte(good)
	flipped[0] ^= 1
	for name, sig := range map[string]string{
		"made with another key":  testSigner(t, 8).Sign(f),
		"one character changed":  string(flipped),
		"truncated":              good[:len(good)-2],
		"empty":                  "",
		"not base64":             "!!!!",
		"padded standard base64": good + "=",
	} {
		require.False(t, s.Verify(f, sig), name)
	}
	require.True(t, s.Verify(f, good))
	require.True(t, s.Verify(f, testSigner(t, 7).Sign(f)), "the same key in another Signer agrees")
}

func TestParseVerifyQueryNamesTheBadField(t *testing.T) {
	t.Parallel()
	good := func() url.Values {
		u, err := url.Parse(testSigner(t, 7).VerifyURL("https://x.in/v", testFields()))
		require.NoError(t, err)
		return u.Query()
	}

	for _, tc := range []struct {
		name  string
		field string
		edit  func(url.Values)
	}{
		{"tenant missing", "tenant", func(q url.Values) { q.Del("tenant") }},
		{"receipt empty", "receipt", func(q url.Values) { q.Set("receipt", "") }},
		{"receipt given twice", "receipt", func(q url.Values) { q.Add("receipt", "X/1") }},
		{"amount not a number", "amount", func(q url.Values) { q.Set("amount", "12,345.50") }},
		{"amount negative", "amount", func(q url.Values) { q.Set("amount", "-1.00") }},
		{"amount below a paisa", "amount", func(q url.Values) { q.Set("amount", "1.001") }},
		{"date not ISO", "date", func(q url.Values) { q.Set("date", "14/07/2025") }},
		{"sig missing", "sig", func(q url.Values) { q.Del("sig") }},
		{"sig too short", "sig", func(q url.Values) { q.Set("sig", "AAAA") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := good()
			tc.edit(q)
			_, _, err := receiptdoc.ParseVerifyQuery(q)
			requireInputError(t, err, tc.field)
		})
	}
}
