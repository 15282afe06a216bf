package calc

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// UnitAreaMaster is the rate master of the unit-area method (Delhi
// pattern): annual value = unit area value x covered area x age, use,
// structure and occupancy factors; tax = a percentage of the annual value
// that depends on the colony category and the use.
type UnitAreaMaster struct {
	// UnitRates is the unit area value in rupees per m2 by colony category.
	UnitRates map[string]decimal.Decimal `json:"unit_rates"`
	// AgeFactors maps the building's age in whole years to a factor.
	AgeFactors       []AgeBand                  `json:"age_factors"`
	UseFactors       map[string]decimal.Decimal `json:"use_factors"`
	StructureFactors map[string]decimal.Decimal `json:"structure_factors"`
	OccupancyFactors map[string]decimal.Decimal `json:"occupancy_factors"`
	// TaxRates is the percentage of annual value, by category then use.
	TaxRates map[string]map[string]decimal.Decimal `json:"tax_rates"`
	Cesses   []Cess                                `json:"cesses"`
	// RoundToRupee levies tax plus cesses in whole rupees via a ROUNDOFF line.
	RoundToRupee bool `json:"round_to_rupee"`
}

// AgeBand is one row of an age-factor table: ages up to UpToYears
// (inclusive; nil on an open last band) above the previous band take Factor.
type AgeBand struct {
	UpToYears *int            `json:"up_to_years"`
	Factor    decimal.Decimal `json:"factor"`
}

// UnitAreaProperty is the register entry the unit-area method needs.
type UnitAreaProperty struct {
	Category string     `json:"category"`
	Units    []AreaUnit `json:"units"`
}

// AreaUnit is one floor or unit of a property, assessed on its own because
// floors differ in use, construction, occupancy and age.
type AreaUnit struct {
	// Label names the unit in the working ("GF", "FF"); optional.
	Label     string          `json:"label"`
	AreaM2    decimal.Decimal `json:"area_m2"`
	Use       string          `json:"use"`
	Structure string          `json:"structure"`
	Occupancy string          `json:"occupancy"`
	// YearBuilt gives the age: the as-of year less this year.
	YearBuilt int `json:"year_built"`
}

// Validate checks the master's own consistency, so a bad master is refused
// when it is saved rather than when a demand is raised.
func (m UnitAreaMaster) Validate() error {
	if len(m.UnitRates) == 0 {
		return invalid("master.unit_rates", "at least one category is required")
	}
	for _, k := range slices.Sorted(maps.Keys(m.UnitRates)) {
		if err := checkPositive("master.unit_rates["+k+"]", m.UnitRates[k]); err != nil {
			return err
		}
	}
	bounds := make([]*int, len(m.AgeFactors))
	for i, b := range m.AgeFactors {
		bounds[i] = b.UpToYears
		if err := checkPositive(fmt.Sprintf("master.age_factors[%d].factor", i), b.Factor); err != nil {
			return err
		}
	}
	if err := checkIntBands("master.age_factors", bounds, 0); err != nil {
		return err
	}
	for _, t := range []struct {
		name  string
		table map[string]decimal.Decimal
	}{
		{"use_factors", m.UseFactors}, {"structure_factors", m.StructureFactors}, {"occupancy_factors", m.OccupancyFactors},
	} {
		if err := checkFactors("master."+t.name, t.table); err != nil {
			return err
		}
	}
	for _, cat := range slices.Sorted(maps.Keys(m.TaxRates)) {
		for _, use := range slices.Sorted(maps.Keys(m.TaxRates[cat])) {
			if err := checkPercent("master.tax_rates["+cat+"]["+use+"]", m.TaxRates[cat][use]); err != nil {
				return err
			}
		}
	}
	return checkCesses("master.cesses", m.Cesses)
}

// checkFactors refuses zero factors: a zero would silently exempt a
// property, and exemption is a remission with an order behind it.
func checkFactors(field string, table map[string]decimal.Decimal) error {
	if len(table) == 0 {
		return invalid(field, "at least one entry is required")
	}
	for _, k := range slices.Sorted(maps.Keys(table)) {
		if err := checkPositive(field+"["+k+"]", table[k]); err != nil {
			return err
		}
	}
	return nil
}

