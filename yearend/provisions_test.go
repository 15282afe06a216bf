package yearend_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/yearend"
)

// raiseAgedDues raises, in 2025-26, property tax demands whose due dates are
// under one, one to two, two to three and over three years before 31 March
// 2026 (10,000, 20,000, 40,000 and 8,000), a library cess (owed to the
// state, never provided for) and a building-permit fee over three years old
// (1,000.00), and returns them in that order.
func raiseAgedDues(t *testing.T, b bundle) []billing.Demand {
	t.Helper()
	bs := billing.NewService(b.pool, b.ledger, nil)
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "building_plan", Code: "BP_FEE", Name: "Building permit fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401202", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9095"},
	} {
		_, err := bs.SaveTaxHead(b.ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	demand := func(service, consumer string, due time.Time, lines ...billing.DemandLineInput) billing.DemandInput {
		return billing.DemandInput{Service: service, ConsumerCode: consumer, Ward: "W07",
			PeriodFrom: ledger.Date(due.Year(), time.April, 1), PeriodTo: ledger.Date(due.Year()+1, time.March, 31),
			Date: ledger.Date(2025, time.April, 10), DueDate: due, IdempotencyKey: consumer, Lines: lines}
	}
	pt := func(a string) billing.DemandLineInput { return billing.DemandLineInput{Head: "PT", Amount: amt(a)} }
	ds, err := bs.PostDemands(b.ctx, tenant, "test", billing.FromManual, []billing.DemandInput{
		demand("property_tax", "P-NEW", ledger.Date(2025, time.June, 30), pt("10000.00"), billing.DemandLineInput{Head: "LIB_CESS", Amount: amt("500.00")}),
		demand("property_tax", "P-1Y", ledger.Date(2024, time.June, 30), pt("20000.00")),
		demand("property_tax", "P-2Y", ledger.Date(2023, time.June, 30), pt("40000.00")),
		demand("property_tax", "P-3Y", ledger.Date(2022, time.June, 30), pt("8000.00")),
		demand("building_plan", "BP-OLD", ledger.Date(2022, time.June, 30), billing.DemandLineInput{Head: "BP_FEE", Amount: amt("1000.00")}),
	})
	require.NoError(t, err)
	return ds
}

func provisionFor(t *testing.T, r yearend.ProvisionRun, account string) yearend.ProvisionLine {
	t.Helper()
	for _, l := range r.Lines {
		if l.ProvisionAccount == account {
			return l
		}
	}
	t.Fatalf("no provision line for %s in %+v", account, r.Lines)
	return yearend.ProvisionLine{}
}

func sums(v *ledger.Posted) map[string]string {
	out := map[string]string{}
	for _, l := range v.Lines {
		out[l.AccountCode] = l.Debit.Sub(l.Credit).StringFixed(2)
	}
	return out
}

func TestProvisionsByAgeBandWithTheTenantsRatesAndAnIdempotentRerun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raiseAgedDues(t, b)

	first, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	pt := provisionFor(t, first, "4321000")
	assert.Equal(t, []string{"10000.00", "20000.00", "40000.00", "8000.00"},
		[]string{pt.Outstanding[0].StringFixed(2), pt.Outstanding[1].StringFixed(2), pt.Outstanding[2].StringFixed(2), pt.Outstanding[3].StringFixed(2)},
		"outstanding by band; the cess is the state's and not provided for")
	// Default rates 0 %, 10 %, 25 %, 100 %: 0 + 2,000 + 10,000 + 8,000.
	assert.Equal(t, "20000.00", pt.Required.StringFixed(2))
	assert.Equal(t, "1000.00", provisionFor(t, first, "4323000").Required.StringFixed(2), "the old fee in full")
	require.NotNil(t, first.Voucher)
	assert.Equal(t, day("2026-03-31"), first.Voucher.Date)
	assert.Equal(t, map[string]string{"2701001": "20000.00", "4321000": "-20000.00", "2701003": "1000.00", "4323000": "-1000.00"}, sums(first.Voucher))

	again, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	assert.Nil(t, again.Voucher, "the provision already held is what is required: nothing posted")
	assert.Equal(t, "21000.00", again.HeldBefore.StringFixed(2))
	assert.True(t, again.Adjustment().IsZero())

	rates := [yearend.Bands]decimal.Decimal{amt("0.05"), amt("0.20"), amt("0.50"), amt("1")}
	require.NoError(t, b.yearend.SetProvisionRates(b.ctx, tenant, rates, "admin"))
	raised, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	// 500 + 4,000 + 20,000 + 8,000 = 32,500: 12,500 more than held.
	assert.Equal(t, "32500.00", provisionFor(t, raised, "4321000").Required.StringFixed(2))
	require.NotNil(t, raised.Voucher)
	assert.Equal(t, map[string]string{"2701001": "12500.00", "4321000": "-12500.00"}, sums(raised.Voucher))

	require.NoError(t, b.yearend.SetProvisionRates(b.ctx, tenant, yearend.DefaultRates, "admin"))
	lowered, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	require.NotNil(t, lowered.Voucher)
	assert.Equal(t, map[string]string{"2701001": "-12500.00", "4321000": "12500.00"}, sums(lowered.Voucher), "written back")

	t.Run("a rate outside 0 to 1 is refused, naming the band", func(t *testing.T) {
		bad := yearend.DefaultRates
		bad[2] = amt("1.5")
		err := b.yearend.SetProvisionRates(b.ctx, tenant, bad, "admin")
		var ve *ledger.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "rates[2]", ve.Violations[0].Field)
	})
	t.Run("the close runs the provisions first and they stay in the year's expenditure", func(t *testing.T) {
		require.NoError(t, b.yearend.SetProvisionRates(b.ctx, tenant, rates, "admin"))
		// (setup's journal vouchers post to 4311001 outside the register.)
		tiesBefore, err := billing.NewService(b.pool, b.ledger, nil).CheckDcbAgainstLedger(b.ctx, tenant)
		require.NoError(t, err)
		c, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
		require.NoError(t, err)
		require.NotNil(t, c.Provisions.Voucher)
		assert.Equal(t, "12500.00", c.Provisions.Adjustment().StringFixed(2))
		ie, err := b.reports.IncomeExpenditure(b.ctx, fyEnd())
		require.NoError(t, err)
		sc := ie.Expenditure
		var provisions decimal.Decimal
		for _, f := range sc {
			if f.MajorHead == "270" {
				provisions = f.Current
			}
		}
		assert.Equal(t, "33500.00", provisions.StringFixed(2), "32,500 on property tax and 1,000 on fees")
		ties, err := billing.NewService(b.pool, b.ledger, nil).CheckDcbAgainstLedger(b.ctx, tenant)
		require.NoError(t, err)
		assert.Equal(t, tiesBefore, ties, "the close moves no receivable")
	})
}
