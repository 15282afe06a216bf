package reports_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
)

func TestReceiptsPaymentsClassifiesCashByTheOtherSide(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	rp, err := b.reports.ReceiptsPayments(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	require.True(t, rp.Reconciles(), "opening %v + %v - %v = closing %v", rp.Opening.Amounts, rp.TotalReceipts.Amounts, rp.TotalPayments.Amounts, rp.Closing.Amounts)
	assertAmounts(t, both("535000.00", "0.00"), rp.Opening.Amounts, "opening cash and bank")
	assertAmounts(t, both("617000.25", "535000.00"), rp.Closing.Amounts, "closing cash and bank")
	assertAmounts(t, both("80000.25", "60000.00"), figure(t, rp.Receipts, "431").Amounts, "collections of receivables")
	assertAmounts(t, both("2000.00", "0.00"), figure(t, rp.Receipts, "350").Amounts, "advance collected")
	assertAmounts(t, both("0.00", "500000.00"), figure(t, rp.Receipts, "320").Amounts, "the scheme grant")
	assertAmounts(t, both("0.00", "25000.00"), figure(t, rp.Payments, "210").Amounts, "salaries")
	// Cash remitted to the bank and one fund's bank lending another's are
	// neither receipts nor payments.
	assertAmounts(t, both("82000.25", "560000.00"), rp.TotalReceipts.Amounts, "total receipts")
	assertAmounts(t, both("0.00", "25000.00"), rp.TotalPayments.Amounts, "total payments")

	_, err = b.reports.ReceiptsPayments(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31"), FundCode: "01"})
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve, "not drawn for one fund")
}

func TestCashFlowExplainsTheChangeInCash(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	cf, err := b.reports.CashFlow(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	require.True(t, cf.Reconciles(), "opening %v + change %v = closing %v", cf.Opening.Amounts, cf.NetChange.Amounts, cf.Closing.Amounts)
	byLabel := map[string]reports.Amounts{}
	for _, f := range append(append(cf.Operating, cf.Investing...), cf.Financing...) {
		byLabel[f.Label] = f.Amounts
	}
	cases := []struct {
		label string
		want  reports.Amounts
	}{
		{"Surplus (deficit) of income over expenditure", both("117732.61", "65000.00")},
		{"Add: depreciation (non-cash)", both("10000.00", "0.00")},
		{"Add: provisions and write-offs (non-cash)", both("1000.00", "0.00")},
		{"(Increase) decrease in receivables", both("-53300.25", "-40000.00")},
		{"Increase (decrease) in other liabilities", both("306567.89", "10000.00")},
		{"Purchase of fixed assets and capital work-in-progress", both("-300000.00", "0.00")},
		{"Grants and contributions for specific purposes", both("0.00", "500000.00")},
	}
	for _, c := range cases {
		assertAmounts(t, c.want, byLabel[c.label], c.label)
	}
	assertAmounts(t, both("382000.25", "35000.00"), cf.NetOperating.Amounts, "operating")
	assertAmounts(t, both("82000.25", "535000.00"), cf.NetChange.Amounts, "net change")

	for _, fund := range []string{"01", "02"} {
		cf, err := b.reports.CashFlow(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31"), FundCode: fund})
		require.NoError(t, err)
		assert.True(t, cf.Reconciles(), "fund %s", fund)
	}
}
