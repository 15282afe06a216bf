package main

import (
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	auditv1 "github.com/munimhq/munim/gen/pb/munim/audit/v1"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/yearend"
)

// The approver closes a year over RPC and reopens it with a reason; the
// accountant may do neither; both calls are in the audit log.
func TestYearEndOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	amount := decimal.RequireFromString
	_, err := w.app.ledger.Post(w.ctx, "uk.haridwar", "test", []ledger.Voucher{{Type: ledger.Journal,
		Date: ledger.Date(2026, time.June, 10), Narration: "PT demand", IdempotencyKey: "ye-demand", Lines: []ledger.Line{
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Debit: amount("5000.00")},
			{AccountCode: "1100101", FundCode: "01", FunctionCode: "9091", Credit: amount("5000.00")},
		}}, {Type: ledger.Journal,
		Date: ledger.Date(2026, time.May, 10), Narration: "bank charges", IdempotencyKey: "ye-charges", Lines: []ledger.Line{
			{AccountCode: "2408003", FundCode: "01", FunctionCode: "0200", Debit: amount("118.00")},
			{AccountCode: "4502101", FundCode: "01", FunctionCode: "0200", Credit: amount("118.00")},
		}}})
	require.NoError(t, err)
	approver := w.reports(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.haridwar"))
	accountant := w.reports(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.haridwar"))

	_, err = accountant.CloseYear(w.ctx, connect.NewRequest(&reportsv1.CloseYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026}))
	require.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)

	closed, err := approver.CloseYear(w.ctx, connect.NewRequest(&reportsv1.CloseYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026}))
	require.NoError(t, err)
	assert.Equal(t, "4882.00", closed.Msg.Surplus)
	assert.Len(t, closed.Msg.VoucherNumbers, 2)
	require.Len(t, closed.Msg.SurplusByFund, 1)
	assert.Equal(t, "01", closed.Msg.SurplusByFund[0].FundCode)
	assert.True(t, closed.Msg.NextYearOpened, "2027-28 opened for the carried-forward balances")
	assert.Equal(t, "0.00", closed.Msg.ProvisionRequired, "no demands, no provision")
	assert.Empty(t, closed.Msg.ProvisionVoucherNumber)

	_, err = approver.CloseYear(w.ctx, connect.NewRequest(&reportsv1.CloseYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "closed twice: %v", err)
	_, err = approver.ReopenYear(w.ctx, connect.NewRequest(&reportsv1.ReopenYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "no reason: %v", err)
	_, err = accountant.ReopenYear(w.ctx, connect.NewRequest(&reportsv1.ReopenYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026, Reason: "mine"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)

	reopened, err := approver.ReopenYear(w.ctx, connect.NewRequest(&reportsv1.ReopenYearRequest{TenantId: "uk.haridwar", FiscalYear: 2026,
		Reason: "auditor asked for a late accrual"}))
	require.NoError(t, err)
	assert.Len(t, reopened.Msg.ReversalNumbers, 2)
	assert.Equal(t, int32(1), reopened.Msg.Attempt)

	events, err := w.audit(token(t, "state", []auth.Role{auth.RoleAuditor}, "uk.*")).ListEvents(w.ctx,
		connect.NewRequest(&auditv1.ListEventsRequest{TenantId: "uk.haridwar"}))
	require.NoError(t, err)
	var got []string
	for _, e := range events.Msg.Events {
		got = append(got, fmt.Sprintf("%s %s %s", e.Principal, e.Procedure, e.Code))
	}
	assert.Contains(t, got, "user:meena /munim.reports.v1.ReportService/CloseYear ok")
	assert.Contains(t, got, "user:meena /munim.reports.v1.ReportService/ReopenYear ok")
	assert.Contains(t, got, "user:ravi /munim.reports.v1.ReportService/ReopenYear permission_denied")
}

// The demo closes 2025-26 before this year's collections: the year is
// locked, its balance sheet balances with the surplus in the municipal
// fund, its I&E still reads as earned, and its unpaid property tax sits in
// arrears (4311004), which this year's collections credit.
func TestDemoClosesTheYearBefore(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	closed, err := yearend.NewService(d.pool, d.app.ledger).Closed(d.ctx, demoTenant, demoFY-1)
	require.NoError(t, err)
	require.True(t, closed)
	svc := reports.NewService(d.pool, d.app.ledger)
	last := reports.Request{TenantID: demoTenant, FiscalYear: demoFY - 1}
	bs, err := svc.BalanceSheet(d.ctx, last)
	require.NoError(t, err)
	assert.True(t, bs.Balanced())
	b1, ok := bs.Schedule("B-1")
	require.True(t, ok)
	for _, r := range b1.Rows {
		assert.Empty(t, r.DerivedFrom, "no unclosed surplus in a closed year: %+v", r)
	}
	ie, err := svc.IncomeExpenditure(d.ctx, last)
	require.NoError(t, err)
	assert.True(t, ie.TotalIncome.Current.IsPositive(), "the year's property tax is still its income")
	assert.Equal(t, ie.SurplusCarriedToFund.Current.StringFixed(2), b1.Total.Current.StringFixed(2), "B-1 is the year's surplus")
	tb, err := d.app.ledger.TrialBalance(d.ctx, demoTenant, ledger.Date(demoFY, time.November, 30), "")
	require.NoError(t, err)
	var arrears ledger.TrialBalanceRow
	for _, r := range tb.Rows {
		if r.AccountCode == "4311004" {
			arrears = r
		}
	}
	assert.True(t, arrears.Opening.IsPositive(), "2025-26's unpaid tax opens this year as arrears")
	assert.True(t, arrears.Credit.IsPositive(), "this year's collections of it credit the arrears head")
}

// The approver sets the provision rates per age band (a rate above 1 is
// refused naming its band) and runs the provisions alone, which use them;
// the accountant may do neither.
func TestProvisionsOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	approver := w.reports(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.haridwar"))
	accountant := w.reports(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.haridwar"))

	_, err := approver.SetProvisionRates(w.ctx, connect.NewRequest(&reportsv1.SetProvisionRatesRequest{TenantId: "uk.haridwar",
		Rates: []string{"0", "0.2", "0.5", "1.5"}}))
	require.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "%v", err)
	assert.Contains(t, err.Error(), "rates[3]")
	_, err = approver.SetProvisionRates(w.ctx, connect.NewRequest(&reportsv1.SetProvisionRatesRequest{TenantId: "uk.haridwar",
		Rates: []string{"0", "0.2"}}))
	require.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "four bands: %v", err)
	_, err = accountant.SetProvisionRates(w.ctx, connect.NewRequest(&reportsv1.SetProvisionRatesRequest{TenantId: "uk.haridwar",
		Rates: []string{"0", "0.2", "0.5", "1"}}))
	require.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)

	set, err := approver.SetProvisionRates(w.ctx, connect.NewRequest(&reportsv1.SetProvisionRatesRequest{TenantId: "uk.haridwar",
		Rates: []string{"0", "0.2", "0.5", "1"}}))
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "0.2", "0.5", "1"}, set.Msg.Rates)
	run, err := approver.RunProvisions(w.ctx, connect.NewRequest(&reportsv1.RunProvisionsRequest{TenantId: "uk.haridwar", FiscalYear: 2026}))
	require.NoError(t, err)
	assert.Equal(t, []string{"0", "0.2", "0.5", "1"}, run.Msg.Rates, "the run uses the rates set")
	assert.Equal(t, "0.00", run.Msg.Required, "no dues, no provision")
	assert.Empty(t, run.Msg.VoucherNumber)
}
