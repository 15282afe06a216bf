package calc

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Cess is a levy computed as a percentage of the tax and booked to its own
// head, because a state cess (library, education) is collected for and
// remitted to another body and must not mix with the municipality's tax.
type Cess struct {
	Head    string          `json:"head"`
	Percent decimal.Decimal `json:"percent"`
}

func checkCesses(field string, cs []Cess) error {
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case strings.TrimSpace(c.Head) == "":
			return invalid(f+".head", "required")
		case fixedHeads[c.Head]:
			return invalid(f+".head", "%q is a head the calculators use for something else", c.Head)
		case seen[c.Head]:
			return invalid(f+".head", "%q appears twice", c.Head)
		}
		seen[c.Head] = true
		if err := checkPercent(f+".percent", c.Percent); err != nil {
			return err
		}
	}
	return nil
}

// cessLines levies each cess on the tax as rounded, the figure the bill
// shows.
func cessLines(tax decimal.Decimal, cs []Cess) []Line {
	var lines []Line
	for _, c := range cs {
		amt := percentOf(tax, c.Percent)
		if amt.IsZero() {
			continue
		}
		lines = append(lines, Line{
			Head:   c.Head,
			Amount: amt,
			Basis:  fmt.Sprintf("%s%% of tax %s = %s", c.Percent, money(tax), money(amt)),
		})
	}
	return lines
}
