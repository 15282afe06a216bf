package billing_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/ledger"
)

func property(code, ward, category string, areas ...string) billing.Property {
	p := billing.Property{ConsumerCode: code, OwnerName: "Owner " + code, Ward: ward, Category: category}
	for _, a := range areas {
		p.Units = append(p.Units, calc.AreaUnit{AreaM2: amt(a), Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980})
	}
	return p
}

// The tariff's worked example, through the register and the run: category
// B (500/m2), 100 m2, age factor 0.6 (built 1980: 46 years in 2026) gives an
// annual value of 30,000 and a tax of 3,600.
func TestPropertyDemandRunRaisesEachDemandOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := calc.SampleUnitAreaMaster()
	m.RoundToRupee = true // as the tenant's PT head says
	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, m, "admin"))
	var ps []billing.Property
	for i := range 25 {
		ps = append(ps, property(fmt.Sprintf("PT-%03d", i), fmt.Sprintf("W%02d", i%3), "B", "100"))
	}
	ps = append(ps, property("PT-900", "W00", "A", "60", "40.5"))
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, ps, "admin"))

	preview, err := b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-000", 2026)
	require.NoError(t, err)
	require.Len(t, preview.Lines, 1)
	assert.Equal(t, "3600.00", preview.Lines[0].Amount.StringFixed(2))

	var batches int
	got, err := b.billing.RunPropertyDemands(b.ctx, tenant, 2026, "", 10, "run", func(billing.RunProgress) { batches++ })
	require.NoError(t, err)
	assert.Equal(t, 26, got.Raised)
	assert.Equal(t, 3, batches)
	// 25 x 3,600 + category A: 630 x (60 + 40.5) x 0.6 x 12 % = 4,558.68,
	// levied as 4,559 with +0.32 on the round-off head.
	assert.Equal(t, "94559.00", got.Total.StringFixed(2))

	// A rerun (or a run resumed after a crash) raises nothing twice.
	again, err := b.billing.RunPropertyDemands(b.ctx, tenant, 2026, "", 7, "run", nil)
	require.NoError(t, err)
	assert.Zero(t, again.Raised)
	assert.Equal(t, 26, again.Existing)
	tied(t, b)

	dues, err := b.billing.Dues(b.ctx, tenant, "PT-900", billing.PropertyTax)
	require.NoError(t, err)
	assert.Equal(t, "4559.00", dues.Total.StringFixed(2))
	require.Len(t, dues.Demands[0].Lines, 2)
	assert.Equal(t, "PT 4558.68, ROUNDOFF 0.32", fmt.Sprintf("%s %s, %s %s", dues.Demands[0].Lines[0].Head,
		dues.Demands[0].Lines[0].Amount.StringFixed(2), dues.Demands[0].Lines[1].Head, dues.Demands[0].Lines[1].Amount.StringFixed(2)))
}

func TestRunWithoutAMasterIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.billing.RunPropertyDemands(b.ctx, tenant, 2026, "", 10, "run", nil)
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)
	_, err = b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-1", 2026)
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)

	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	_, err = b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-404", 2026)
	assert.ErrorIs(t, err, ledger.ErrNotFound)
}

func TestRegisterAndMasterInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := property("PT-1", "W01", "B", "-5")
	err := b.billing.SaveProperties(b.ctx, tenant, []billing.Property{bad}, "admin")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "properties[0].units[0].area_m2", ve.Violations[0].Field)

	m := calc.SampleUnitAreaMaster()
	delete(m.TaxRates, "B")
	m.UnitRates["Z"] = amt("-1")
	err = b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, m, "admin")
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Violations[0].Field, "master.")
}

// A year's property tax is levied by the method of its master: saving an
// annual-rental-value master replaces the year's unit-area master, and the
// run then levies by ARV (Andhra pattern, sample rates): zone 2 at 2.50 a
// m2 a month, 100 m2 owner-occupied residential: 250 a month, 3,000 a
// year, less 40 % = ARV 1,800; general tax 20 % = 360; education tax 5 %
// = 18; library cess 8 % = 28.80; levied to the rupee as 407.
func TestPropertyTaxByTheMethodOfTheYearsMaster(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, code := range []string{"PT_CESS_EDU", "PT_CESS_LIB"} {
		_, err := b.billing.SaveTaxHead(b.ctx, tenant, billing.TaxHead{Service: "property_tax", Code: code, Name: code,
			Category: billing.Cess, Priority: 30, IncomeAccount: "3503002", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"}, "admin")
		require.NoError(t, err)
	}
	p := property("PT-1", "W01", "2", "100")
	p.Units[0].Occupancy = "owner_occupied"
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{p}, "admin"))

	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	arv := calc.SampleARVMaster()
	arv.RoundToRupee = true
	require.NoError(t, b.billing.SaveARVMaster(b.ctx, tenant, 2026, arv, "admin"))
	ms, err := b.billing.RateMasters(b.ctx, tenant, billing.PropertyTax, 2026)
	require.NoError(t, err)
	require.Len(t, ms, 1, "one method a year")
	assert.Equal(t, billing.MethodARV, ms[0].Method)

	preview, err := b.billing.CalculateDemand(b.ctx, tenant, billing.DemandQuery{Service: billing.PropertyTax, ConsumerCode: "PT-1", FiscalYear: 2026})
	require.NoError(t, err)
	assert.Equal(t, "PT 360.00, PT_CESS_EDU 18.00, PT_CESS_LIB 28.80, ROUNDOFF 0.20", previewed(preview))
	assert.Contains(t, preview.Lines[0].Basis, "less 40% depreciation (residential, owner_occupied) 1200.00; ARV 1800.00")

	got, err := b.billing.RunPropertyDemands(b.ctx, tenant, 2026, "", 10, "run", nil)
	require.NoError(t, err)
	assert.Equal(t, "407.00", got.Total.StringFixed(2))
	tied(t, b)
}
