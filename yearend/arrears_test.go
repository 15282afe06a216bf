package yearend_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
	"github.com/munimhq/munim/yearend"
)

// revenueBundle is a tenant whose books hold only what billing and
// receipts posted, so the DCB ties.
type revenueBundle struct {
	ctx      context.Context
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	yearend  *yearend.Service
}

// setupRevenue opens 2025-26 and 2026-27, with the clock in May 2026, and
// raises two 2025-26 property tax demands (PT-A 12,000 with 1,000 library
// cess, PT-B 5,000) and a 2025-26 trade licence fee of 2,000; PT-A pays
// 4,000 in 2025-26.
func setupRevenue(t *testing.T) revenueBundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun Municipal Corporation", 2026, "test")
	require.NoError(t, err)
	now := ledger.Date(2026, time.March, 20)
	clock := func() time.Time { return now }
	l := ledger.New(pool, ledger.Config{Now: clock})
	_, err = l.OpenFiscalYear(ctx, tenant, 2025, "test")
	require.NoError(t, err)
	bill := billing.NewService(pool, l, clock)
	rs, err := receipts.NewService(pool, l, bill, receipts.Config{Now: clock, SigningKey: []byte("0123456789abcdef0123456789abcdef"),
		VerifyURL: "https://munim.example.in/verify/receipt"})
	require.NoError(t, err)
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "trade_licence", Code: "TL_FEE", Name: "Trade licence fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401101", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9093"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	demand := func(service, consumer string, lines ...billing.DemandLineInput) billing.DemandInput {
		return billing.DemandInput{Service: service, ConsumerCode: consumer, Ward: "W07",
			PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
			Date: ledger.Date(2025, time.April, 10), DueDate: ledger.Date(2025, time.June, 30), IdempotencyKey: consumer, Lines: lines}
	}
	head := func(h, a string) billing.DemandLineInput { return billing.DemandLineInput{Head: h, Amount: amt(a)} }
	_, err = bill.PostDemands(ctx, tenant, "test", billing.FromManual, []billing.DemandInput{
		demand("property_tax", "PT-A", head("PT", "12000.00"), head("LIB_CESS", "1000.00")),
		demand("property_tax", "PT-B", head("PT", "5000.00")),
		demand("trade_licence", "TL-1", head("TL_FEE", "2000.00")),
	})
	require.NoError(t, err)
	b := revenueBundle{ctx: ctx, ledger: l, billing: bill, receipts: rs, yearend: yearend.NewService(pool, l)}
	_, err = rs.CollectPayment(ctx, tenant, "cashier", cashPayment("pay-1", "PT-A", "4000.00"))
	require.NoError(t, err)
	now = ledger.Date(2026, time.May, 10)
	return b
}

func cashPayment(key, consumer, amount string) receipts.PaymentInput {
	return receipts.PaymentInput{IdempotencyKey: key, Mode: receipts.Cash, Amount: amt(amount), PayerName: "Meera Rawat",
		Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: consumer, Amount: amt(amount)}}}
}

// balanceOf is an account's balance (debit positive) at asOf.
func balanceOf(t *testing.T, b revenueBundle, account string, asOf time.Time) string {
	t.Helper()
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, asOf, "")
	require.NoError(t, err)
	for _, r := range tb.Rows {
		if r.AccountCode == account {
			return r.Closing.StringFixed(2)
		}
	}
	return "0.00"
}

func tiedDCB(t *testing.T, b revenueBundle) {
	t.Helper()
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	require.NotEmpty(t, ties)
	assert.True(t, ledger.Tied(ties), "DCB against ledger: %+v", ties)
}

func TestCloseMovesUnpaidPropertyTaxToArrearsAndLaterCollectionsCreditArrears(t *testing.T) {
	t.Parallel()
	b := setupRevenue(t)
	marchEnd := ledger.Date(2026, time.March, 31)
	require.Equal(t, "14000.00", balanceOf(t, b, "4311001", marchEnd), "13,000 + 5,000 - 4,000")
	tiedDCB(t, b)

	c, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
	require.NoError(t, err)
	assert.Equal(t, "14000.00", c.ArrearsMoved.StringFixed(2))
	require.Len(t, c.ArrearsVouchers, 1)
	parties := map[string]string{}
	for _, l := range c.ArrearsVouchers[0].Lines {
		if l.AccountCode == "4311004" {
			parties[l.Party] = l.Debit.StringFixed(2)
		}
	}
	assert.Equal(t, map[string]string{"PT-A": "9000.00", "PT-B": "5000.00"}, parties, "moved per consumer, the sub-ledger")
	assert.Equal(t, "0.00", balanceOf(t, b, "4311001", marchEnd))
	assert.Equal(t, "14000.00", balanceOf(t, b, "4311004", marchEnd))
	assert.Equal(t, "2000.00", balanceOf(t, b, "4313002", marchEnd), "licence fees have no arrears head: they stay")
	tiedDCB(t, b)

	// In May 2026 PT-B pays its 2025-26 dues: arrears are credited.
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "cashier", cashPayment("pay-2", "PT-B", "3000.00"))
	require.NoError(t, err)
	mayEnd := ledger.Date(2026, time.May, 31)
	assert.Equal(t, "11000.00", balanceOf(t, b, "4311004", mayEnd))
	assert.Equal(t, "0.00", balanceOf(t, b, "4311001", mayEnd), "nothing credited to the current-demand head")
	tiedDCB(t, b)

	t.Run("a demand raised later for the closed year is arrears from the start", func(t *testing.T) {
		_, err := b.billing.PostDemands(b.ctx, tenant, "test", billing.FromManual, []billing.DemandInput{{Service: "property_tax",
			ConsumerCode: "PT-C", Ward: "W07", PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
			Date: ledger.Date(2026, time.May, 5), DueDate: ledger.Date(2026, time.June, 30), IdempotencyKey: "PT-C",
			Lines: []billing.DemandLineInput{{Head: "PT", Amount: amt("700.00")}}}})
		require.NoError(t, err)
		assert.Equal(t, "11700.00", balanceOf(t, b, "4311004", mayEnd))
		assert.Equal(t, "0.00", balanceOf(t, b, "4311001", mayEnd))
		tiedDCB(t, b)
	})
	t.Run("a reopening leaves the dues in arrears and a second close moves nothing twice", func(t *testing.T) {
		_, err := b.yearend.ReopenYear(b.ctx, tenant, 2025, "approver", "late accrual")
		require.NoError(t, err)
		assert.Equal(t, "14000.00", balanceOf(t, b, "4311004", marchEnd))
		again, err := b.yearend.CloseYear(b.ctx, tenant, 2025, "approver")
		require.NoError(t, err)
		assert.True(t, again.ArrearsMoved.IsZero())
		assert.Empty(t, again.ArrearsVouchers)
		tiedDCB(t, b)
	})
}
