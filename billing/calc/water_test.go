package calc_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

// noMinimum strips the minimum charge so slab arithmetic shows through.
func noMinimum(m calc.MeteredWaterMaster) calc.MeteredWaterMaster {
	m.MinimumCharge = decimal.Zero
	return m
}

// consumed is a reading pair that consumed kl kilolitres from 1000.
func consumed(kl string) calc.MeterReading {
	return calc.MeterReading{Previous: dec("1000"), Current: dec("1000").Add(dec(kl))}
}

func TestMeteredWater(t *testing.T) {
	t.Parallel()

	res, nonRes := calc.SampleWaterResidential(), calc.SampleWaterNonResidential()
	withRent := res
	withRent.MeterRent = dec("15")
	rounded := noMinimum(nonRes)
	rounded.RoundToRupee = true

	for _, tc := range []struct {
		name    string
		reading calc.MeterReading
		months  int
		master  calc.MeteredWaterMaster
		want    []string
		basis   string
	}{
		// Residential slabs: 0-10 @ 2, 10-20 @ 2.5, 20-30 @ 8, 30-40 @ 12, above 40 @ 15.
		{name: "exactly 10 KL is all in the first slab", reading: consumed("10"), master: noMinimum(res), want: []string{"WATER=20.00"}, basis: "slab 1: 10 KL @ 2 = 20.00; slabs 20.00"},
		{name: "just above 10 KL charges only the excess at the second slab", reading: consumed("10.1"), master: noMinimum(res), want: []string{"WATER=20.25"}},
		{name: "exactly 20 KL ends in the second slab", reading: consumed("20"), master: noMinimum(res), want: []string{"WATER=45.00"}, basis: "slab 2: 10 KL @ 2.5 = 25.00; slabs 45.00"},
		{name: "just above 20 KL charges the excess at the third slab", reading: consumed("20.1"), master: noMinimum(res), want: []string{"WATER=45.80"}},
		{name: "exactly 40 KL ends in the fourth slab", reading: consumed("40"), master: noMinimum(res), want: []string{"WATER=245.00"}},
		{name: "one litre above 40 KL is charged at the open slab, to the paisa", reading: consumed("40.001"), master: noMinimum(res), want: []string{"WATER=245.02"}, basis: "slab 5: 0.001 KL @ 15 = 0.02"},
		{name: "consumption above the last bound runs on in the open slab", reading: consumed("45"), master: res, want: []string{"WATER=320.00"}},
		{name: "slab charges below the minimum are raised to the minimum", reading: consumed("20"), master: res, want: []string{"WATER=100.00"}, basis: "below the minimum 100.00 x 1, charged 100.00"},
		{name: "slab charges above the minimum stand", reading: consumed("30"), master: res, want: []string{"WATER=125.00"}},
		{name: "no consumption pays the minimum", reading: consumed("0"), master: res, want: []string{"WATER=100.00"}},
		// Non-residential slabs: 0-10 @ 13.31, 10-25 @ 26.62, 25-50 @ 66.55, 50-100 @ 106.48, above 100 @ 133.10.
		{name: "non-residential exactly 10 KL", reading: consumed("10"), master: noMinimum(nonRes), want: []string{"WATER=133.10"}},
		{name: "non-residential one litre above 10 KL", reading: consumed("10.001"), master: noMinimum(nonRes), want: []string{"WATER=133.13"}},
		{name: "non-residential exactly 100 KL ends in the fourth slab", reading: consumed("100"), master: nonRes, want: []string{"WATER=7520.15"}},
		{name: "non-residential 101 KL puts one KL in the open slab", reading: consumed("101"), master: nonRes, want: []string{"WATER=7653.25"}},
		{name: "non-residential minimum is 200", reading: consumed("5"), master: nonRes, want: []string{"WATER=200.00"}},
		{name: "two months double the slab bounds", reading: consumed("20"), months: 2, master: noMinimum(res), want: []string{"WATER=40.00"}, basis: "slab bounds x 2; slab 1: 20 KL @ 2 = 40.00"},
		{name: "two months double the minimum", reading: consumed("20"), months: 2, master: res, want: []string{"WATER=200.00"}},
		{name: "two months at twice the monthly use cost twice a month's", reading: consumed("80"), months: 2, master: res, want: []string{"WATER=490.00"}},
		{name: "meter rent is its own head, a month's rent per month", reading: consumed("80"), months: 2, master: withRent, want: []string{"WATER=490.00", "METER_RENT=30.00"}},
		{
			name:    "a replaced meter counts the old meter's run and the new one's",
			reading: calc.MeterReading{Previous: dec("950"), Current: dec("12"), Replacement: &calc.MeterReplacement{OldFinal: dec("990"), NewInitial: dec("0")}},
			master:  res, want: []string{"WATER=425.00"}, // 40 + 12 = 52 KL
			basis: "old meter 950 -> 990, new meter 0 -> 12: 52 KL",
		},
		{name: "rounded to the rupee", reading: consumed("10.001"), master: rounded, want: []string{"WATER=133.13", "ROUNDOFF=-0.13"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			months := tc.months
			if months == 0 {
				months = 1
			}
			lines, err := calc.MeteredWater(tc.reading, months, tc.master)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
			require.Contains(t, lines[0].Basis, tc.basis)
		})
	}
}

