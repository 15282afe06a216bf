package calc

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// RoundPaise rounds half-up to two decimals, the precision of every line.
// Ties go away from zero, which is half-up for the non-negative amounts the
// calculators round.
func RoundPaise(d decimal.Decimal) decimal.Decimal { return d.Round(2) }

// RoundRupee rounds half-up to whole rupees, for masters that levy tax in
// whole rupees. Ties go away from zero, as in RoundPaise.
func RoundRupee(d decimal.Decimal) decimal.Decimal { return d.Round(0) }

// WithRoundOff returns the lines with one ROUNDOFF line that brings their
// Net to a whole rupee (none when it already is). Any ROUNDOFF line already
// present is dropped first, so the billing domain can call it again on a
// whole bill (tax, rebate, interest) after a calculator rounded its own part.
func WithRoundOff(lines []Line) []Line {
	out := make([]Line, 0, len(lines)+1)
	for _, l := range lines {
		if l.Head != HeadRoundOff {
			out = append(out, l)
		}
	}
	net := Net(out)
	rounded := RoundRupee(net)
	if diff := rounded.Sub(net); !diff.IsZero() {
		out = append(out, Line{
			Head:   HeadRoundOff,
			Amount: diff,
			Basis:  fmt.Sprintf("net %s rounded to the rupee = %s", money(net), money(rounded)),
		})
	}
	return out
}

// percentOf is pct % of base, to the paisa. Shift divides by 100 exactly,
// so the only rounding is the named one.
func percentOf(base, pct decimal.Decimal) decimal.Decimal {
	return RoundPaise(base.Mul(pct).Shift(-2))
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }
