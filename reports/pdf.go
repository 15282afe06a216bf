package reports

import (
	"io"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"golang.org/x/text/encoding/charmap"
)

// pdfFamily is Helvetica, spelt so that maroto passes text through as is
// and winAnsi encodes it (see receiptdoc: maroto's own "helvetica" builds a
// Unicode table for every piece of text, most of a render's time).
const pdfFamily = "Helvetica"

// winAnsi encodes s in Windows-1252, the built-in fonts' encoding; a
// character outside it prints as "?".
func winAnsi(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := charmap.Windows1252.EncodeRune(r)
		if !ok {
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}

// The signatures an NMAM statement closes with.
var signatories = []string{"Accountant", "Chief Accounts Officer", "Commissioner / Executive Officer"}

// writePDF writes doc as an A4 PDF in the NMAM manner: the ULB, the
// statement and its period at the top of every page, the face and then
// each schedule as a table of code, particulars and the two years'
// amounts (Indian digit grouping), page numbers at the foot, and a block
// for the signatures at the end.
func writePDF(w io.Writer, doc document) error {
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(12).WithRightMargin(12).WithTopMargin(10).
		WithDefaultFont(&props.Font{Family: pdfFamily, Size: 9, Color: &props.BlackColor}).
		WithPageNumber(props.PageNumber{Pattern: "Page {current} of {total}", Place: props.RightBottom, Family: pdfFamily, Size: 8}).
		WithCreator("Munim", false).
		WithSequentialMode().WithCompression(true).
		Build()
	m := maroto.New(cfg)
	err := m.RegisterHeader(
		textRow(winAnsi(doc.ULBName), props.Text{Family: pdfFamily, Size: 13, Style: fontstyle.Bold, Align: align.Center}),
		textRow(winAnsi(doc.Title), props.Text{Family: pdfFamily, Size: 11, Style: fontstyle.Bold, Align: align.Center}),
		textRow(winAnsi(doc.Period), props.Text{Family: pdfFamily, Size: 9, Align: align.Center, Bottom: 2}),
	)
	if err != nil {
		return err
	}
	for _, t := range doc.Tables {
		m.AddRows(textRow(winAnsi(t.Title), props.Text{Family: pdfFamily, Size: 10, Style: fontstyle.Bold, Top: 3, Bottom: 1}))
		m.AddRows(tableLine(tableRow{Code: "Code", Particulars: "Particulars", Strong: true}, doc.Current, doc.Previous))
		m.AddRows(line.NewRow(2, props.Line{Thickness: 0.3, SizePercent: 100}))
		for _, r := range t.Rows {
			cur, prev := "", ""
			if r.Amounts != nil {
				cur, prev = indian(r.Amounts.Current), indian(r.Amounts.Previous)
			}
			m.AddRows(tableLine(r, cur, prev))
		}
	}
	sig := row.New(30)
	for _, s := range signatories {
		sig.Add(col.New(4).Add(text.New(winAnsi(s), props.Text{Family: pdfFamily, Size: 9, Top: 22, Align: align.Center})))
	}
	m.AddRows(sig)
	pdf, err := m.Generate()
	if err != nil {
		return err
	}
	_, err = w.Write(pdf.GetBytes())
	return err
}

func textRow(s string, p props.Text) core.Row {
	return row.New().Add(col.New(12).Add(text.New(s, p)))
}

func tableLine(r tableRow, cur, prev string) core.Row {
	p := props.Text{Family: pdfFamily, Size: 9, Bottom: 1}
	if r.Strong {
		p.Style = fontstyle.Bold
	}
	num := p
	num.Align = align.Right
	return row.New().Add(
		col.New(2).Add(text.New(winAnsi(r.Code), p)),
		col.New(6).Add(text.New(winAnsi(r.Particulars), p)),
		col.New(2).Add(text.New(winAnsi(cur), num)),
		col.New(2).Add(text.New(winAnsi(prev), num)),
	)
}
