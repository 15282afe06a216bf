package reportstest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
)

// CheckBalancedAtEnd registers RequireBalanced as a cleanup of t, so that
// it runs once t's scenario (and its subtests) are done, before the pool
// is closed: call it right after the test database is made.
func CheckBalancedAtEnd(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	t.Cleanup(func() { RequireBalanced(t, pool) })
}

// RequireBalanced draws, for every tenant in pool's database and every
// fiscal year it has opened, the balance sheet of all its funds as at the
// year's end, and as at the end of the year's last month with postings
// when that is earlier, and fails t unless each one balances (total
// liabilities equal total assets, this year and the comparatives) with no
// inter-fund line, which across all funds would mean the books themselves
// do not sum to zero. It reports with assert, so it is safe in a cleanup.
func RequireBalanced(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	// t.Context() is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var years []dbq.FiscalYearListWithLastPostingRow
	err := db.ReadTenant(ctx, pool, db.AllTenants, func(tx pgx.Tx) error {
		var err error
		years, err = dbq.New(tx).FiscalYearListWithLastPosting(ctx)
		return err
	})
	if !assert.NoError(t, err, "reportstest: list the fiscal years") {
		return
	}
	svc := reports.NewService(pool, ledger.New(pool, ledger.Config{}))
	for _, y := range years {
		asOf := []time.Time{y.EndsOn}
		if y.LastPostedOn.Before(y.EndsOn) {
			asOf = append(asOf, y.LastPostedOn)
		}
		for _, d := range asOf {
			bs, err := svc.BalanceSheet(ctx, reports.Request{TenantID: y.TenantID, FiscalYear: int(y.FiscalYear), AsOf: d})
			if !assert.NoError(t, err, "reportstest: balance sheet of %s, FY %d, as at %s", y.TenantID, y.FiscalYear, d.Format(time.DateOnly)) {
				continue
			}
			assert.True(t, bs.Balanced(),
				"balance sheet of %s, FY %d, as at %s does not balance: total liabilities %s (previous year %s), total assets %s (previous year %s)",
				y.TenantID, y.FiscalYear, d.Format(time.DateOnly),
				bs.TotalLiabilities.Current, bs.TotalLiabilities.Previous, bs.TotalAssets.Current, bs.TotalAssets.Previous)
			if in := bs.InterFund(); !in.IsZero() {
				assert.Fail(t, "the books do not sum to zero",
					"balance sheet of %s, FY %d, as at %s, all funds: inter-fund line %s (previous year %s); total liabilities %s, total assets %s",
					y.TenantID, y.FiscalYear, d.Format(time.DateOnly), in.Current, in.Previous,
					bs.TotalLiabilities.Current, bs.TotalAssets.Current)
			}
		}
	}
}
