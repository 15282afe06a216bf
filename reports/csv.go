package reports

import (
	"encoding/csv"
	"io"
)

// writeCSV writes every table of doc one after another, each row naming
// its table: section, code, particulars, this year, previous year. Amounts
// are plain decimals to the paisa ("1234567.80"), for machines to read.
//
// A register's tables each open with their own header row (section and the
// columns), since a register's ties have other columns than its entries.
func writeCSV(w io.Writer, doc document) error {
	cw := csv.NewWriter(w)
	if len(doc.Tables) > 0 && doc.Tables[0].Columns != nil {
		return writeGridCSV(cw, doc)
	}
	if err := cw.Write([]string{"section", "code", "particulars", doc.Current, doc.Previous}); err != nil {
		return err
	}
	for _, t := range doc.Tables {
		for _, r := range t.Rows {
			cur, prev := "", ""
			if r.Amounts != nil {
				cur, prev = r.Amounts.Current.StringFixed(2), r.Amounts.Previous.StringFixed(2)
			}
			if err := cw.Write([]string{t.Name, r.Code, r.Particulars, cur, prev}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeGridCSV(cw *csv.Writer, doc document) error {
	for _, t := range doc.Tables {
		head := []string{"section"}
		for _, c := range t.Columns {
			head = append(head, c.Name)
		}
		if err := cw.Write(head); err != nil {
			return err
		}
		for _, r := range t.Rows {
			if err := cw.Write(append([]string{t.Name}, r.Cells...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
