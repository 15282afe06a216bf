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
	"github.com/johnfercher/maroto/v2/pkg/consts/orientation"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"

	"github.com/munimhq/munim/receiptdoc"
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
//
// A register's tables are laid out landscape on a finer grid, each column
// as wide as its kind needs, money right-aligned with Indian grouping.
func writePDF(w io.Writer, doc document) error {
	grid, orient := 12, orientation.Vertical
	if len(doc.Tables) > 0 && doc.Tables[0].Columns != nil {
		grid, orient = registerGrid, orientation.Horizontal
	}
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).WithOrientation(orient).WithMaxGridSize(grid).
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
		if t.Columns != nil {
			addGrid(m, t)
			continue
		}
		m.AddRows(tableLine(tableRow{Code: "Code", Particulars: "Particulars", Strong: true}, doc.Current, doc.Previous))
		m.AddRows(line.NewRow(2, props.Line{Thickness: 0.3, SizePercent: 100}))
		for _, r := range t.Rows {
			cur, prev := "", ""
			if r.Amounts != nil {
				cur, prev = receiptdoc.FormatAmount(r.Amounts.Current), receiptdoc.FormatAmount(r.Amounts.Previous)
			}
			m.AddRows(tableLine(r, cur, prev))
		}
	}
	sig := row.New(30)
	for _, s := range signatories {
		sig.Add(col.New(grid / 3).Add(text.New(winAnsi(s), props.Text{Family: pdfFamily, Size: 9, Top: 22, Align: align.Center})))
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
	return row.New().Add(col.New().Add(text.New(s, p)))
}

// registerGrid is the number of grid units across a register's page.
const registerGrid = 120

// gridWidths shares the register grid among columns by kind: text twice
// as wide as a date, money one and a half times; the last column takes
// what rounding leaves.
func gridWidths(cols []Column) []int {
	weight := func(k ColumnKind) int {
		switch k {
		case ColText:
			return 4
		case ColMoney:
			return 3
		}
		return 2
	}
	total := 0
	for _, c := range cols {
		total += weight(c.Kind)
	}
	out := make([]int, len(cols))
	used := 0
	for i, c := range cols {
		out[i] = max(1, registerGrid*weight(c.Kind)/total)
		used += out[i]
	}
	out[len(out)-1] += registerGrid - used
	return out
}

func addGrid(m core.Maroto, t table) {
	widths := gridWidths(t.Columns)
	size := 8.0
	if len(t.Columns) > 8 {
		size = 7
	}
	gridLine := func(cells []string, strong, header bool) core.Row {
		r := row.New()
		for i, c := range t.Columns {
			p := props.Text{Family: pdfFamily, Size: size, Bottom: 1}
			if strong || header {
				p.Style = fontstyle.Bold
			}
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			switch c.Kind {
			case ColMoney, ColNumber:
				p.Align, p.Right = align.Right, 1
			default:
				p.Left = 2 // clear of a right-aligned amount before it
			}
			if c.Kind == ColMoney && !header && v != "" {
				if d, err := decimal.NewFromString(v); err == nil {
					v = receiptdoc.FormatAmount(d)
				}
			}
			r.Add(col.New(widths[i]).Add(text.New(winAnsi(v), p)))
		}
		return r
	}
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	m.AddRows(gridLine(head, false, true), line.NewRow(2, props.Line{Thickness: 0.3, SizePercent: 100}))
	for _, r := range t.Rows {
		m.AddRows(gridLine(r.Cells, r.Strong, false))
	}
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
