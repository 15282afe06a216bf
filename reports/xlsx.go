package reports

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// writeXLSX writes doc as a workbook, one sheet per table: the ULB and the
// statement's title and period on top, a frozen header row, then the rows.
//
// Amounts are numbers, never text, and never pass through a float: each
// cell's value is written as the decimal's own text to the paisa
// ("93300.25", SetCellDefault), which is what a numeric cell holds in the
// file, formatted for display with Indian digit grouping.
func writeXLSX(w io.Writer, doc document) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	st, err := newXLSXStyles(f)
	if err != nil {
		return err
	}
	for i, t := range doc.Tables {
		if i == 0 {
			err = f.SetSheetName("Sheet1", t.Name)
		} else {
			_, err = f.NewSheet(t.Name)
		}
		if err != nil {
			return fmt.Errorf("sheet %q: %w", t.Name, err)
		}
		if err := writeSheet(f, st, doc, t); err != nil {
			return fmt.Errorf("sheet %q: %w", t.Name, err)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

type xlsxStyles struct {
	title, header, amount, amountStrong, strong int
}

func newXLSXStyles(f *excelize.File) (xlsxStyles, error) {
	format := indianXLSXFormat
	var s xlsxStyles
	var err error
	bold := &excelize.Font{Bold: true}
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}); err != nil {
		return s, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: bold, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDDDDD"}},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}}); err != nil {
		return s, err
	}
	if s.amount, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		return s, err
	}
	if s.amountStrong, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format, Font: bold}); err != nil {
		return s, err
	}
	s.strong, err = f.NewStyle(&excelize.Style{Font: bold})
	return s, err
}

// The header row is the fourth: the ULB, the title and the period above it.
const xlsxHeaderRow = 4

func writeSheet(f *excelize.File, st xlsxStyles, doc document, t table) error {
	if t.Columns != nil {
		return writeGridSheet(f, st, doc, t)
	}
	sh := t.Name
	set := func(cell string, v any) error { return f.SetCellValue(sh, cell, v) }
	for _, c := range []struct {
		cell string
		v    string
	}{{"A1", doc.ULBName}, {"A2", t.Title}, {"A3", doc.Period},
		{"A4", "Code"}, {"B4", "Particulars"}, {"C4", doc.Current}, {"D4", doc.Previous}} {
		if err := set(c.cell, c.v); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", "A2", st.title); err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A4", "D4", st.header); err != nil {
		return err
	}
	for i, r := range t.Rows {
		n := xlsxHeaderRow + 1 + i
		if err := set(fmt.Sprintf("A%d", n), r.Code); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", n), r.Particulars); err != nil {
			return err
		}
		if r.Strong {
			if err := f.SetCellStyle(sh, fmt.Sprintf("A%d", n), fmt.Sprintf("B%d", n), st.strong); err != nil {
				return err
			}
		}
		if r.Amounts == nil {
			continue
		}
		style := st.amount
		if r.Strong {
			style = st.amountStrong
		}
		for col, v := range map[string]string{"C": r.Amounts.Current.StringFixed(2), "D": r.Amounts.Previous.StringFixed(2)} {
			cell := fmt.Sprintf("%s%d", col, n)
			if err := f.SetCellDefault(sh, cell, v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
				return err
			}
		}
	}
	for col, width := range map[string]float64{"A": 14, "B": 60, "C": 22, "D": 22} {
		if err := f.SetColWidth(sh, col, col, width); err != nil {
			return err
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: xlsxHeaderRow, TopLeftCell: fmt.Sprintf("A%d", xlsxHeaderRow+1), ActivePane: "bottomLeft"})
}

// writeGridSheet writes a register's table: its columns as the frozen
// header row, money cells as numbers with the Indian grouping format,
// plain numbers as numbers, the rest as text.
func writeGridSheet(f *excelize.File, st xlsxStyles, doc document, t table) error {
	sh := t.Name
	for cell, v := range map[string]string{"A1": doc.ULBName, "A2": t.Title, "A3": doc.Period} {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sh, "A1", "A2", st.title); err != nil {
		return err
	}
	for i, c := range t.Columns {
		cell, err := excelize.CoordinatesToCellName(i+1, xlsxHeaderRow)
		if err != nil {
			return err
		}
		if err := f.SetCellValue(sh, cell, c.Name); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, cell, cell, st.header); err != nil {
			return err
		}
		width := 14.0
		switch c.Kind {
		case ColMoney:
			width = 18
		case ColText:
			width = 24
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, width); err != nil {
			return err
		}
	}
	for n, r := range t.Rows {
		for i, v := range r.Cells {
			cell, err := excelize.CoordinatesToCellName(i+1, xlsxHeaderRow+1+n)
			if err != nil {
				return err
			}
			style := 0
			switch kind := t.Columns[i].Kind; {
			case v == "":
				continue
			case kind == ColMoney:
				err, style = f.SetCellDefault(sh, cell, v), st.amount
				if r.Strong {
					style = st.amountStrong
				}
			case kind == ColNumber:
				err = f.SetCellDefault(sh, cell, v)
			default:
				err = f.SetCellStr(sh, cell, v)
				if r.Strong {
					style = st.strong
				}
			}
			if err != nil {
				return err
			}
			if style != 0 {
				if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
					return err
				}
			}
		}
	}
	return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: xlsxHeaderRow, TopLeftCell: fmt.Sprintf("A%d", xlsxHeaderRow+1), ActivePane: "bottomLeft"})
}
