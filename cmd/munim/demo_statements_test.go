package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
)

// The demo ULB carries every kind of entry the other services post
// (demands and their arrears, late-payment charges, counter collections in
// every mode, advances, a cancellation, remittances, cheques realised and
// one dishonoured, grants, salaries, works): at every month end its
// balance sheet balances, for the ULB and each fund, and its cash flow and
// receipts and payments account explain the change in cash.
func TestDemoStatementsBalanceAtEveryMonthEnd(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	svc := reports.NewService(d.pool, d.app.ledger)
	for m := time.April; ; m++ {
		asOf := ledger.Date(2026, m+1, 1).AddDate(0, 0, -1)
		if asOf.After(ledger.Date(2027, time.March, 31)) {
			break
		}
		for _, fund := range []string{"", "01", "02"} {
			r := reports.Request{TenantID: demoTenant, AsOf: asOf, FundCode: fund}
			bs, err := svc.BalanceSheet(d.ctx, r)
			require.NoError(t, err)
			assert.True(t, bs.Balanced(), "%s fund %q: assets %v, liabilities %v", asOf.Format(time.DateOnly), fund, bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
			cf, err := svc.CashFlow(d.ctx, r)
			require.NoError(t, err)
			assert.True(t, cf.Reconciles(), "cash flow %s fund %q", asOf.Format(time.DateOnly), fund)
		}
		rp, err := svc.ReceiptsPayments(d.ctx, reports.Request{TenantID: demoTenant, AsOf: asOf})
		require.NoError(t, err)
		assert.True(t, rp.Reconciles(), "receipts and payments %s", asOf.Format(time.DateOnly))
	}
	bs, err := svc.BalanceSheet(d.ctx, reports.Request{TenantID: demoTenant, AsOf: ledger.Date(2026, time.November, 30)})
	require.NoError(t, err)
	assert.False(t, bs.TotalAssets.Current.IsZero(), "the demo has books to balance")
}
