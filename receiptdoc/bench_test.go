package receiptdoc_test

import (
	"bytes"
	"testing"

	"github.com/munimhq/munim/receiptdoc"
)

// BenchmarkRenderPDF measures one receipt from Document to PDF bytes:
// validation, layout, amount in words and the maroto render, with the QR
// code. Run it on one core to compare with the target of 100 receipts a
// second:
//
//	go test -run XXX -bench RenderPDF -cpu 1 ./receiptdoc
func BenchmarkRenderPDF(b *testing.B) {
	r := receiptdoc.NewPDFRenderer()
	d := testDocument(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := receiptdoc.Render(&buf, r, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "receipts/s")
}
