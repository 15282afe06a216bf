package reports_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/controls"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/tenancy"
	"github.com/munimhq/munim/yearend"
)

// stateSetup is setup with a second ULB of the state, uk.haridwar, and a
// ULB of another state, up.lucknow, each with postings of its own; the
// reports have the audit controls.
func stateSetup(t *testing.T) bundle {
	t.Helper()
	b := setup(t)
	for _, u := range []struct{ id, name string }{{"uk.haridwar", "Haridwar Nagar Nigam"}, {"up.lucknow", "Lucknow Nagar Nigam"}} {
		_, err := tenancy.NewService(b.pool).Create(b.ctx, u.id, u.name, 2026, "test")
		require.NoError(t, err)
		_, err = b.ledger.OpenFiscalYear(b.ctx, u.id, 2025, "test")
		require.NoError(t, err)
	}
	postScenario(t, b)
	_, err := b.ledger.Post(b.ctx, "uk.haridwar", "test", []ledger.Voucher{
		voucher("h1", "2025-05-10", "PT demand 2025-26", dr("4311001", "01", "40000.00"), cr("1100101", "01", "40000.00")),
		voucher("h2", "2025-11-10", "PT collected in the bank", dr("4502101", "01", "30000.00"), cr("4311001", "01", "30000.00")),
		voucher("h3", "2026-04-05", "PT demand 2026-27", dr("4311001", "01", "44000.40"), cr("1100101", "01", "44000.40")),
		voucher("h4", "2026-05-05", "PT collected in the bank", dr("4502101", "01", "33000.30"), cr("4311001", "01", "33000.30")),
		voucher("h5", "2026-05-06", "security deposit of a contractor", dr("4502101", "01", "7500.00"),
			ledger.Line{AccountCode: "3401001", FundCode: "01", FunctionCode: "9091", Credit: amt("7500.00"), Party: "C-17"}),
		voucher("h6", "2026-05-07", "salaries", dr("2101001", "01", "12345.67"), cr("4502101", "01", "12345.67")),
	})
	require.NoError(t, err)
	_, err = b.ledger.Post(b.ctx, "up.lucknow", "test", []ledger.Voucher{
		voucher("l1", "2026-04-05", "PT demand", dr("4311001", "01", "999999.00"), cr("1100101", "01", "999999.00")),
	})
	require.NoError(t, err)
	bill := billing.NewService(b.pool, b.ledger, nil)
	rs, err := receipts.NewService(b.pool, b.ledger, bill, receipts.Config{})
	require.NoError(t, err)
	b.reports.WithControls(controls.NewService(b.pool, b.ledger, bill, rs, assets.NewService(b.pool, b.ledger, nil)))
	return b
}

// sumFigures adds figures by major head (and label, for derived lines).
func sumFigures(into map[string]reports.Amounts, fs ...reports.Figure) {
	for _, f := range fs {
		k := f.MajorHead + "|" + f.Label
		into[k] = reports.Amounts{Current: into[k].Current.Add(f.Current), Previous: into[k].Previous.Add(f.Previous)}
	}
}

// sumRows adds schedule rows by schedule and account (or derived label).
func sumRows(into map[string]reports.Amounts, ss []reports.Schedule) {
	for _, s := range ss {
		for _, r := range s.Rows {
			k := s.Code + "|" + r.AccountCode + "|" + r.AccountName
			if r.AccountCode != "" {
				k = s.Code + "|" + r.AccountCode
			}
			into[k] = reports.Amounts{Current: into[k].Current.Add(r.Current), Previous: into[k].Previous.Add(r.Previous)}
		}
	}
}

func assertSameSums(t *testing.T, want, got map[string]reports.Amounts, what string) {
	t.Helper()
	for k, w := range want {
		g := got[k]
		assert.True(t, w.Equal(g), "%s %s: the ULBs sum to %s / %s, the state shows %s / %s", what, k,
			w.Current.StringFixed(2), w.Previous.StringFixed(2), g.Current.StringFixed(2), g.Previous.StringFixed(2))
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			assert.True(t, g.IsZero(), "%s %s appears only in the state's: %v", what, k, g)
		}
	}
}

