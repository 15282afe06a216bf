package reports

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// registerDocument lays a register out for export: a table per section
// (in the order the sections first appear), then a table of its ties.
func registerDocument(r Register) document {
	period := "As on " + r.To.Format("2 January 2006")
	if !r.From.IsZero() {
		period = fmt.Sprintf("For the period %s to %s", r.From.Format("2 January 2006"), r.To.Format("2 January 2006"))
	}
	doc := document{ULBName: r.ULBName, Title: r.Title, Period: period}
	index := map[string]int{}
	for _, row := range r.Rows {
		i, ok := index[row.Section]
		if !ok {
			i = len(doc.Tables)
			index[row.Section] = i
			title := r.Title
			if row.Section != "" {
				title = row.Section
			}
			doc.Tables = append(doc.Tables, table{Name: sheetName(title, len(doc.Tables)), Title: title, Columns: r.Columns})
		}
		doc.Tables[i].Rows = append(doc.Tables[i].Rows, tableRow{Cells: row.Cells, Strong: row.Total})
	}
	if len(doc.Tables) == 0 {
		doc.Tables = append(doc.Tables, table{Name: sheetName(r.Title, 0), Title: r.Title, Columns: r.Columns})
	}
	if len(r.Ties) > 0 {
		ties := table{Name: "Ties to the ledger", Title: "Ties to the ledger", Columns: []Column{{"Control", ColText},
			{"Accounts", ColText}, {"Register", ColMoney}, {"Ledger", ColMoney}, {"Difference", ColMoney}, {"Tied", ColText}}}
		for _, t := range r.Ties {
			tied := "yes"
			if !t.Tied() {
				tied = "NO"
			}
			ties.Rows = append(ties.Rows, tableRow{Cells: []string{t.Name, strings.Join(t.Accounts, ", "), amt(t.Book), amt(t.Ledger),
				amt(t.Difference), tied}})
		}
		doc.Tables = append(doc.Tables, ties)
	}
	return doc
}

// sheetName fits a title to an XLSX sheet's 31 characters and its
// alphabet, numbering it when it would repeat an earlier one's prefix.
func sheetName(title string, i int) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, title)
	if len(name) > 31 {
		name = fmt.Sprintf("%d %s", i+1, name)[:31]
	}
	return name
}

// ExportRegister draws a register and writes it in a format. The day book
// is exported whole, not a page.
func (s *Service) ExportRegister(ctx context.Context, tenant string, q RegisterQuery, format Format) (File, error) {
	var r Register
	for {
		page, err := s.Register(ctx, tenant, q)
		if err != nil {
			return File{}, err
		}
		if r.Title == "" {
			r = page
		} else {
			r.Rows = append(r.Rows, page.Rows...) // the pages' totals are redrawn below
		}
		if page.NextPageToken == "" {
			break
		}
		q.PageToken = page.NextPageToken
		if q.PageSize == 0 {
			q.PageSize = 1000
		}
	}
	if q.Kind == DayBook {
		dayBookTotals(&r)
	}
	return render(registerDocument(r), format, fmt.Sprintf("%s-%s-%s", tenant, q.Kind, q.To.Format(time.DateOnly)))
}
