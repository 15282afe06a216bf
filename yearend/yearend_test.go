package yearend_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
	"github.com/munimhq/munim/yearend"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

type bundle struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	ledger  *ledger.Ledger
	reports *reports.Service
	yearend *yearend.Service
}

// setup gives a test its own database with one tenant whose FY 2025-26 and
// FY 2026-27 are open, and 2025-26's books posted (postYear).
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun Municipal Corporation", 2026, "test")
	require.NoError(t, err)
	l := ledger.New(pool, ledger.Config{})
	_, err = l.OpenFiscalYear(ctx, tenant, 2025, "test")
	require.NoError(t, err)
	b := bundle{ctx: ctx, pool: pool, ledger: l, reports: reports.NewService(pool, l), yearend: yearend.NewService(pool, l)}
	postYear(t, b)
	return b
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func line(account, fund, function, debit, credit string) ledger.Line {
	return ledger.Line{AccountCode: account, FundCode: fund, FunctionCode: function, Debit: amt(debit), Credit: amt(credit)}
}

func voucher(key, date, narration string, lines ...ledger.Line) ledger.Voucher {
	return ledger.Voucher{Type: ledger.Journal, Date: day(date), Narration: narration, IdempotencyKey: key, Lines: lines}
}

// postYear posts 2025-26: fund 01 earns 90,000.00 of property tax and
// spends 25,000.00 on salaries (surplus 65,000.00); fund 02 receives a
// grant (no income) and spends 3,000.50 on electricity (deficit); and one
// April 2026 demand in the next year. The year's surplus is 61,999.50.
func postYear(t *testing.T, b bundle) {
	t.Helper()
	_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{
		voucher("a", "2025-06-10", "PT demand 2025-26", line("4311001", "01", "9091", "100000.00", "0"),
			line("1100101", "01", "9091", "0", "90000.00"), line("3503001", "01", "9091", "0", "10000.00")),
		voucher("b", "2025-07-15", "PT collected", line("4501001", "01", "9091", "60000.00", "0"), line("4311001", "01", "9091", "0", "60000.00")),
		voucher("c", "2025-08-31", "salaries", line("2101001", "01", "0001", "25000.00", "0"), line("4501001", "01", "0001", "0", "25000.00")),
		voucher("d", "2025-09-01", "grant", line("4502101", "02", "0001", "500000.00", "0"), line("3201001", "02", "0001", "0", "500000.00")),
		voucher("e", "2025-10-01", "electricity", line("2201101", "02", "0001", "3000.50", "0"), line("4502101", "02", "0001", "0", "3000.50")),
		voucher("f", "2026-04-20", "PT demand 2026-27", line("4311001", "01", "9091", "120000.00", "0"), line("1100101", "01", "9091", "0", "120000.00")),
	})
	require.NoError(t, err)
}

func fyEnd() reports.Request { return reports.Request{TenantID: tenant, FiscalYear: 2025} }

func municipalFund(t *testing.T, bs reports.BalanceSheet) reports.Schedule {
	t.Helper()
	sc, ok := bs.Schedule("B-1")
	require.True(t, ok, "B-1 has rows")
	return sc
}

