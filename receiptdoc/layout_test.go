package receiptdoc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

// texts is every text in l, in order, one per cell.
func texts(l receiptdoc.Layout) []string {
	var out []string
	for _, r := range l.Rows {
		for _, c := range r.Cells {
			if c.Text != "" {
				out = append(out, c.Text)
			}
		}
	}
	return out
}

func TestLayoutRowsFillTheGrid(t *testing.T) {
	t.Parallel()
	for _, d := range []receiptdoc.Document{testDocument(t), testDocument(t, cancelled), testDocument(t, dishonoured)} {
		l, err := receiptdoc.NewLayout(d)
		require.NoError(t, err)
		for i, r := range l.Rows {
			if r.Rule {
				require.Empty(t, r.Cells, "row %d", i)
				continue
			}
			sum := 0
			for _, c := range r.Cells {
				sum += c.Span
			}
			require.Equal(t, receiptdoc.GridColumns, sum, "row %d spans", i)
		}
	}
}

func TestLayoutShowsTheReceipt(t *testing.T) {
	t.Parallel()
	d := testDocument(t)
	l, err := receiptdoc.NewLayout(d)
	require.NoError(t, err)

	all := strings.Join(texts(l), "\n")
	for _, want := range []string{
		"Dehradun Municipal Corporation", "PAYMENT RECEIPT", "PT/2025-26/000123", "14 Jul 2025",
		"Asha Rawat", "Property Tax: DDN-W12-0456", "Interest on Arrears", "345.50", "Rs. 12,345.50",
		"Rupees Twelve Thousand Three Hundred Forty-Five and Fifty Paise Only",
		"No. 004512 dated 12 Jul 2025, State Bank of India, Rajpur Road", "Counter 2 / R. Negi",
		"subject to its realisation", "munim.example.in/verify/receipt",
	} {
		require.Contains(t, all, want)
	}
	require.NotContains(t, all, "CANCELLED")
	require.NotContains(t, all, "sig=", "the signed query is for the QR code only")

	var qr []string
	for _, r := range l.Rows {
		for _, c := range r.Cells {
			if c.QR != "" {
				qr = append(qr, c.QR)
			}
		}
	}
	require.Equal(t, []string{d.VerifyURL}, qr)
}

func TestLayoutMarksTheStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*receiptdoc.Document)
		mark string
		note string
	}{
		{"cancelled", cancelled, "CANCELLED", "Cancelled on 20 Jul 2025: entered against the wrong assessment."},
		{"dishonoured", dishonoured, "DISHONOURED", "Payment dishonoured on 18 Jul 2025: cheque returned, funds insufficient."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, err := receiptdoc.NewLayout(testDocument(t, tc.edit))
			require.NoError(t, err)
			first := l.Rows[0].Cells[0]
			require.Equal(t, receiptdoc.Cell{Span: 12, Text: tc.mark, Style: receiptdoc.StyleMark, Align: receiptdoc.AlignCenter}, first,
				"the mark heads the receipt")
			last := l.Rows[len(l.Rows)-1].Cells[0]
			require.Equal(t, first, last, "and closes it")
			require.Contains(t, l.Rows[1].Cells[0].Text, tc.note)
			require.Contains(t, l.Rows[1].Cells[0].Text, "not valid as proof of payment")
		})
	}
}

func TestLayoutOmitsWhatIsNotThere(t *testing.T) {
	t.Parallel()
	l, err := receiptdoc.NewLayout(testDocument(t, func(d *receiptdoc.Document) {
		d.Mode = "Cash"
		d.Instrument = nil
		d.ULBAddress = ""
	}))
	require.NoError(t, err)
	all := strings.Join(texts(l), "\n")
	require.NotContains(t, all, "Instrument")
	require.NotContains(t, all, "realisation")
	require.NotContains(t, all, "Nagar Nigam Bhawan")
}

func TestNewLayoutRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		field string
		edit  func(*receiptdoc.Document)
	}{
		{"no receipt number", "receipt_no", func(d *receiptdoc.Document) { d.ReceiptNo = "" }},
		{"no date", "date", func(d *receiptdoc.Document) { d.Date = date("0001-01-01") }},
		{"no payer", "payer_name", func(d *receiptdoc.Document) { d.PayerName = "" }},
		{"no consumer", "consumers", func(d *receiptdoc.Document) { d.Consumers = nil }},
		{"a consumer without a code", "consumers[0]", func(d *receiptdoc.Document) { d.Consumers[0].Code = "" }},
		{"no lines", "lines", func(d *receiptdoc.Document) { d.Lines = nil }},
		{"a line without a head", "lines[1].head", func(d *receiptdoc.Document) { d.Lines[1].Head = "" }},
		{"a negative line", "lines[2].amount", func(d *receiptdoc.Document) { d.Lines[2].Amount = dec("-1") }},
		{"a line below a paisa", "lines[0].amount", func(d *receiptdoc.Document) { d.Lines[0].Amount = dec("6000.001") }},
		{"a total that is not the sum", "total", func(d *receiptdoc.Document) { d.Total = dec("12345.51") }},
		{"an instrument without a number", "instrument.number", func(d *receiptdoc.Document) { d.Instrument.Number = "" }},
		{"no status", "status", func(d *receiptdoc.Document) { d.Status = "" }},
		{"a cancellation without a date", "status_date", func(d *receiptdoc.Document) { cancelled(d); d.StatusDate = date("0001-01-01") }},
		{"a dishonour without a reason", "status_reason", func(d *receiptdoc.Document) { dishonoured(d); d.StatusReason = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := receiptdoc.NewLayout(testDocument(t, tc.edit))
			requireInputError(t, err, tc.field)
		})
	}

	t.Run("no verification URL", func(t *testing.T) {
		t.Parallel()
		d := testDocument(t) // signs when the URL is empty, so clear it after
		d.VerifyURL = ""
		_, err := receiptdoc.NewLayout(d)
		requireInputError(t, err, "verify_url")
	})
}