func TestStateConsolidationIsTheSumOfItsULBs(t *testing.T) {
	t.Parallel()
	b := stateSetup(t)
	asOf := day("2026-05-31")
	state, err := b.reports.StateConsolidation(b.ctx, reports.StateRequest{StateCode: "uk", AsOf: asOf, VerifyChains: true})
	require.NoError(t, err)
	assertSumOfULBs(t, b, state, reports.Request{AsOf: asOf})
	bs := state.BalanceSheet
	assert.Equal(t, "uk.*", bs.TenantID)
	assert.Equal(t, 2026, bs.FiscalYear)

	require.Len(t, state.ULBs, 2, "uk's two ULBs, not up's")
	dehradun, haridwar := state.ULBs[0], state.ULBs[1]
	assert.Equal(t, "uk.dehradun", dehradun.TenantID)
	assert.Equal(t, "135000.50", dehradun.Demand.StringFixed(2), "property tax 120,000.50 and water 15,000 billed")
	assert.Equal(t, "81700.25", dehradun.Collection.StringFixed(2), "collected, rebated and the prior-period item")
	assert.Equal(t, "60.52", dehradun.Efficiency.Decimal.StringFixed(2))
	assert.Equal(t, controls.Failed, dehradun.AuditStatus, "its cash on hand and advance were journalled, not receipted: no sub-ledger holds them")
	assert.Equal(t, "uk.haridwar", haridwar.TenantID)
	assert.Equal(t, "Haridwar Nagar Nigam", haridwar.ULBName)
	assert.Equal(t, "44000.40", haridwar.Demand.StringFixed(2))
	assert.Equal(t, "33000.30", haridwar.Collection.StringFixed(2))
	assert.Equal(t, "75.00", haridwar.Efficiency.Decimal.StringFixed(2))
	assert.Equal(t, "21000.10", haridwar.Receivables.StringFixed(2), "10,000 from 2025-26 and 11,000.10 from this year")
	assert.Equal(t, "58154.63", haridwar.CashAndBank.StringFixed(2))
	assert.Equal(t, "31654.73", haridwar.Surplus.StringFixed(2), "44,000.40 income less 12,345.67 salaries")
	assert.Equal(t, controls.OK, haridwar.AuditStatus, "its deposit names its party")
}

func TestStateConsolidationRefusesWhatItCannotDraw(t *testing.T) {
	t.Parallel()
	b := stateSetup(t)
	for _, tc := range []struct {
		name  string
		req   reports.StateRequest
		field string
	}{
		{"a state code is two letters", reports.StateRequest{StateCode: "uk.dehradun", FiscalYear: 2026}, "state_code"},
		{"a date or a year is needed", reports.StateRequest{StateCode: "uk"}, "as_of"},
		{"as_of ends a month", reports.StateRequest{StateCode: "uk", AsOf: day("2026-05-30")}, "as_of"},
		{"as_of falls in the year given", reports.StateRequest{StateCode: "uk", FiscalYear: 2025, AsOf: day("2026-05-31")}, "fiscal_year"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := b.reports.StateConsolidation(b.ctx, tc.req)
			var v *ledger.ValidationError
			require.ErrorAs(t, err, &v)
			assert.Equal(t, tc.field, v.Violations[0].Field)
		})
	}
	_, err := b.reports.StateConsolidation(b.ctx, reports.StateRequest{StateCode: "mh", FiscalYear: 2026})
	var nf *ledger.NotFoundError
	assert.ErrorAs(t, err, &nf, "a state with no ULBs")
}

func TestStateAuditStatusVerifiesChainsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	b := stateSetup(t)
	dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
		for _, stmt := range []string{"ALTER TABLE vouchers DISABLE TRIGGER vouchers_immutable",
			"UPDATE vouchers SET narration = 'edited' WHERE tenant_id = 'uk.haridwar' AND idempotency_key = 'h6'",
			"ALTER TABLE vouchers ENABLE TRIGGER vouchers_immutable"} {
			_, err := tx.Exec(b.ctx, stmt)
			require.NoError(t, err)
		}
	})
	status := func(verify bool) controls.Status {
		state, err := b.reports.StateConsolidation(b.ctx, reports.StateRequest{StateCode: "uk", FiscalYear: 2026, VerifyChains: verify})
		require.NoError(t, err)
		require.Equal(t, "uk.haridwar", state.ULBs[1].TenantID)
		return state.ULBs[1].AuditStatus
	}
	assert.Equal(t, controls.OK, status(false), "the ties alone still hold")
	assert.Equal(t, controls.Failed, status(true), "the edited salaries voucher breaks Haridwar's chain")
}

