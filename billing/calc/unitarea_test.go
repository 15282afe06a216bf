package calc_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

// asOf2025 is the assessment day the unit-area cases use: a building of
// 1980 is 45 years old, in the 0.6 age band of the sample master.
var asOf2025 = date("2025-04-01")

// unitAreaMaster is the sample master with changes applied.
func unitAreaMaster(opts ...func(*calc.UnitAreaMaster)) calc.UnitAreaMaster {
	m := calc.SampleUnitAreaMaster()
	for _, o := range opts {
		o(&m)
	}
	return m
}

// areaUnit is 100 m2 of self-occupied pucca residence built in 1980, the
// worked example's unit, with changes applied.
func areaUnit(opts ...func(*calc.AreaUnit)) calc.AreaUnit {
	u := calc.AreaUnit{AreaM2: dec("100"), Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980}
	for _, o := range opts {
		o(&u)
	}
	return u
}

func TestUnitAreaTax(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name   string
		prop   calc.UnitAreaProperty
		master calc.UnitAreaMaster
		asOf   time.Time
		want   []string
		basis  string // a fragment of the PT line's working
	}{
		{
			name:  "worked example: category B, 100 m2, age factor 0.6 gives annual value 30000 and tax 3600",
			prop:  calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit()}},
			want:  []string{"PT=3600.00"},
			basis: "B 500/m2 x 100 m2 x age 0.6 (45 y) x use 1 x structure 1 x occupancy 1 = 30000.00; 12% = 3600.00",
		},
		{
			name:  "commercial use is taxed at 20 percent",
			prop:  calc.UnitAreaProperty{Category: "A", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.Use = "commercial"; u.YearBuilt = 2020 })}},
			want:  []string{"PT=12600.00"}, // 630 x 100 x 1.0 = 63000; 20 %
			basis: "= 63000.00; 20% = 12600.00",
		},
		{
			name: "use, structure and occupancy factors all multiply the annual value",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) {
				u.Structure, u.Occupancy = "semi_pucca", "tenanted"
			})}},
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) {
				m.UseFactors["residential"] = dec("1.5")
				m.StructureFactors["semi_pucca"] = dec("0.7")
				m.OccupancyFactors["tenanted"] = dec("2")
			}),
			want:  []string{"PT=7560.00"}, // 500 x 100 x 0.6 x 1.5 x 0.7 x 2 = 63000; 12 %
			basis: "x use 1.5 x structure 0.7 x occupancy 2 = 63000.00",
		},
		{
			name: "each unit is taxed at its own use's rate and the units are summed",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{
				areaUnit(func(u *calc.AreaUnit) { u.Label, u.AreaM2, u.Use, u.YearBuilt = "GF", dec("50"), "commercial", 2020 }),
				areaUnit(func(u *calc.AreaUnit) { u.Label, u.AreaM2 = "FF", dec("50") }),
			}},
			want:  []string{"PT=6800.00"}, // 25000 x 20 % + 15000 x 12 %
			basis: "GF: B 500/m2 x 50 m2 x age 1 (5 y) x use 1 x structure 1 x occupancy 1 = 25000.00; 20% = 5000.00; FF: B 500/m2 x 50 m2 x age 0.6 (45 y) x use 1 x structure 1 x occupancy 1 = 15000.00; 12% = 1800.00; total 6800.00",
		},
		{
			name: "an age on a band's upper bound takes that band's factor",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.YearBuilt = 2015 })}},
			want: []string{"PT=6000.00"}, // age 10 -> 1.0
		},
		{
			name: "one year past a band's upper bound takes the next band's factor",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.YearBuilt = 2014 })}},
			want: []string{"PT=5400.00"}, // age 11 -> 0.9
		},
		{
			name: "age counts calendar years to the as-of date, so 31 December is still the old age",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.YearBuilt = 2014 })}},
			asOf: date("2024-12-31"),
			want: []string{"PT=6000.00"}, // age 10 -> 1.0
		},
		{
			name: "the open last band takes every greater age",
			prop: calc.UnitAreaProperty{Category: "C", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.YearBuilt = 1900 })}},
			want: []string{"PT=2400.00"}, // 400 x 100 x 0.5 x 12 %
		},
		{
			name: "a cess is a percentage of the tax on its own head",
			prop: calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit()}},
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) {
				m.Cesses = []calc.Cess{{Head: "PT_CESS_LIB", Percent: dec("24")}, {Head: "PT_CESS_NIL", Percent: dec("0")}}
			}),
			want: []string{"PT=3600.00", "PT_CESS_LIB=864.00"}, // a zero cess leaves no line
		},
		{
			name:   "tax rounded to the rupee carries a negative round-off when rounded down",
			prop:   calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.AreaM2 = dec("100.37") })}},
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.RoundToRupee = true }),
			want:   []string{"PT=3613.32", "ROUNDOFF=-0.32"}, // 30111.00 x 12 %
		},
		{
			name:   "tax rounded to the rupee carries a positive round-off when rounded up",
			prop:   calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.AreaM2 = dec("100.41") })}},
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.RoundToRupee = true }),
			want:   []string{"PT=3614.76", "ROUNDOFF=0.24"}, // 30123.00 x 12 %
		},
		{
			name:  "annual value is rounded to paise before the rate is applied",
			prop:  calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(func(u *calc.AreaUnit) { u.AreaM2 = dec("6.000088"); u.YearBuilt = 2020 })}},
			want:  []string{"PT=360.00"}, // 3000.044 -> 3000.04 x 12 % = 360.0048; unrounded it would be 360.00528 -> 360.01
			basis: "= 3000.04; 12% = 360.00",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.UnitRates == nil {
				m = calc.SampleUnitAreaMaster()
			}
			asOf := tc.asOf
			if asOf.IsZero() {
				asOf = asOf2025
			}
			lines, err := calc.UnitAreaTax(tc.prop, m, asOf)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
			require.Contains(t, lines[0].Basis, tc.basis)
		})
	}
}