// UnitAreaTax computes the annual property tax of p by the unit-area
// method as of asOf (which fixes each unit's age). Each unit's annual value
// is rounded to paise and taxed at its own use's rate; the PT line is the
// sum, and each cess is levied on that sum.
func UnitAreaTax(p UnitAreaProperty, m UnitAreaMaster, asOf time.Time) ([]Line, error) {
	pr, err := NewUnitAreaPricer(m)
	if err != nil {
		return nil, err
	}
	return pr.Tax(p, asOf)
}

// UnitAreaPricer prices properties by one unit-area master, checked once:
// a demand run prices a whole register by the same master, and checking it
// for every property cost more than the pricing. The master's maps must not
// change while the pricer is in use.
type UnitAreaPricer struct {
	m      UnitAreaMaster
	bounds []*int // the age bands' upper bounds
}

// NewUnitAreaPricer checks m and returns a pricer on it.
func NewUnitAreaPricer(m UnitAreaMaster) (*UnitAreaPricer, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	pr := &UnitAreaPricer{m: m, bounds: make([]*int, len(m.AgeFactors))}
	for i, b := range m.AgeFactors {
		pr.bounds[i] = b.UpToYears
	}
	return pr, nil
}

// Tax is UnitAreaTax of p by the pricer's master.
func (pr *UnitAreaPricer) Tax(p UnitAreaProperty, asOf time.Time) ([]Line, error) {
	m, bounds := &pr.m, pr.bounds
	if asOf.IsZero() {
		return nil, invalid("as_of", "required: the age factor depends on it")
	}
	unitRate, ok := m.UnitRates[p.Category]
	if !ok {
		return nil, invalid("property.category", "%q is not in master.unit_rates", p.Category)
	}
	if len(p.Units) == 0 {
		return nil, invalid("property.units", "at least one unit is required")
	}

	var tax decimal.Decimal
	workings := make([]string, 0, len(p.Units)+1)
	for i, u := range p.Units {
		f := fmt.Sprintf("property.units[%d]", i)
		if err := checkPositive(f+".area_m2", u.AreaM2); err != nil {
			return nil, err
		}
		age, err := ageOf(f+".year_built", u.YearBuilt, asOf)
		if err != nil {
			return nil, err
		}
		band, ok := intBand(bounds, age)
		if !ok {
			return nil, invalid(f+".year_built", "age %d years is beyond the last band of master.age_factors", age)
		}
		ageF := m.AgeFactors[band].Factor
		useF, err := factor(f+".use", "master.use_factors", m.UseFactors, u.Use)
		if err != nil {
			return nil, err
		}
		strF, err := factor(f+".structure", "master.structure_factors", m.StructureFactors, u.Structure)
		if err != nil {
			return nil, err
		}
		occF, err := factor(f+".occupancy", "master.occupancy_factors", m.OccupancyFactors, u.Occupancy)
		if err != nil {
			return nil, err
		}
		pct, ok := m.TaxRates[p.Category][u.Use]
		if !ok {
			return nil, invalid(f+".use", "master.tax_rates has no rate for use %q in category %q", u.Use, p.Category)
		}

		av := RoundPaise(unitRate.Mul(u.AreaM2).Mul(ageF).Mul(useF).Mul(strF).Mul(occF))
		t := percentOf(av, pct)
		tax = tax.Add(t)
		workings = append(workings, fmt.Sprintf(
			"%s%s %s/m2 x %s m2 x age %s (%d y) x use %s x structure %s x occupancy %s = %s; %s%% = %s",
			unitPrefix(u.Label, i, len(p.Units)), p.Category, unitRate, u.AreaM2, ageF, age, useF, strF, occF,
			money(av), pct, money(t)))
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

// ageOf is the building's age in whole years at asOf, counted by calendar
// year because registers record the year of construction, not the day.
func ageOf(field string, yearBuilt int, asOf time.Time) (int, error) {
	if yearBuilt <= 0 {
		return 0, invalid(field, "required")
	}
	age := asOf.Year() - yearBuilt
	if age < 0 {
		return 0, invalid(field, "%d is after the as-of year %d", yearBuilt, asOf.Year())
	}
	return age, nil
}

func factor(field, table string, m map[string]decimal.Decimal, key string) (decimal.Decimal, error) {
	f, ok := m[key]
	if !ok {
		return decimal.Decimal{}, invalid(field, "%q is not in %s", key, table)
	}
	return f, nil
}

// unitPrefix labels a unit's working only when there is more than one.
func unitPrefix(label string, i, n int) string {
	if n == 1 {
		return ""
	}
	if label == "" {
		label = fmt.Sprintf("unit %d", i+1)
	}
	return label + ": "
}