// assertSumOfULBs checks a state's statements are its two ULBs' summed,
// line by line and schedule row by schedule row, and balance.
func assertSumOfULBs(t *testing.T, b bundle, state reports.StateConsolidation, r reports.Request) {
	t.Helper()
	wantBS, gotBS := map[string]reports.Amounts{}, map[string]reports.Amounts{}
	wantBSRows, gotBSRows := map[string]reports.Amounts{}, map[string]reports.Amounts{}
	wantIE, gotIE := map[string]reports.Amounts{}, map[string]reports.Amounts{}
	wantIERows, gotIERows := map[string]reports.Amounts{}, map[string]reports.Amounts{}
	for _, ulb := range []string{"uk.dehradun", "uk.haridwar"} {
		r.TenantID = ulb
		bs, err := b.reports.BalanceSheet(b.ctx, r)
		require.NoError(t, err)
		require.True(t, bs.Balanced(), ulb)
		sumFigures(wantBS, append(append(bs.Liabilities, bs.Assets...), bs.TotalLiabilities, bs.TotalAssets)...)
		sumRows(wantBSRows, bs.Schedules)
		ie, err := b.reports.IncomeExpenditure(b.ctx, r)
		require.NoError(t, err)
		sumFigures(wantIE, append(append(ie.Income, ie.Expenditure...), ie.TotalIncome, ie.TotalExpenditure,
			ie.SurplusBeforePriorPeriod, ie.PriorPeriodItems, ie.SurplusAfterPriorPeriod, ie.TransferToReserves, ie.SurplusCarriedToFund)...)
		sumRows(wantIERows, ie.Schedules)
	}
	bs, ie := state.BalanceSheet, state.IncomeExpenditure
	sumFigures(gotBS, append(append(bs.Liabilities, bs.Assets...), bs.TotalLiabilities, bs.TotalAssets)...)
	sumRows(gotBSRows, bs.Schedules)
	sumFigures(gotIE, append(append(ie.Income, ie.Expenditure...), ie.TotalIncome, ie.TotalExpenditure,
		ie.SurplusBeforePriorPeriod, ie.PriorPeriodItems, ie.SurplusAfterPriorPeriod, ie.TransferToReserves, ie.SurplusCarriedToFund)...)
	sumRows(gotIERows, ie.Schedules)

	assertSameSums(t, wantBS, gotBS, "balance sheet line")
	assertSameSums(t, wantBSRows, gotBSRows, "balance sheet schedule row")
	assertSameSums(t, wantIE, gotIE, "income and expenditure line")
	assertSameSums(t, wantIERows, gotIERows, "income and expenditure schedule row")
	assert.True(t, bs.Balanced(), "the state's balance sheet balances: %v / %v", bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
}

// A ULB's closed year still consolidates as earned: its income and
// expenditure, and the next year's comparatives, leave its closing
// vouchers out in the state's statements as in its own, and its surplus
// in the table is the year's, not nil.
func TestStateConsolidationOfAClosedYear(t *testing.T) {
	t.Parallel()
	b := stateSetup(t)
	_, err := yearend.NewService(b.pool, b.ledger).CloseYear(b.ctx, "uk.haridwar", 2025, "meena")
	require.NoError(t, err)
	for _, fy := range []int{2025, 2026} {
		state, err := b.reports.StateConsolidation(b.ctx, reports.StateRequest{StateCode: "uk", FiscalYear: fy})
		require.NoError(t, err)
		assertSumOfULBs(t, b, state, reports.Request{FiscalYear: fy})
		if fy == 2025 {
			require.Equal(t, "uk.haridwar", state.ULBs[1].TenantID)
			assert.Equal(t, "40000.00", state.ULBs[1].Surplus.StringFixed(2), "2025-26's property tax, closed to the fund")
		}
	}
}