func TestConsumption(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		reading calc.MeterReading
		want    string // empty when refused
		field   string
	}{
		{name: "current less previous", reading: consumed("12.345"), want: "12.345"},
		{name: "equal readings consumed nothing", reading: consumed("0"), want: "0"},
		{name: "a reading going backwards is refused", reading: calc.MeterReading{Previous: dec("100"), Current: dec("90")}, field: "reading.current"},
		{
			name:    "a lower reading is accepted when the meter was replaced",
			reading: calc.MeterReading{Previous: dec("100"), Current: dec("3"), Replacement: &calc.MeterReplacement{OldFinal: dec("105"), NewInitial: dec("1")}},
			want:    "7",
		},
		{
			name:    "the old meter's final reading cannot be below the previous",
			reading: calc.MeterReading{Previous: dec("100"), Current: dec("3"), Replacement: &calc.MeterReplacement{OldFinal: dec("99")}},
			field:   "reading.replacement.old_final",
		},
		{
			name:    "the current reading cannot be below the new meter's initial",
			reading: calc.MeterReading{Previous: dec("100"), Current: dec("3"), Replacement: &calc.MeterReplacement{OldFinal: dec("100"), NewInitial: dec("5")}},
			field:   "reading.current",
		},
		{name: "a negative reading is refused", reading: calc.MeterReading{Previous: dec("-1"), Current: dec("3")}, field: "reading.previous"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := calc.Consumption(tc.reading)
			if tc.field != "" {
				requireInputError(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			require.True(t, dec(tc.want).Equal(got), "got %s", got)
		})
	}
}

func TestMeteredWaterRejects(t *testing.T) {
	t.Parallel()

	bounded := calc.SampleWaterResidential()
	bounded.Slabs = bounded.Slabs[:4] // last slab ends at 40
	descending := calc.SampleWaterResidential()
	descending.Slabs[1].UpToKL = ptr(dec("5"))
	negMin := calc.SampleWaterResidential()
	negMin.MinimumCharge = dec("-100")

	for _, tc := range []struct {
		name    string
		reading calc.MeterReading
		months  int
		master  calc.MeteredWaterMaster
		field   string
	}{
		{"zero months", consumed("10"), 0, calc.SampleWaterResidential(), "months"},
		{"a reading going backwards", calc.MeterReading{Previous: dec("10"), Current: dec("9")}, 1, calc.SampleWaterResidential(), "reading.current"},
		{"consumption beyond a bounded last slab", consumed("40.001"), 1, bounded, "reading"},
		{"master slabs out of order", consumed("10"), 1, descending, "master.slabs[1]"},
		{"master negative minimum", consumed("10"), 1, negMin, "master.minimum_charge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := calc.MeteredWater(tc.reading, tc.months, tc.master)
			requireInputError(t, err, tc.field)
		})
	}
}

func TestFlatWater(t *testing.T) {
	t.Parallel()

	byPipe := calc.FlatWaterMaster{By: calc.FlatByPipeSize, PerMonthByPipeMM: map[int]decimal.Decimal{15: dec("100"), 20: dec("180")}}
	for _, tc := range []struct {
		name   string
		conn   calc.FlatConnection
		months int
		master calc.FlatWaterMaster
		want   []string
	}{
		{"residential flat rate", calc.FlatConnection{Usage: "residential"}, 1, calc.SampleWaterFlat(), []string{"WATER=250.00"}},
		{"non-residential flat rate", calc.FlatConnection{Usage: "non_residential"}, 1, calc.SampleWaterFlat(), []string{"WATER=550.00"}},
		{"government flat rate", calc.FlatConnection{Usage: "government"}, 1, calc.SampleWaterFlat(), []string{"WATER=650.00"}},
		{"a quarter is three months' rate", calc.FlatConnection{Usage: "residential"}, 3, calc.SampleWaterFlat(), []string{"WATER=750.00"}},
		{"by pipe size the usage is ignored", calc.FlatConnection{Usage: "government", PipeSizeMM: 20}, 2, byPipe, []string{"WATER=360.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, err := calc.FlatWater(tc.conn, tc.months, tc.master)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
		})
	}

	for _, tc := range []struct {
		name   string
		conn   calc.FlatConnection
		months int
		master calc.FlatWaterMaster
		field  string
	}{
		{"usage not in the master", calc.FlatConnection{Usage: "industrial"}, 1, calc.SampleWaterFlat(), "connection.usage"},
		{"pipe size not in the master", calc.FlatConnection{PipeSizeMM: 25}, 1, byPipe, "connection.pipe_size_mm"},
		{"zero months", calc.FlatConnection{Usage: "residential"}, 0, calc.SampleWaterFlat(), "months"},
		{"master without a basis", calc.FlatConnection{Usage: "residential"}, 1, calc.FlatWaterMaster{}, "master.by"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := calc.FlatWater(tc.conn, tc.months, tc.master)
			requireInputError(t, err, tc.field)
		})
	}
}