func TestCloseYearPostsTheSurplusToTheMunicipalFundAndKeepsTheStatements(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ieBefore, err := b.reports.IncomeExpenditure(b.ctx, fyEnd())
	require.NoError(t, err)
	require.Equal(t, "61999.50", ieBefore.SurplusCarriedToFund.Current.StringFixed(2))
	bsBefore, err := b.reports.BalanceSheet(b.ctx, fyEnd())
	require.NoError(t, err)
	require.True(t, bsBefore.Balanced())
	require.Equal(t, "income_expenditure", municipalFund(t, bsBefore).Rows[0].DerivedFrom, "before the close B-1 shows the surplus as derived")

	c, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
	require.NoError(t, err)
	require.Len(t, c.Vouchers, 2)
	assert.Equal(t, "61999.50", c.Surplus.StringFixed(2))
	assert.Equal(t, "65000.00", c.SurplusByFund["01"].StringFixed(2))
	assert.Equal(t, "-3000.50", c.SurplusByFund["02"].StringFixed(2))
	assert.False(t, c.NextYearOpened, "2026-27 was open already")
	for _, v := range c.Vouchers {
		assert.Equal(t, day("2026-03-31"), v.Date)
		assert.Equal(t, 2025, v.FiscalYear)
	}

	t.Run("the closed year's income and expenditure reads as before", func(t *testing.T) {
		ie, err := b.reports.IncomeExpenditure(b.ctx, fyEnd())
		require.NoError(t, err)
		assert.Equal(t, ieBefore.TotalIncome.Amounts, ie.TotalIncome.Amounts)
		assert.Equal(t, ieBefore.TotalExpenditure.Amounts, ie.TotalExpenditure.Amounts)
		assert.Equal(t, "61999.50", ie.SurplusCarriedToFund.Current.StringFixed(2))
	})
	t.Run("the next year's comparative shows the closed year", func(t *testing.T) {
		ie, err := b.reports.IncomeExpenditure(b.ctx, reports.Request{TenantID: tenant, FiscalYear: 2026})
		require.NoError(t, err)
		assert.Equal(t, "61999.50", ie.SurplusCarriedToFund.Previous.StringFixed(2))
		assert.Equal(t, "120000.00", ie.SurplusCarriedToFund.Current.StringFixed(2))
	})
	t.Run("the balance sheet balances and B-1 holds the surplus in the fund", func(t *testing.T) {
		bs, err := b.reports.BalanceSheet(b.ctx, fyEnd())
		require.NoError(t, err)
		require.True(t, bs.Balanced(), "assets %v, liabilities %v", bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
		assert.Equal(t, bsBefore.TotalAssets.Amounts, bs.TotalAssets.Amounts)
		sc := municipalFund(t, bs)
		require.Len(t, sc.Rows, 1, "no derived surplus row once closed")
		assert.Equal(t, yearend.MunicipalFundAccount, sc.Rows[0].AccountCode)
		assert.Equal(t, "61999.50", sc.Rows[0].Current.StringFixed(2))
		assert.Equal(t, municipalFund(t, bsBefore).Total.Current, sc.Total.Current, "B-1 grew by the surplus")
	})
	t.Run("the cash flow is not moved by the close", func(t *testing.T) {
		cf, err := b.reports.CashFlow(b.ctx, fyEnd())
		require.NoError(t, err)
		assert.Equal(t, "61999.50", cf.Operating[0].Current.StringFixed(2))
		assert.True(t, cf.NetChange.Current.Equal(cf.Closing.Current.Sub(cf.Opening.Current)))
	})
	t.Run("the next year opens with the balance-sheet heads only", func(t *testing.T) {
		tb, err := b.ledger.TrialBalance(b.ctx, tenant, day("2026-04-30"), "")
		require.NoError(t, err)
		bs, err := b.reports.BalanceSheet(b.ctx, fyEnd())
		require.NoError(t, err)
		opening := map[string]decimal.Decimal{}
		for _, r := range tb.Rows {
			if !r.Opening.IsZero() {
				opening[r.AccountCode] = r.Opening
			}
		}
		closing := map[string]decimal.Decimal{}
		for _, sc := range bs.Schedules {
			for _, r := range sc.Rows {
				if sc.Code[0] == 'B' && r.AccountCode != "" {
					v := r.Current
					if isLiability(sc.MajorHead) {
						v = v.Neg()
					}
					closing[r.AccountCode] = v
				}
			}
		}
		assert.Equal(t, len(closing), len(opening), "opening %v, closing %v", opening, closing)
		for code, v := range closing {
			assert.Equal(t, v.StringFixed(2), opening[code].StringFixed(2), "opening of %s", code)
		}
		for _, code := range []string{"1100101", "2101001", "2201101", yearend.SurplusAccount} {
			assert.True(t, opening[code].IsZero(), "%s carries nothing forward", code)
		}
	})
	t.Run("posting into the closed year is refused", func(t *testing.T) {
		_, err := b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{voucher("late", "2025-12-01", "late entry",
			line("2101001", "01", "0001", "10.00", "0"), line("4501001", "01", "0001", "0", "10.00"))})
		require.ErrorIs(t, err, ledger.ErrPeriodClosed)
	})
	t.Run("closing the year twice is refused", func(t *testing.T) {
		_, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
		require.ErrorIs(t, err, yearend.ErrYearState)
	})
	t.Run("the periods are closed", func(t *testing.T) {
		ps, err := b.ledger.Periods(b.ctx, tenant, 2025)
		require.NoError(t, err)
		for _, p := range ps {
			assert.True(t, p.Closed, "period %d", p.Period)
		}
	})
}

func isLiability(major string) bool { return major[0] == '3' }

func TestCloseYearRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		prepare func(t *testing.T, b bundle)
		fy      int
		actor   string
		wantIs  error
	}{
		{name: "a later year waits for the earlier open year", fy: 2026, actor: "approver", wantIs: yearend.ErrYearState},
		{name: "a year never opened is not found", fy: 2030, actor: "approver", wantIs: ledger.ErrNotFound},
		{name: "drafts waiting for approval keep the year open", fy: 2025, actor: "approver", wantIs: yearend.ErrYearState,
			prepare: func(t *testing.T, b bundle) {
				_, err := b.ledger.SaveDrafts(b.ctx, tenant, "clerk", []ledger.Voucher{voucher("draft", "2026-02-10", "accrual",
					line("2101001", "01", "0001", "10.00", "0"), line("3501003", "01", "0001", "0", "10.00"))})
				require.NoError(t, err)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			if tc.prepare != nil {
				tc.prepare(t, b)
			}
			_, err := b.yearend.CloseYear(b.ctx, tenant, tc.fy, tc.actor)
			require.ErrorIs(t, err, tc.wantIs)
			ps, err := b.ledger.Periods(b.ctx, tenant, 2025)
			require.NoError(t, err)
			assert.False(t, ps[11].Closed, "nothing half-done: March 2026 still open")
		})
	}
	t.Run("an actor is required", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.yearend.CloseYear(b.ctx, tenant, 2025, " ")
		var ve *ledger.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "actor", ve.Violations[0].Field)
	})
}

func TestCloseYearWithMarchAlreadyClosedKeepsThePeriodTrail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.ClosePeriod(b.ctx, tenant, 2025, 12, "accountant", "March books done")
	require.NoError(t, err)
	c, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
	require.NoError(t, err)
	require.Len(t, c.Vouchers, 2)
	var events int
	require.NoError(t, db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT count(*) FROM period_events WHERE tenant_id = $1 AND fiscal_year = 2025 AND period = 12`, tenant).Scan(&events)
	}))
	assert.Equal(t, 1, events, "March's own close stands; the year-end close adds no second one")
}

func TestReopenYearReversesTheCloseAndLeavesATrail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
	require.NoError(t, err)

	_, err = b.yearend.ReopenYear(b.ctx, tenant, 2025, "approver", "")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve, "a reason is required")
	assert.Equal(t, "reason", ve.Violations[0].Field)

	r, err := b.yearend.ReopenYear(b.ctx, tenant, 2025, "approver", "audit para 12: salaries of March missed")
	require.NoError(t, err)
	require.Len(t, r.Reversals, 2)
	reversed := map[int64]bool{}
	for _, v := range r.Reversals {
		reversed[v.ReversesID] = true
		assert.Equal(t, day("2026-03-31"), v.Date)
	}
	for _, v := range c.Vouchers {
		assert.True(t, reversed[v.ID], "closing voucher %s reversed", v.Number)
	}

	bs, err := b.reports.BalanceSheet(b.ctx, fyEnd())
	require.NoError(t, err)
	require.True(t, bs.Balanced())
	sc := municipalFund(t, bs)
	require.Len(t, sc.Rows, 1)
	assert.Equal(t, "income_expenditure", sc.Rows[0].DerivedFrom, "the surplus is unclosed again")
	assert.Equal(t, "61999.50", sc.Rows[0].Current.StringFixed(2))
	ie, err := b.reports.IncomeExpenditure(b.ctx, fyEnd())
	require.NoError(t, err)
	assert.Equal(t, "61999.50", ie.SurplusCarriedToFund.Current.StringFixed(2))

	// The missed salaries go in, and the year closes again with them.
	_, err = b.ledger.Post(b.ctx, tenant, "test", []ledger.Voucher{voucher("march-salaries", "2026-03-31", "March salaries",
		line("2101001", "01", "0001", "1999.50", "0"), line("4501001", "01", "0001", "0", "1999.50"))})
	require.NoError(t, err)
	again, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
	require.NoError(t, err)
	assert.Equal(t, 2, again.Attempt)
	assert.Equal(t, "60000.00", again.Surplus.StringFixed(2))
	bs, err = b.reports.BalanceSheet(b.ctx, fyEnd())
	require.NoError(t, err)
	require.True(t, bs.Balanced())
	sc = municipalFund(t, bs)
	require.Len(t, sc.Rows, 1)
	assert.Equal(t, "60000.00", sc.Rows[0].Current.StringFixed(2))
	ie, err = b.reports.IncomeExpenditure(b.ctx, fyEnd())
	require.NoError(t, err)
	assert.Equal(t, "60000.00", ie.SurplusCarriedToFund.Current.StringFixed(2), "the reversed first close is left out too")

	events, err := b.yearend.Events(b.ctx, tenant, 2025)
	require.NoError(t, err)
	require.Len(t, events, 3)
	assert.Equal(t, []string{"close", "reopen", "close"}, []string{events[0].Action, events[1].Action, events[2].Action})
	assert.Equal(t, "audit para 12: salaries of March missed", events[1].Reason)
	assert.Equal(t, "approver", events[1].Actor)

	t.Run("reopening a year that is not closed is refused", func(t *testing.T) {
		_, err := b.yearend.ReopenYear(b.ctx, tenant, 2026, "approver", "why not")
		require.ErrorIs(t, err, yearend.ErrYearState)
	})
}