func TestUnitAreaTaxRejects(t *testing.T) {
	t.Parallel()

	withUnit := func(opt func(*calc.AreaUnit)) calc.UnitAreaProperty {
		return calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit(opt)}}
	}
	ok := withUnit(func(*calc.AreaUnit) {})
	for _, tc := range []struct {
		name   string
		prop   calc.UnitAreaProperty
		master calc.UnitAreaMaster
		asOf   time.Time
		field  string
	}{
		{name: "negative area", prop: withUnit(func(u *calc.AreaUnit) { u.AreaM2 = dec("-1") }), field: "property.units[0].area_m2"},
		{name: "zero area", prop: withUnit(func(u *calc.AreaUnit) { u.AreaM2 = decimal.Zero }), field: "property.units[0].area_m2"},
		{name: "category not in the master", prop: calc.UnitAreaProperty{Category: "Z", Units: ok.Units}, field: "property.category"},
		{name: "no units", prop: calc.UnitAreaProperty{Category: "B"}, field: "property.units"},
		{name: "use with no use factor", prop: withUnit(func(u *calc.AreaUnit) { u.Use = "industrial" }), field: "property.units[0].use"},
		{
			name: "use with a factor but no tax rate for the category", prop: withUnit(func(u *calc.AreaUnit) { u.Use = "industrial" }),
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.UseFactors["industrial"] = dec("3") }),
			field:  "property.units[0].use",
		},
		{name: "structure with no factor", prop: withUnit(func(u *calc.AreaUnit) { u.Structure = "tent" }), field: "property.units[0].structure"},
		{name: "occupancy with no factor", prop: withUnit(func(u *calc.AreaUnit) { u.Occupancy = "" }), field: "property.units[0].occupancy"},
		{name: "year built missing", prop: withUnit(func(u *calc.AreaUnit) { u.YearBuilt = 0 }), field: "property.units[0].year_built"},
		{name: "built after the as-of year", prop: withUnit(func(u *calc.AreaUnit) { u.YearBuilt = 2026 }), field: "property.units[0].year_built"},
		{
			name: "age beyond a bounded last band", prop: withUnit(func(u *calc.AreaUnit) { u.YearBuilt = 1900 }),
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.AgeFactors[len(m.AgeFactors)-1].UpToYears = ptr(60) }),
			field:  "property.units[0].year_built",
		},
		{name: "no as-of date", prop: ok, asOf: time.Time{}, field: "as_of"},
		{
			name: "master age bands out of order", prop: ok,
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.AgeFactors[1].UpToYears = ptr(5) }),
			field:  "master.age_factors[1]",
		},
		{
			name: "master open band before the last", prop: ok,
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.AgeFactors[2].UpToYears = nil }),
			field:  "master.age_factors[2]",
		},
		{
			name: "master zero factor", prop: ok,
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.UseFactors["residential"] = decimal.Zero }),
			field:  "master.use_factors[residential]",
		},
		{
			name: "master tax rate over 100 percent", prop: ok,
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.TaxRates["B"]["residential"] = dec("120") }),
			field:  "master.tax_rates[B][residential]",
		},
		{
			name: "master cess on the tax's own head", prop: ok,
			master: unitAreaMaster(func(m *calc.UnitAreaMaster) { m.Cesses = []calc.Cess{{Head: "PT", Percent: dec("1")}} }),
			field:  "master.cesses[0].head",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.UnitRates == nil {
				m = calc.SampleUnitAreaMaster()
			}
			asOf := tc.asOf
			if asOf.IsZero() && tc.field != "as_of" {
				asOf = asOf2025
			}
			_, err := calc.UnitAreaTax(tc.prop, m, asOf)
			requireInputError(t, err, tc.field)
		})
	}
}
