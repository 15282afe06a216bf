package calc

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// LicenceKind says whether a trade licence is applied for the first time or
// renewed; fees and late-penalty rules differ.
type LicenceKind string

// The kinds of trade licence application.
const (
	LicenceNew     LicenceKind = "new"
	LicenceRenewal LicenceKind = "renewal"
)

// Combine is how the fees of several trade units on one licence combine.
type Combine string

// The ways unit fees combine; the empty value means CombineSum.
const (
	CombineSum     Combine = "sum"
	CombineMax     Combine = "max"
	CombineAverage Combine = "average"
)

// FeeBand is one size band of a trade category: sizes above the previous
// band's bound and up to UpToSize (inclusive; nil on an open last band).
// Size is whatever the category is graded by (workers, horsepower, m2),
// counted in whole units from 1.
type FeeBand struct {
	UpToSize *int            `json:"up_to_size"`
	New      decimal.Decimal `json:"new"`
	Renewal  decimal.Decimal `json:"renewal"`
}

// LateBand is one band of a late-application penalty: days up to UpToDays
// (inclusive; nil on an open last band) above the previous band's bound
// pay Percent of the fee. Days may be negative (see TradeMaster).
type LateBand struct {
	UpToDays *int            `json:"up_to_days"`
	Percent  decimal.Decimal `json:"percent"`
}

// TradeMaster is the trade licence tariff.
//
// Lateness is measured in calendar days. For a new licence it is days from
// the trade's commencement to the application ("0 % up to 60 days late, 25 %
// for 60-120 days, 50 % beyond" is bands up to 60, up to 120, open). For a
// renewal it is days from the expiry of the licence being renewed, negative
// before it, so that "25 % when the 30 days before expiry are missed, 50 %
// after expiry" is bands up to -30 (on time), up to 0 (the expiry day itself
// is still before expiry is missed), open.
type TradeMaster struct {
	// Fees is the size bands of each trade category, ascending.
	Fees    map[string][]FeeBand `json:"fees"`
	Combine Combine              `json:"combine"`
	// NewLateBands and RenewalLateBands are empty when no penalty applies.
	NewLateBands     []LateBand `json:"new_late_bands"`
	RenewalLateBands []LateBand `json:"renewal_late_bands"`
	RoundToRupee     bool       `json:"round_to_rupee"`
}

// TradeUnit is one trade carried on under the licence.
type TradeUnit struct {
	Trade string `json:"trade"`
	Size  int    `json:"size"`
}

// TradeLicence is the register entry of a licence application.
type TradeLicence struct {
	Kind  LicenceKind `json:"kind"`
	Units []TradeUnit `json:"units"`
	// Commenced is the day the trade began; required for a new licence.
	Commenced time.Time `json:"commenced"`
	// Expires is the last valid day of the licence being renewed; required
	// for a renewal.
	Expires time.Time `json:"expires"`
}

// Validate checks the master's own consistency, so a bad master is refused
// when it is saved rather than when a licence is issued.
func (m TradeMaster) Validate() error {
	if len(m.Fees) == 0 {
		return invalid("master.fees", "at least one trade category is required")
	}
	for _, trade := range slices.Sorted(maps.Keys(m.Fees)) {
		f := "master.fees[" + trade + "]"
		bands := m.Fees[trade]
		bounds := make([]*int, len(bands))
		for i, b := range bands {
			bounds[i] = b.UpToSize
			if err := checkNonNegative(fmt.Sprintf("%s[%d].new", f, i), b.New); err != nil {
				return err
			}
			if err := checkNonNegative(fmt.Sprintf("%s[%d].renewal", f, i), b.Renewal); err != nil {
				return err
			}
		}
		if err := checkIntBands(f, bounds, 1); err != nil {
			return err
		}
	}
	switch cmp.Or(m.Combine, CombineSum) {
	case CombineSum, CombineMax, CombineAverage:
	default:
		return invalid("master.combine", "must be %q, %q or %q, got %q", CombineSum, CombineMax, CombineAverage, m.Combine)
	}
	if err := checkLateBands("master.new_late_bands", m.NewLateBands, 0); err != nil {
		return err
	}
	return checkLateBands("master.renewal_late_bands", m.RenewalLateBands, math.MinInt)
}

func checkLateBands(field string, bands []LateBand, floor int) error {
	if len(bands) == 0 {
		return nil
	}
	bounds := make([]*int, len(bands))
	for i, b := range bands {
		bounds[i] = b.UpToDays
		if err := checkPercent(fmt.Sprintf("%s[%d].percent", field, i), b.Percent); err != nil {
			return err
		}
	}
	return checkIntBands(field, bounds, floor)
}

