package calc

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Slab is one band of a graded water tariff: consumption above the previous
// slab's bound and up to UpToKL (inclusive; nil on an open last slab) is
// charged at Rate rupees per KL. Consumption exactly on a bound belongs to
// the lower slab: 10 KL on a 0-10 @ 2 slab costs 20, not 10 x 2.5.
type Slab struct {
	UpToKL *decimal.Decimal `json:"up_to_kl"`
	Rate   decimal.Decimal  `json:"rate"`
}

// MeteredWaterMaster is the tariff of one class of metered connection
// (residential, non-residential). Slab bounds, minimum and meter rent are
// per month; a bill for several months scales all three.
type MeteredWaterMaster struct {
	Slabs         []Slab          `json:"slabs"`
	MinimumCharge decimal.Decimal `json:"minimum_charge"`
	// MeterRent is booked to METER_RENT, outside the minimum: the minimum
	// is for water, the rent for the meter.
	MeterRent    decimal.Decimal `json:"meter_rent"`
	RoundToRupee bool            `json:"round_to_rupee"`
}

// MeterReading is the pair of readings a bill is cut from, in kilolitres.
// Readings are decimal: meters read to the litre (three decimals) and
// consumption is charged to the litre, pro rata within its slab.
type MeterReading struct {
	Previous decimal.Decimal `json:"previous"`
	Current  decimal.Decimal `json:"current"`
	// Replacement is set when the meter was changed between the readings;
	// without it a current reading below the previous is an error.
	Replacement *MeterReplacement `json:"replacement,omitempty"`
}

// MeterReplacement records the change of a meter between two readings, so
// consumption is what the old meter ran before removal plus what the new
// one ran since fitting.
type MeterReplacement struct {
	OldFinal   decimal.Decimal `json:"old_final"`
	NewInitial decimal.Decimal `json:"new_initial"`
}

// Validate checks the master's own consistency, so a bad master is refused
// when it is saved rather than when a bill is cut.
func (m MeteredWaterMaster) Validate() error {
	bounds := make([]*decimal.Decimal, len(m.Slabs))
	for i, s := range m.Slabs {
		bounds[i] = s.UpToKL
		if err := checkNonNegative(fmt.Sprintf("master.slabs[%d].rate", i), s.Rate); err != nil {
			return err
		}
	}
	if err := checkDecimalBands("master.slabs", bounds); err != nil {
		return err
	}
	if err := checkNonNegative("master.minimum_charge", m.MinimumCharge); err != nil {
		return err
	}
	return checkNonNegative("master.meter_rent", m.MeterRent)
}

// Consumption is the kilolitres between two readings. A reading lower than
// the previous is refused unless the reading records a meter replacement,
// because a meter running backwards is a misread or a tamper, not a credit.
func Consumption(r MeterReading) (decimal.Decimal, error) {
	for _, v := range []struct {
		field string
		d     decimal.Decimal
	}{{"reading.previous", r.Previous}, {"reading.current", r.Current}} {
		if err := checkNonNegative(v.field, v.d); err != nil {
			return decimal.Decimal{}, err
		}
	}
	if rp := r.Replacement; rp != nil {
		if rp.OldFinal.LessThan(r.Previous) {
			return decimal.Decimal{}, invalid("reading.replacement.old_final",
				"old meter's final reading %s is below the previous reading %s", rp.OldFinal, r.Previous)
		}
		if err := checkNonNegative("reading.replacement.new_initial", rp.NewInitial); err != nil {
			return decimal.Decimal{}, err
		}
		if r.Current.LessThan(rp.NewInitial) {
			return decimal.Decimal{}, invalid("reading.current",
				"current reading %s is below the new meter's initial reading %s", r.Current, rp.NewInitial)
		}
		return rp.OldFinal.Sub(r.Previous).Add(r.Current.Sub(rp.NewInitial)), nil
	}
	if r.Current.LessThan(r.Previous) {
		return decimal.Decimal{}, invalid("reading.current",
			"current reading %s is below the previous %s; record a meter replacement if the meter was changed", r.Current, r.Previous)
	}
	return r.Current.Sub(r.Previous), nil
}

// MeteredWater bills a metered connection for the given number of months:
// each slab's kilolitres at that slab's rate, at least the minimum charge,
// plus meter rent as its own head.
func MeteredWater(r MeterReading, months int, m MeteredWaterMaster) ([]Line, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := checkMonths("months", months); err != nil {
		return nil, err
	}
	kl, err := Consumption(r)
	if err != nil {
		return nil, err
	}
	n := decimal.NewFromInt(int64(months))

	workings := []string{fmt.Sprintf("readings %s -> %s: %s KL over %d month(s)", r.Previous, r.Current, kl, months)}
	if rp := r.Replacement; rp != nil {
		workings[0] = fmt.Sprintf("old meter %s -> %s, new meter %s -> %s: %s KL over %d month(s)",
			r.Previous, rp.OldFinal, rp.NewInitial, r.Current, kl, months)
	}
	if months > 1 {
		workings[0] += fmt.Sprintf(", slab bounds x %d", months)
	}
	var charge, lower decimal.Decimal
	left := kl
	for i, s := range m.Slabs {
		if !left.IsPositive() {
			break
		}
		take := left
		if s.UpToKL != nil {
			upper := s.UpToKL.Mul(n)
			take = decimal.Min(left, upper.Sub(lower))
			lower = upper
		}
		amt := RoundPaise(take.Mul(s.Rate))
		charge = charge.Add(amt)
		left = left.Sub(take)
		workings = append(workings, fmt.Sprintf("slab %d: %s KL @ %s = %s", i+1, take, s.Rate, money(amt)))
	}
	if left.IsPositive() {
		return nil, invalid("reading", "consumption %s KL exceeds the last bounded slab of master.slabs", kl)
	}
	workings = append(workings, "slabs "+money(charge))
	if minimum := RoundPaise(m.MinimumCharge.Mul(n)); charge.LessThan(minimum) {
		charge = minimum
		workings = append(workings, fmt.Sprintf("below the minimum %s x %d, charged %s", money(m.MinimumCharge), months, money(charge)))
	}

	lines := []Line{{Head: HeadWater, Amount: charge, Basis: strings.Join(workings, "; ")}}
	if rent := RoundPaise(m.MeterRent.Mul(n)); rent.IsPositive() {
		lines = append(lines, Line{
			Head:   HeadMeterRent,
			Amount: rent,
			Basis:  fmt.Sprintf("%s a month x %d = %s", money(m.MeterRent), months, money(rent)),
		})
	}
	if m.RoundToRupee {
		lines = WithRoundOff(lines)
	}
	return lines, nil
}
