package receiptdoc_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
)

// renderPDF renders d with a new PDFRenderer and checks the file is a
// single-page PDF with its QR code drawn.
func renderPDF(t *testing.T, d receiptdoc.Document) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, receiptdoc.Render(&buf, receiptdoc.NewPDFRenderer(), d))
	pdf := buf.Bytes()
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")), "not a PDF")
	require.True(t, bytes.Contains(pdf, []byte("/Count 1")), "a receipt is one page")
	require.True(t, bytes.Contains(pdf, []byte("/Subtype /Image")), "the QR code is not drawn")
	return pdf
}

func TestPDFShowsTheReceipt(t *testing.T) {
	t.Parallel()
	text := pdfText(t, renderPDF(t, testDocument(t)))

	for _, want := range []string{
		"Dehradun Municipal Corporation",
		"PAYMENT RECEIPT",
		"Receipt No. PT/2025-26/000123 Date 14 Jul 2025",
		"Received from Asha Rawat",
		"2024-25 Interest on Arrears 345.50",
		"Total Rs. 12,345.50",
		"Amount in words Rupees Twelve Thousand Three Hundred Forty-Five and Fifty Paise Only",
		"Instrument No. 004512 dated 12 Jul 2025, State Bank of India, Rajpur Road",
		"Received by Counter 2 / R. Negi",
		"munim.example.in/verify/receipt",
	} {
		require.Contains(t, text, want)
	}
	for _, not := range []string{"CANCELLED", "DISHONOURED", "could not"} {
		require.NotContains(t, text, not, "maroto prints 'could not ...' where a QR code fails")
	}
}

func TestPDFMarksTheStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mark, note string
		edit             func(*receiptdoc.Document)
	}{
		{"cancelled", "CANCELLED", "Cancelled on 20 Jul 2025: entered against the wrong assessment.", cancelled},
		{"dishonoured", "DISHONOURED", "Payment dishonoured on 18 Jul 2025: cheque returned, funds insufficient.", dishonoured},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text := pdfText(t, renderPDF(t, testDocument(t, tc.edit)))
			require.True(t, strings.HasPrefix(text, tc.mark+" "+tc.note), "the mark heads the page: %.120s", text)
			require.True(t, strings.HasSuffix(text, tc.mark), "and closes it: ...%s", text[len(text)-60:])
			require.Contains(t, text, "This receipt is not valid as proof of payment.")
			require.Contains(t, text, "Total Rs. 12,345.50", "the rest of the receipt is still shown")
		})
	}
}

func TestPDFRendererIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	r := receiptdoc.NewPDFRenderer()
	docs := []receiptdoc.Document{testDocument(t), testDocument(t, cancelled), testDocument(t, dishonoured)}

	want := make([]string, len(docs))
	for i, d := range docs {
		var buf bytes.Buffer
		require.NoError(t, receiptdoc.Render(&buf, r, d))
		want[i] = pdfText(t, buf.Bytes())
	}

	var wg sync.WaitGroup
	got := make([]string, 4*len(docs))
	for i := range got {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := receiptdoc.Render(&buf, r, docs[i%len(docs)]); err == nil {
				got[i] = pdfText(t, buf.Bytes())
			}
		})
	}
	wg.Wait()
	for i := range got {
		require.Equal(t, want[i%len(docs)], got[i], "render %d", i)
	}
}

func TestPDFLongReceiptStaysReadable(t *testing.T) {
	t.Parallel()
	d := testDocument(t, func(d *receiptdoc.Document) {
		d.Lines = nil
		d.Total = dec("0")
		for _, year := range []string{"2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"} {
			for _, head := range []string{"General Tax", "Water Tax", "Drainage Tax", "Interest on Arrears"} {
				d.Lines = append(d.Lines, receiptdoc.Line{Period: year, Head: head, Amount: dec("1000.25")})
				d.Total = d.Total.Add(dec("1000.25"))
			}
		}
		d.Consumers = append(d.Consumers, receiptdoc.Consumer{Service: "Water Charges", Code: "W-DDN-99812"})
	})
	text := pdfText(t, renderPDF(t, d))
	require.Contains(t, text, "2019-20 General Tax 1,000.25")
	require.Contains(t, text, "2024-25 Interest on Arrears 1,000.25")
	require.Contains(t, text, "Total Rs. 24,006.00")
	require.Contains(t, text, "Water Charges: W-DDN-99812")
}

func TestPDFPrintsLatinTextAndMarksWhatItCannot(t *testing.T) {
	t.Parallel()
	text := pdfText(t, renderPDF(t, testDocument(t, func(d *receiptdoc.Document) {
		d.PayerName = "Renée D'Souza"
		d.Cashier = "राम" // Helvetica has no Devanagari: a later renderer's job
	})))
	require.Contains(t, text, "Received from Renée D'Souza")
	require.Contains(t, text, "Received by ???")
}

func TestPDFRefusesAURLTooLongForAQRCode(t *testing.T) {
	t.Parallel()
	d := testDocument(t, func(d *receiptdoc.Document) {
		d.VerifyURL = "https://munim.example.in/verify?x=" + strings.Repeat("a", 4000)
	})
	err := receiptdoc.Render(&bytes.Buffer{}, receiptdoc.NewPDFRenderer(), d)
	require.ErrorContains(t, err, "QR code")
}