// TradeLicenceFee returns the TL_FEE line for l applied for on appliedOn,
// and a TL_PENALTY line when the application is late. The penalty is a
// percentage of the combined fee. An average is rounded to paise.
func TradeLicenceFee(l TradeLicence, m TradeMaster, appliedOn time.Time) ([]Line, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if appliedOn.IsZero() {
		return nil, invalid("applied_on", "required")
	}
	if len(l.Units) == 0 {
		return nil, invalid("licence.units", "at least one trade unit is required")
	}

	var late int
	var bands []LateBand
	var lateWhy string
	switch l.Kind {
	case LicenceNew:
		if l.Commenced.IsZero() {
			return nil, invalid("licence.commenced", "required for a new licence")
		}
		late = max(daysBetween(l.Commenced, appliedOn), 0)
		bands = m.NewLateBands
		lateWhy = fmt.Sprintf("applied %s, %d day(s) after commencement on %s", isoDay(appliedOn), late, isoDay(l.Commenced))
	case LicenceRenewal:
		if l.Expires.IsZero() {
			return nil, invalid("licence.expires", "required for a renewal")
		}
		late = daysBetween(l.Expires, appliedOn)
		bands = m.RenewalLateBands
		lateWhy = fmt.Sprintf("applied %s, %s", isoDay(appliedOn), relativeToExpiry(late, l.Expires))
	default:
		return nil, invalid("licence.kind", "must be %q or %q, got %q", LicenceNew, LicenceRenewal, l.Kind)
	}

	fees := make([]decimal.Decimal, len(l.Units))
	workings := make([]string, len(l.Units))
	for i, u := range l.Units {
		f := fmt.Sprintf("licence.units[%d]", i)
		fb, ok := m.Fees[u.Trade]
		if !ok {
			return nil, invalid(f+".trade", "%q is not in master.fees", u.Trade)
		}
		if u.Size < 1 {
			return nil, invalid(f+".size", "must be at least 1, got %d", u.Size)
		}
		bounds := make([]*int, len(fb))
		for j, b := range fb {
			bounds[j] = b.UpToSize
		}
		j, ok := intBand(bounds, u.Size)
		if !ok {
			return nil, invalid(f+".size", "%d is beyond the last band of master.fees[%s]", u.Size, u.Trade)
		}
		fees[i] = fb[j].New
		if l.Kind == LicenceRenewal {
			fees[i] = fb[j].Renewal
		}
		workings[i] = fmt.Sprintf("%s size %d (band %s) %s %s", u.Trade, u.Size, bandRange(bounds, j, 1), l.Kind, money(fees[i]))
	}
	fee, how := combine(fees, cmp.Or(m.Combine, CombineSum))
	if len(fees) > 1 {
		workings = append(workings, fmt.Sprintf("%s = %s", how, money(fee)))
	}
	lines := []Line{{Head: HeadTradeFee, Amount: fee, Basis: strings.Join(workings, "; ")}}

	if len(bands) > 0 {
		bounds := make([]*int, len(bands))
		for i, b := range bands {
			bounds[i] = b.UpToDays
		}
		i, ok := intBand(bounds, late)
		if !ok {
			return nil, invalid("applied_on", "%d day(s) late is beyond the last late band of the master", late)
		}
		if pct := bands[i].Percent; pct.IsPositive() {
			amt := percentOf(fee, pct)
			lines = append(lines, Line{
				Head:   HeadTradePenalty,
				Amount: amt,
				Basis:  fmt.Sprintf("%s: %s%% of %s = %s", lateWhy, pct, money(fee), money(amt)),
			})
		}
	}
	if m.RoundToRupee {
		lines = WithRoundOff(lines)
	}
	return lines, nil
}

func relativeToExpiry(days int, expires time.Time) string {
	switch {
	case days < 0:
		return fmt.Sprintf("%d day(s) before expiry on %s", -days, isoDay(expires))
	case days == 0:
		return fmt.Sprintf("on the expiry day %s", isoDay(expires))
	default:
		return fmt.Sprintf("%d day(s) after expiry on %s", days, isoDay(expires))
	}
}

func combine(fees []decimal.Decimal, how Combine) (decimal.Decimal, Combine) {
	switch how {
	case CombineMax:
		return decimal.Max(fees[0], fees[1:]...), how
	case CombineAverage:
		return decimal.Sum(fees[0], fees[1:]...).DivRound(decimal.NewFromInt(int64(len(fees))), 2), how
	default:
		return decimal.Sum(fees[0], fees[1:]...), CombineSum
	}
}
