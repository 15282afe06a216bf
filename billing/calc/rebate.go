package calc

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// RebateWindow is an early-payment rebate: Percent off the base for a
// payment made on or before LastDay. A master usually lists one window per
// fiscal year (15 % to 30 June; 5 % to 30 April), sometimes several tiers.
type RebateWindow struct {
	// LastDay is inclusive: a payment on that day still earns the rebate.
	LastDay time.Time       `json:"last_day"`
	Percent decimal.Decimal `json:"percent"`
}

// Rebate returns the REBATE line due on base (the tax the rebate is
// allowed on, as the master's rules define it) for a payment on paidOn, or
// no line when no window is open that day. When several windows are open
// the payer gets the largest percentage, so tiers may be listed in any
// order. Conditions such as "lump sum" or "paid in full" are the caller's
// to check before asking.
func Rebate(base decimal.Decimal, windows []RebateWindow, paidOn time.Time) ([]Line, error) {
	if err := checkNonNegative("base", base); err != nil {
		return nil, err
	}
	if paidOn.IsZero() {
		return nil, invalid("paid_on", "required")
	}
	if err := ValidateRebateWindows(windows); err != nil {
		return nil, err
	}
	var best *RebateWindow
	for i := range windows {
		w := &windows[i]
		if civil(paidOn).After(civil(w.LastDay)) {
			continue
		}
		if best == nil || w.Percent.GreaterThan(best.Percent) {
			best = w
		}
	}
	if best == nil {
		return nil, nil
	}
	amt := percentOf(base, best.Percent)
	if amt.IsZero() {
		return nil, nil
	}
	return []Line{{
		Head:   HeadRebate,
		Amount: amt,
		Basis: fmt.Sprintf("%s%% of %s for payment on %s (on or before %s) = %s",
			best.Percent, money(base), isoDay(paidOn), isoDay(best.LastDay), money(amt)),
	}}, nil
}

// ValidateRebateWindows checks a master's windows on their own, so a master
// is refused when saved: each needs a last day and a percentage.
func ValidateRebateWindows(windows []RebateWindow) error {
	for i, w := range windows {
		f := fmt.Sprintf("master.rebate_windows[%d]", i)
		if w.LastDay.IsZero() {
			return invalid(f+".last_day", "required")
		}
		if err := checkPercent(f+".percent", w.Percent); err != nil {
			return err
		}
	}
	return nil
}
