package opening

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/munimhq/munim/ledger"
)

// Format is the kind of file an opening trial balance comes in.
type Format string

// The formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// Columns are the columns of an opening trial balance, named by its
// header row in any order (case and surrounding spaces aside). party and
// head may be left out; other columns are refused, so that a misspelt
// column is not silently ignored.
//
//   - account_code: a detailed (7-digit) head of the chart, of a
//     liability or an asset (kind L or A);
//   - fund_code, function_code: a fund and an NMAM function of the tenant;
//   - debit, credit: the balance, in one of them, in rupees with at most two
//     decimals and no sign or grouping commas (1234.50); the other empty
//     or zero;
//   - party: the sub-ledger: on a receivable row the consumer code it is
//     due from (required), elsewhere free (a supplier, a contractor);
//   - head: on a receivable row, the tax head its arrears are kept under;
//     when empty, the service's principal head on the row's account.
var Columns = []string{"account_code", "fund_code", "function_code", "debit", "credit", "party", "head"}

var required = []string{"account_code", "fund_code", "function_code", "debit", "credit"}

// detect tells an XLSX workbook (a zip archive) from a CSV file.
func detect(content []byte) Format {
	if bytes.HasPrefix(content, []byte("PK\x03\x04")) {
		return XLSX
	}
	return CSV
}

// row is one data row of the file: its number as a spreadsheet shows it
// (the header is row 1) and its cells by column.
type row struct {
	no    int
	cells map[string]string
}

func (r row) get(col string) string { return r.cells[col] }

// readTable reads the file's rows under its header, skipping blank rows.
// A file that cannot be read, or a header that lacks a column or names an
// unknown one, is refused as a whole.
func readTable(format Format, content []byte) ([]row, error) {
	var records [][]string
	switch format {
	case XLSX:
		f, err := excelize.OpenReader(bytes.NewReader(content))
		if err != nil {
			return nil, invalid("content", "is not a readable XLSX workbook: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, invalid("content", "the workbook has no sheet")
		}
		// Raw values: a number cell's own text, never a float formatted for
		// display (which would round, or group with commas).
		if records, err = f.GetRows(sheets[0], excelize.Options{RawCellValue: true}); err != nil {
			return nil, invalid("content", "cannot read sheet %q: %v", sheets[0], err)
		}
	default:
		if !utf8.Valid(content) {
			return nil, invalid("content", "is neither UTF-8 text (CSV) nor an XLSX workbook")
		}
		rd := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(content, []byte("\ufeff"))))
		rd.FieldsPerRecord = -1
		rd.TrimLeadingSpace = true
		var err error
		if records, err = rd.ReadAll(); err != nil {
			return nil, invalid("content", "is not valid CSV: %v", err)
		}
	}
	if len(records) == 0 {
		return nil, invalid("content", "is empty: the first row is the header (%s)", strings.Join(Columns, ","))
	}
	col := map[int]string{}
	var vs []ledger.FieldViolation
	seen := map[string]bool{}
	for i, h := range records[0] {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case name == "":
			continue
		case !slices.Contains(Columns, name):
			vs = append(vs, ledger.FieldViolation{Field: "content.header", Rule: fmt.Sprintf("unknown column %q (columns: %s)", h, strings.Join(Columns, ","))})
		case seen[name]:
			vs = append(vs, ledger.FieldViolation{Field: "content.header", Rule: fmt.Sprintf("column %q appears twice", name)})
		}
		seen[name] = true
		col[i] = name
	}
	for _, c := range required {
		if !seen[c] {
			vs = append(vs, ledger.FieldViolation{Field: "content.header", Rule: fmt.Sprintf("lacks column %q (columns: %s)", c, strings.Join(Columns, ","))})
		}
	}
	if len(vs) > 0 {
		return nil, &ledger.ValidationError{Violations: vs}
	}
	var rows []row
	for i, rec := range records[1:] {
		r := row{no: i + 2, cells: map[string]string{}}
		blank := true
		for j, cell := range rec {
			if name, ok := col[j]; ok {
				r.cells[name] = strings.TrimSpace(cell)
				blank = blank && r.cells[name] == ""
			}
		}
		if !blank {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil, invalid("content", "has a header and no rows")
	}
	return rows, nil
}

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}
