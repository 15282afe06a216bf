package calc

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Every band table in a master (age factors, late-penalty days, trade size,
// water slabs) has the same shape: bands in ascending order, each with an
// inclusive upper bound, the lower bound being just above the previous
// band's. Only the last band may be open (a nil bound). The shape makes gaps
// and overlaps impossible, so the only lookup failure is a value beyond a
// bounded last band.

// checkIntBands checks that the bounds ascend strictly, that only the last
// is open, and that the first is at least floor.
func checkIntBands(field string, bounds []*int, floor int) error {
	if len(bounds) == 0 {
		return invalid(field, "at least one band is required")
	}
	for i, b := range bounds {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case b == nil && i != len(bounds)-1:
			return invalid(f, "only the last band may have no upper bound")
		case b == nil:
		case i == 0 && *b < floor:
			return invalid(f, "upper bound %d is below the smallest value %d", *b, floor)
		case i > 0 && *b <= *bounds[i-1]:
			return invalid(f, "upper bound %d must be above the previous band's %d", *b, *bounds[i-1])
		}
	}
	return nil
}

// intBand returns the index of the band holding v, or false when v is
// beyond a bounded last band.
func intBand(bounds []*int, v int) (int, bool) {
	for i, b := range bounds {
		if b == nil || v <= *b {
			return i, true
		}
	}
	return 0, false
}

// bandRange describes band i for a working, e.g. "41-50" or "51+".
func bandRange(bounds []*int, i, floor int) string {
	lo := floor
	if i > 0 {
		lo = *bounds[i-1] + 1
	}
	if bounds[i] == nil {
		return fmt.Sprintf("%d+", lo)
	}
	return fmt.Sprintf("%d-%d", lo, *bounds[i])
}

func checkDecimalBands(field string, bounds []*decimal.Decimal) error {
	if len(bounds) == 0 {
		return invalid(field, "at least one band is required")
	}
	for i, b := range bounds {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case b == nil && i != len(bounds)-1:
			return invalid(f, "only the last band may have no upper bound")
		case b == nil:
		case i == 0 && !b.IsPositive():
			return invalid(f, "upper bound must be greater than zero, got %s", b)
		case i > 0 && !b.GreaterThan(*bounds[i-1]):
			return invalid(f, "upper bound %s must be above the previous band's %s", b, bounds[i-1])
		}
	}
	return nil
}
