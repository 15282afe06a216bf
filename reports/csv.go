package reports

import (
	"encoding/csv"
	"io"
)

// writeCSV writes every table of doc one after another, each row naming
// its table: section, code, particulars, this year, previous year. Amounts
// are plain decimals to the paisa ("1234567.80"), for machines to read.
func writeCSV(w io.Writer, doc document) error {
	cw := csv.NewWriter(w)
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
