package calc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func arvMaster(opts ...func(*calc.ARVMaster)) calc.ARVMaster {
	m := calc.SampleARVMaster()
	for _, o := range opts {
		o(&m)
	}
	return m
}

// arvUnit is 100 m2 of owner-occupied residence, with changes applied.
func arvUnit(opts ...func(*calc.ARVUnit)) calc.ARVUnit {
	u := calc.ARVUnit{PlinthAreaM2: dec("100"), Use: "residential", Occupancy: "owner_occupied"}
	for _, o := range opts {
		o(&u)
	}
	return u
}

func TestARVTax(t *testing.T) {
	t.Parallel()

	// Zone 2 is 2.50 a m2 a month: 100 m2 is 250.00 a month, 3000.00 a year.
	for _, tc := range []struct {
		name   string
		prop   calc.ARVProperty
		master calc.ARVMaster
		want   []string
		basis  string
	}{
		{
			name:  "owner-occupied residence gets 40 percent depreciation before the general tax",
			prop:  calc.ARVProperty{Zone: "2", Units: []calc.ARVUnit{arvUnit()}},
			want:  []string{"PT=360.00", "PT_CESS_EDU=18.00", "PT_CESS_LIB=28.80"},
			basis: "100 m2 x 2.5/m2 = 250.00 a month; x 12 = 3000.00; less 40% depreciation (residential, owner_occupied) 1200.00; ARV 1800.00; general tax 20% = 360.00",
		},
		{
			name:  "tenanted residence gets no depreciation",
			prop:  calc.ARVProperty{Zone: "2", Units: []calc.ARVUnit{arvUnit(func(u *calc.ARVUnit) { u.Occupancy = "tenanted" })}},
			want:  []string{"PT=600.00", "PT_CESS_EDU=30.00", "PT_CESS_LIB=48.00"},
			basis: "x 12 = 3000.00; ARV 3000.00",
		},
		{
			name: "commercial use is taxed at its own general-tax rate",
			prop: calc.ARVProperty{Zone: "2", Units: []calc.ARVUnit{arvUnit(func(u *calc.ARVUnit) { u.Use = "commercial" })}},
			want: []string{"PT=750.00", "PT_CESS_EDU=37.50", "PT_CESS_LIB=60.00"},
		},
		{
			name: "units are assessed separately and their tax summed before the cesses",
			prop: calc.ARVProperty{Zone: "2", Units: []calc.ARVUnit{
				arvUnit(func(u *calc.ARVUnit) {
					u.Label, u.PlinthAreaM2, u.Use, u.Occupancy = "GF", dec("50"), "commercial", "tenanted"
				}),
				arvUnit(func(u *calc.ARVUnit) { u.Label, u.PlinthAreaM2 = "FF", dec("50") }),
			}},
			want:  []string{"PT=555.00", "PT_CESS_EDU=27.75", "PT_CESS_LIB=44.40"}, // 1500 x 25 % + 900 x 20 %
			basis: "; total 555.00",
		},
		{
			name: "the depreciation percentage comes from the master",
			prop: calc.ARVProperty{Zone: "2", Units: []calc.ARVUnit{arvUnit()}},
			master: arvMaster(func(m *calc.ARVMaster) {
				m.DepreciationPercent["residential"]["owner_occupied"] = dec("50")
			}),
			want: []string{"PT=300.00", "PT_CESS_EDU=15.00", "PT_CESS_LIB=24.00"},
		},
		{
			name:   "rounded to the rupee, each step is to the paisa and the total carries the round-off",
			prop:   calc.ARVProperty{Zone: "1", Units: []calc.ARVUnit{arvUnit(func(u *calc.ARVUnit) { u.PlinthAreaM2 = dec("33.33") })}},
			master: arvMaster(func(m *calc.ARVMaster) { m.RoundToRupee = true }),
			// 99.99 a month; 1199.88; less 479.95; ARV 719.93; 20 % = 143.99; cesses 7.20 and 11.52
			want: []string{"PT=143.99", "PT_CESS_EDU=7.20", "PT_CESS_LIB=11.52", "ROUNDOFF=0.29"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.ZoneRates == nil {
				m = calc.SampleARVMaster()
			}
			lines, err := calc.ARVTax(tc.prop, m)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
			require.Contains(t, lines[0].Basis, tc.basis)
		})
	}
}

