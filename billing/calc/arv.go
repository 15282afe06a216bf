package calc

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// ARVMaster is the rate master of the annual-rental-value method (Andhra
// pattern): monthly rental value = plinth area x zone base rate; gross ARV =
// 12 x monthly; less a depreciation that depends on use and occupancy; tax =
// a general-tax percentage of the ARV, plus cesses on the tax.
//
// The pattern's 2/3 building and 1/3 site shares are not modelled: with the
// depreciation applied to the whole gross ARV they do not change the tax.
type ARVMaster struct {
	// ZoneRates is the base rate in rupees per m2 of plinth area per month.
	ZoneRates map[string]decimal.Decimal `json:"zone_rates"`
	// DepreciationPercent is by use then occupancy; every use and occupancy
	// a property can have must be listed, 0 where none is allowed, so that a
	// misspelt occupancy is an error and not a silently lost allowance.
	DepreciationPercent map[string]map[string]decimal.Decimal `json:"depreciation_percent"`
	// GeneralTaxRates is the percentage of ARV by use.
	GeneralTaxRates map[string]decimal.Decimal `json:"general_tax_rates"`
	// Cesses are levied on the general tax (education tax, library cess).
	Cesses       []Cess `json:"cesses"`
	RoundToRupee bool   `json:"round_to_rupee"`
}

// ARVProperty is the register entry the annual-rental-value method needs.
type ARVProperty struct {
	Zone  string    `json:"zone"`
	Units []ARVUnit `json:"units"`
}

// ARVUnit is one floor or unit, assessed on its own because floors differ in
// use and occupancy.
type ARVUnit struct {
	// Label names the unit in the working ("GF", "FF"); optional.
	Label        string          `json:"label"`
	PlinthAreaM2 decimal.Decimal `json:"plinth_area_m2"`
	Use          string          `json:"use"`
	Occupancy    string          `json:"occupancy"`
}

// Validate checks the master's own consistency, so a bad master is refused
// when it is saved rather than when a demand is raised.
func (m ARVMaster) Validate() error {
	if len(m.ZoneRates) == 0 {
		return invalid("master.zone_rates", "at least one zone is required")
	}
	for _, z := range slices.Sorted(maps.Keys(m.ZoneRates)) {
		if err := checkPositive("master.zone_rates["+z+"]", m.ZoneRates[z]); err != nil {
			return err
		}
	}
	if len(m.GeneralTaxRates) == 0 {
		return invalid("master.general_tax_rates", "at least one use is required")
	}
	for _, u := range slices.Sorted(maps.Keys(m.GeneralTaxRates)) {
		if err := checkPercent("master.general_tax_rates["+u+"]", m.GeneralTaxRates[u]); err != nil {
			return err
		}
	}
	for _, u := range slices.Sorted(maps.Keys(m.DepreciationPercent)) {
		for _, o := range slices.Sorted(maps.Keys(m.DepreciationPercent[u])) {
			if err := checkPercent("master.depreciation_percent["+u+"]["+o+"]", m.DepreciationPercent[u][o]); err != nil {
				return err
			}
		}
	}
	return checkCesses("master.cesses", m.Cesses)
}

// ARVTax computes the annual property tax of p by the annual-rental-value
// method. No date is needed: the method has no age factor, and choosing
// the master in force is the caller's. Each unit's monthly value,
// depreciation and tax are rounded to paise; the PT line is the sum of the
// units' tax, and each cess is levied on that sum. SplitInstalments divides
// the result into half-yearly instalments.
func ARVTax(p ARVProperty, m ARVMaster) ([]Line, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	rate, ok := m.ZoneRates[p.Zone]
	if !ok {
		return nil, invalid("property.zone", "%q is not in master.zone_rates", p.Zone)
	}
	if len(p.Units) == 0 {
		return nil, invalid("property.units", "at least one unit is required")
	}

	twelve := decimal.NewFromInt(12)
	var tax decimal.Decimal
	workings := make([]string, 0, len(p.Units)+1)
	for i, u := range p.Units {
		f := fmt.Sprintf("property.units[%d]", i)
		if err := checkPositive(f+".plinth_area_m2", u.PlinthAreaM2); err != nil {
			return nil, err
		}
		gt, ok := m.GeneralTaxRates[u.Use]
		if !ok {
			return nil, invalid(f+".use", "%q is not in master.general_tax_rates", u.Use)
		}
		dep, ok := m.DepreciationPercent[u.Use][u.Occupancy]
		if !ok {
			return nil, invalid(f+".occupancy", "master.depreciation_percent has no entry for use %q and occupancy %q", u.Use, u.Occupancy)
		}

		monthly := RoundPaise(u.PlinthAreaM2.Mul(rate))
		gross := monthly.Mul(twelve)
		depAmt := percentOf(gross, dep)
		arv := gross.Sub(depAmt)
		t := percentOf(arv, gt)
		tax = tax.Add(t)
		w := fmt.Sprintf("%s%s m2 x %s/m2 = %s a month; x 12 = %s",
			unitPrefix(u.Label, i, len(p.Units)), u.PlinthAreaM2, rate, money(monthly), money(gross))
		if !depAmt.IsZero() {
			w += fmt.Sprintf("; less %s%% depreciation (%s, %s) %s", dep, u.Use, u.Occupancy, money(depAmt))
		}
		w += fmt.Sprintf("; ARV %s; general tax %s%% = %s", money(arv), gt, money(t))
		workings = append(workings, w)
	}
	if len(p.Units) > 1 {
		workings = append(workings, "total "+money(tax))
	}

	lines := []Line{{Head: HeadPropertyTax, Amount: tax, Basis: strings.Join(workings, "; ")}}
	lines = append(lines, cessLines(tax, m.Cesses)...)
	if m.RoundToRupee {
		lines = WithRoundOff(lines)
	}
	return lines, nil
}

// SplitInstalments divides a demand's lines into n instalments (2 for the
// half-yearly pattern). Each line is split to the paisa and the first
// instalment carries the odd paise, so the earlier due date never collects
// less than a later one and the instalments add back to the lines exactly.
// Lines that come to zero in an instalment are left out of it.
func SplitInstalments(lines []Line, n int) ([][]Line, error) {
	if n < 1 {
		return nil, invalid("instalments", "must be at least 1, got %d", n)
	}
	nd := decimal.NewFromInt(int64(n))
	out := make([][]Line, n)
	for _, l := range lines {
		// QuoRem truncates toward zero, so a negative ROUNDOFF splits like a
		// positive line with its sign, and the remainder is exact.
		part, rem := l.Amount.QuoRem(nd, 2)
		first := part.Add(rem)
		for k := range n {
			amt := part
			if k == 0 {
				amt = first
			}
			if amt.IsZero() {
				continue
			}
			out[k] = append(out[k], Line{
				Head:   l.Head,
				Amount: amt,
				Basis:  fmt.Sprintf("instalment %d of %d of %s", k+1, n, money(l.Amount)),
			})
		}
	}
	return out, nil
}
