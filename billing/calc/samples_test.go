package calc_test

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

// TestSamplesValidate keeps the demo masters loadable: a sample that fails
// its own Validate would fail every demand built on it.
func TestSamplesValidate(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name   string
		master interface{ Validate() error }
	}{
		{"unit-area", calc.SampleUnitAreaMaster()},
		{"annual rental value", calc.SampleARVMaster()},
		{"water residential", calc.SampleWaterResidential()},
		{"water non-residential", calc.SampleWaterNonResidential()},
		{"water flat", calc.SampleWaterFlat()},
		{"trade licence", calc.SampleTradeMaster()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.master.Validate())
		})
	}
}

// TestSamplesAreFresh lets tests and the demo change a sample without
// changing it for anyone else.
func TestSamplesAreFresh(t *testing.T) {
	t.Parallel()

	a := calc.SampleUnitAreaMaster()
	a.UnitRates["B"] = dec("1")
	a.TaxRates["B"]["residential"] = dec("1")
	b := calc.SampleUnitAreaMaster()
	require.True(t, dec("500").Equal(b.UnitRates["B"]))
	require.True(t, dec("12").Equal(b.TaxRates["B"]["residential"]))
}

// TestMastersSurviveJSON: the billing domain stores masters as JSON, so a
// master read back must compute the same lines, open bands included.
func TestMastersSurviveJSON(t *testing.T) {
	t.Parallel()

	roundTrip := func(t *testing.T, in, out any) {
		t.Helper()
		b, err := json.Marshal(in)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, out))
	}

	t.Run("unit-area worked example", func(t *testing.T) {
		t.Parallel()
		var m calc.UnitAreaMaster
		roundTrip(t, calc.SampleUnitAreaMaster(), &m)
		lines, err := calc.UnitAreaTax(calc.UnitAreaProperty{Category: "B", Units: []calc.AreaUnit{areaUnit()}}, m, asOf2025)
		require.NoError(t, err)
		require.Equal(t, []string{"PT=3600.00"}, heads(t, lines))
	})
	t.Run("water slabs with an open last slab", func(t *testing.T) {
		t.Parallel()
		var m calc.MeteredWaterMaster
		roundTrip(t, calc.SampleWaterResidential(), &m)
		require.Nil(t, m.Slabs[len(m.Slabs)-1].UpToKL)
		lines, err := calc.MeteredWater(consumed("45"), 1, m)
		require.NoError(t, err)
		require.Equal(t, []string{"WATER=320.00"}, heads(t, lines))
	})
	t.Run("flat water by pipe size keyed by an int", func(t *testing.T) {
		t.Parallel()
		var m calc.FlatWaterMaster
		roundTrip(t, calc.FlatWaterMaster{By: calc.FlatByPipeSize, PerMonthByPipeMM: map[int]decimal.Decimal{15: dec("100")}}, &m)
		lines, err := calc.FlatWater(calc.FlatConnection{PipeSizeMM: 15}, 1, m)
		require.NoError(t, err)
		require.Equal(t, []string{"WATER=100.00"}, heads(t, lines))
	})
	t.Run("trade licence with negative late-band bounds", func(t *testing.T) {
		t.Parallel()
		var m calc.TradeMaster
		roundTrip(t, calc.SampleTradeMaster(), &m)
		lines, err := calc.TradeLicenceFee(renewal(small10), m, date("2026-03-02"))
		require.NoError(t, err)
		require.Equal(t, []string{"TL_FEE=2000.00", "TL_PENALTY=500.00"}, heads(t, lines))
	})
}

func TestInputErrorNamesFieldAndRule(t *testing.T) {
	t.Parallel()

	_, err := calc.UnitAreaTax(calc.UnitAreaProperty{Category: "Z", Units: []calc.AreaUnit{areaUnit()}}, calc.SampleUnitAreaMaster(), asOf2025)
	require.EqualError(t, err, `calc: property.category: "Z" is not in master.unit_rates`)
}
