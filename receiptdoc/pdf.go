package receiptdoc

import (
	"fmt"
	"io"

	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/image"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/extension"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"golang.org/x/text/encoding/charmap"
	"rsc.io/qr"
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
		WithDefaultFont(&props.Font{Family: pdfFamily, Size: 10, Color: &props.BlackColor}).
		WithCreator("Munim", false).
		WithSequentialMode().WithCompression(true).
		Build()
	return &PDFRenderer{cfg: cfg}
}

// Render writes l to w as a PDF.
func (r *PDFRenderer) Render(w io.Writer, l Layout) error {
	m := maroto.New(r.cfg)
	for _, lr := range l.Rows {
		row, err := pdfRow(lr)
		if err != nil {
			return fmt.Errorf("receiptdoc: rendering PDF of %q: %w", l.Title, err)
		}
		m.AddRows(row)
	}
	doc, err := m.Generate()
	if err != nil {
		return fmt.Errorf("receiptdoc: rendering PDF of %q: %w", l.Title, err)
	}
	_, err = w.Write(doc.GetBytes())
	return err
}

// pdfFamily is Helvetica, spelt so that maroto passes text through as it
// is: for its own lower-case "helvetica" maroto builds gofpdf's Unicode
// translation table afresh for every piece of text, three quarters of the
// time of a render. gofpdf lower-cases the family, so the font is the same
// built-in Helvetica, and winAnsi does the translation instead.
const pdfFamily = "Helvetica"

// winAnsi encodes s in Windows-1252, the encoding of the built-in fonts;
// a character outside it prints as "?".
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

var (
	markRed  = &props.Color{Red: 200, Green: 0, Blue: 0}
	labelInk = &props.Color{Red: 80, Green: 80, Blue: 80}
	ruleInk  = &props.Color{Red: 120, Green: 120, Blue: 120}
)

func pdfRow(lr Row) (core.Row, error) {
	if lr.Rule {
		return line.NewRow(3, props.Line{Color: ruleInk, Thickness: 0.3, SizePercent: 100}), nil
	}
	var r core.Row
	if lr.Height > 0 {
		r = row.New(lr.Height)
	} else {
		r = row.New()
	}
	for _, c := range lr.Cells {
		if c.QR != "" {
			png, err := qrPNG(c.QR)
			if err != nil {
				return nil, err
			}
			r.Add(col.New(c.Span).Add(image.NewFromBytes(png, extension.Png, props.Rect{Percent: 95})))
			continue
		}
		r.Add(pdfCol(c))
	}
	return r, nil
}

// qrPNG draws text as a QR code, error correction level M, with its quiet
// zone, four pixels a module. It uses rsc.io/qr rather than maroto's own QR
// component, which spent two thirds of a render choosing the best of eight
// masks and re-encoding the image: rsc.io/qr keeps mask 0, which every
// reader decodes, and writes the PNG directly.
func qrPNG(text string) ([]byte, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("QR code of %d bytes: %w", len(text), err)
	}
	c.Scale = 4
	return c.PNG(), nil
}

func pdfCol(c Cell) core.Col {
	cl := col.New(c.Span).Add(text.New(winAnsi(c.Text), textProps(c)))
	if c.Style == StyleMark {
		cl = cl.WithStyle(&props.Cell{BorderType: border.Full, BorderColor: markRed, BorderThickness: 1})
	}
	return cl
}

func textProps(c Cell) props.Text {
	p := props.Text{Family: pdfFamily, Size: 10, Bottom: 1.2, Align: pdfAlign(c.Align)}
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
