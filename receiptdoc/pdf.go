package receiptdoc

import (
	"fmt"
	"io"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/code"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontfamily"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
)

// PDFMediaType is the media type of what PDFRenderer writes.
const PDFMediaType = "application/pdf"

// PDFRenderer draws a Layout as an A4 PDF with maroto, in Helvetica, the
// PDF's built-in font. Helvetica covers Latin text (Windows-1252); text in
// Indian scripts needs a renderer with an embedded, shaped font. A
// PDFRenderer is safe for concurrent use: it shares only its read-only
// configuration between renders.
type PDFRenderer struct {
	cfg *entity.Config
}

// NewPDFRenderer returns a renderer whose configuration is built once and
// reused by every render.
func NewPDFRenderer() *PDFRenderer {
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithLeftMargin(15).WithRightMargin(15).WithTopMargin(12).
		WithDefaultFont(&props.Font{Family: fontfamily.Helvetica, Size: 10, Color: &props.BlackColor}).
		WithCreator("Munim", false).
		WithSequentialMode().WithCompression(true).
		Build()
	return &PDFRenderer{cfg: cfg}
}

// Render writes l to w as a PDF.
func (r *PDFRenderer) Render(w io.Writer, l Layout) error {
	m := maroto.New(r.cfg)
	for _, lr := range l.Rows {
		m.AddRows(pdfRow(lr))
	}
	doc, err := m.Generate()
	if err != nil {
		return fmt.Errorf("receiptdoc: rendering PDF of %q: %w", l.Title, err)
	}
	_, err = w.Write(doc.GetBytes())
	return err
}

var (
	markRed  = &props.Color{Red: 200, Green: 0, Blue: 0}
	labelInk = &props.Color{Red: 80, Green: 80, Blue: 80}
	ruleInk  = &props.Color{Red: 120, Green: 120, Blue: 120}
)

func pdfRow(lr Row) core.Row {
	if lr.Rule {
		return line.NewRow(3, props.Line{Color: ruleInk, Thickness: 0.3, SizePercent: 100})
	}
	var r core.Row
	if lr.Height > 0 {
		r = row.New(lr.Height)
	} else {
		r = row.New()
	}
	for _, c := range lr.Cells {
		r.Add(pdfCol(c))
	}
	return r
}

func pdfCol(c Cell) core.Col {
	if c.QR != "" {
		return col.New(c.Span).Add(code.NewQr(c.QR, props.Rect{Percent: 95}))
	}
	cl := col.New(c.Span).Add(text.New(c.Text, textProps(c)))
	if c.Style == StyleMark {
		cl = cl.WithStyle(&props.Cell{BorderType: border.Full, BorderColor: markRed, BorderThickness: 1})
	}
	return cl
}

func textProps(c Cell) props.Text {
	p := props.Text{Family: fontfamily.Helvetica, Size: 10, Bottom: 1.2, Align: pdfAlign(c.Align)}
	switch c.Style {
	case StyleLabel:
		p.Size, p.Color = 9, labelInk
	case StyleStrong:
		p.Style = fontstyle.Bold
	case StyleTitle:
		p.Size, p.Style = 16, fontstyle.Bold
	case StyleHeading:
		p.Size, p.Style = 11, fontstyle.Bold
	case StyleSmall:
		p.Size = 8
	case StyleMark:
		p.Size, p.Style, p.Color, p.Top, p.Bottom = 30, fontstyle.Bold, markRed, 2, 3
	}
	return p
}

func pdfAlign(a Align) align.Type {
	switch a {
	case AlignCenter:
		return align.Center
	case AlignRight:
		return align.Right
	}
	return align.Left
}