func TestARVTaxRejects(t *testing.T) {
	t.Parallel()

	one := func(opt func(*calc.ARVUnit)) calc.ARVProperty {
		return calc.ARVProperty{Zone: "1", Units: []calc.ARVUnit{arvUnit(opt)}}
	}
	for _, tc := range []struct {
		name   string
		prop   calc.ARVProperty
		master calc.ARVMaster
		field  string
	}{
		{name: "zone not in the master", prop: calc.ARVProperty{Zone: "9", Units: []calc.ARVUnit{arvUnit()}}, field: "property.zone"},
		{name: "no units", prop: calc.ARVProperty{Zone: "1"}, field: "property.units"},
		{name: "negative plinth area", prop: one(func(u *calc.ARVUnit) { u.PlinthAreaM2 = dec("-10") }), field: "property.units[0].plinth_area_m2"},
		{name: "use with no general-tax rate", prop: one(func(u *calc.ARVUnit) { u.Use = "industrial" }), field: "property.units[0].use"},
		{name: "misspelt occupancy is not a silent zero depreciation", prop: one(func(u *calc.ARVUnit) { u.Occupancy = "owner" }), field: "property.units[0].occupancy"},
		{
			name: "master depreciation over 100 percent", prop: one(func(*calc.ARVUnit) {}),
			master: arvMaster(func(m *calc.ARVMaster) { m.DepreciationPercent["residential"]["tenanted"] = dec("101") }),
			field:  "master.depreciation_percent[residential][tenanted]",
		},
		{
			name: "master cess head twice", prop: one(func(*calc.ARVUnit) {}),
			master: arvMaster(func(m *calc.ARVMaster) { m.Cesses = append(m.Cesses, m.Cesses[0]) }),
			field:  "master.cesses[2].head",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.ZoneRates == nil {
				m = calc.SampleARVMaster()
			}
			_, err := calc.ARVTax(tc.prop, m)
			requireInputError(t, err, tc.field)
		})
	}
}

func TestSplitInstalments(t *testing.T) {
	t.Parallel()

	line := func(head, amt string) calc.Line { return calc.Line{Head: head, Amount: dec(amt), Basis: "test"} }
	for _, tc := range []struct {
		name  string
		lines []calc.Line
		n     int
		want  [][]string
	}{
		{
			name:  "half-yearly halves each line",
			lines: []calc.Line{line("PT", "360.00"), line("PT_CESS_EDU", "18.00")},
			n:     2,
			want:  [][]string{{"PT=180.00", "PT_CESS_EDU=9.00"}, {"PT=180.00", "PT_CESS_EDU=9.00"}},
		},
		{
			name:  "the first instalment carries the odd paisa",
			lines: []calc.Line{line("PT", "360.01")},
			n:     2,
			want:  [][]string{{"PT=180.01"}, {"PT=180.00"}},
		},
		{
			name:  "a negative round-off splits with its sign",
			lines: []calc.Line{line("PT", "143.99"), line("ROUNDOFF", "-0.33")},
			n:     2,
			want:  [][]string{{"PT=72.00", "ROUNDOFF=-0.17"}, {"PT=71.99", "ROUNDOFF=-0.16"}},
		},
		{
			name:  "a part that comes to zero is left out",
			lines: []calc.Line{line("PT", "100.00"), line("ROUNDOFF", "0.01")},
			n:     2,
			want:  [][]string{{"PT=50.00", "ROUNDOFF=0.01"}, {"PT=50.00"}},
		},
		{
			name:  "quarterly remainder of several paise all goes to the first",
			lines: []calc.Line{line("PT", "100.03")},
			n:     4,
			want:  [][]string{{"PT=25.03"}, {"PT=25.00"}, {"PT=25.00"}, {"PT=25.00"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			parts, err := calc.SplitInstalments(tc.lines, tc.n)
			require.NoError(t, err)
			got := make([][]string, len(parts))
			sum := dec("0")
			for i, p := range parts {
				got[i] = heads(t, p)
				sum = sum.Add(calc.Net(p))
			}
			require.Equal(t, tc.want, got)
			require.True(t, calc.Net(tc.lines).Equal(sum), "instalments add to %s, lines to %s", sum, calc.Net(tc.lines))
		})
	}

	t.Run("zero instalments is refused", func(t *testing.T) {
		t.Parallel()
		_, err := calc.SplitInstalments(nil, 0)
		requireInputError(t, err, "instalments")
	})
}
