package reports

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// indianXLSXFormat shows an amount with Indian digit grouping (lakh and
// crore: 1,23,45,678.90) in a spreadsheet. Excel's number formats allow two
// conditions, so a negative amount falls to the last section and is grouped
// in thousands.
const indianXLSXFormat = `[>=10000000]##\,##\,##\,##0.00;[>=100000]##\,##\,##0.00;##,##0.00`

// indian writes an amount to the paisa with Indian digit grouping:
// 12345678.9 is "1,23,45,678.90", and a negative amount keeps its sign.
func indian(d decimal.Decimal) string {
	whole, frac, _ := strings.Cut(d.Abs().StringFixed(2), ".")
	// The last three digits, then pairs leftwards.
	var groups []string
	if len(whole) > 3 {
		groups = append(groups, whole[len(whole)-3:])
		whole = whole[:len(whole)-3]
		for len(whole) > 2 {
			groups = append(groups, whole[len(whole)-2:])
			whole = whole[:len(whole)-2]
		}
	}
	groups = append(groups, whole)
	slices.Reverse(groups)
	sign := ""
	if d.IsNegative() {
		sign = "-"
	}
	return sign + strings.Join(groups, ",") + "." + frac
}
