package main

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/ledger"
)

func (w world) reports(cred string) reportsv1connect.ReportServiceClient {
	return reportsv1connect.NewReportServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// A state auditor reads any ULB of the state's statements, balanced, drills
// a figure to its vouchers, and is told plainly what it asked wrongly.
func TestStatementsOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	_, err := w.app.ledger.Post(w.ctx, "uk.haridwar", "test", []ledger.Voucher{{Type: ledger.Journal,
		Date: ledger.Date(2026, time.May, 10), Narration: "bank charges", IdempotencyKey: "rpc-bs", Lines: []ledger.Line{
			{AccountCode: "2408003", FundCode: "01", FunctionCode: "0200", Debit: decimal.RequireFromString("118.00")},
			{AccountCode: "4502101", FundCode: "01", FunctionCode: "0200", Credit: decimal.RequireFromString("118.00")},
		}}})
	require.NoError(t, err)

	auditor := w.reports(token(t, "state-auditor", []auth.Role{auth.RoleAuditor}, "uk.*"))
	res, err := auditor.GetBalanceSheet(w.ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: "uk.haridwar",
		Period: &reportsv1.StatementPeriod{AsOf: "2026-05-31"}}))
	require.NoError(t, err)
	bs := res.Msg.BalanceSheet
	assert.True(t, bs.Balanced)
	assert.Equal(t, "-118.00", bs.TotalAssets.Current)
	assert.Equal(t, bs.TotalAssets.Current, bs.TotalLiabilities.Current)
	require.NotEmpty(t, bs.Schedules)
	assert.Equal(t, "B-1", bs.Schedules[0].Code)

	ie, err := auditor.GetIncomeExpenditure(w.ctx, connect.NewRequest(&reportsv1.GetIncomeExpenditureRequest{TenantId: "uk.haridwar",
		Period: &reportsv1.StatementPeriod{FiscalYear: 2026}}))
	require.NoError(t, err)
	assert.Equal(t, "118.00", ie.Msg.IncomeExpenditure.TotalExpenditure.Current)
	assert.Equal(t, "-118.00", ie.Msg.IncomeExpenditure.SurplusCarriedToFund.Current)

	rp, err := auditor.GetReceiptsPayments(w.ctx, connect.NewRequest(&reportsv1.GetReceiptsPaymentsRequest{TenantId: "uk.haridwar",
		Period: &reportsv1.StatementPeriod{AsOf: "2026-05-31"}}))
	require.NoError(t, err)
	assert.Equal(t, "118.00", rp.Msg.ReceiptsPayments.TotalPayments.Current)
	assert.Equal(t, "-118.00", rp.Msg.ReceiptsPayments.Closing.Current)
	cf, err := auditor.GetCashFlow(w.ctx, connect.NewRequest(&reportsv1.GetCashFlowRequest{TenantId: "uk.haridwar",
		Period: &reportsv1.StatementPeriod{AsOf: "2026-05-31"}}))
	require.NoError(t, err)
	assert.Equal(t, "-118.00", cf.Msg.CashFlow.NetChange.Current)

	x, err := auditor.ExportReport(w.ctx, connect.NewRequest(&reportsv1.ExportReportRequest{TenantId: "uk.haridwar",
		Period: &reportsv1.StatementPeriod{AsOf: "2026-05-31"}, Kind: reportsv1.ReportKind_REPORT_KIND_BALANCE_SHEET,
		Format: reportsv1.ExportFormat_EXPORT_FORMAT_XLSX}))
	require.NoError(t, err)
	assert.Equal(t, "uk.haridwar-balance_sheet-2026-05-31.xlsx", x.Msg.FileName)
	assert.Equal(t, "PK", string(x.Msg.Content[:2]), "a zip, as XLSX is")

	gl, err := auditor.GetRegister(w.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: "uk.haridwar",
		Kind: reportsv1.RegisterKind_REGISTER_KIND_GENERAL_LEDGER, AccountCode: "2408003", From: "2026-04-01", To: "2026-05-31"}))
	require.NoError(t, err)
	require.Len(t, gl.Msg.GetGeneralLedger().Entries, 1)
	assert.Equal(t, "bank charges", gl.Msg.GetGeneralLedger().Entries[0].Narration)

	bank, err := auditor.GetRegister(w.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: "uk.haridwar",
		Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK, AccountCode: "4502101", From: "2026-04-01", To: "2026-05-31"}))
	require.NoError(t, err)
	require.Len(t, bank.Msg.GetTable().Ties, 1)
	assert.True(t, bank.Msg.GetTable().Ties[0].Tied)
	assert.Equal(t, "-118.00", bank.Msg.GetTable().Ties[0].Ledger, "the bank charges")

	cases := []struct {
		rule string
		call func() error
		code connect.Code
	}{
		{"a date inside a month is refused", func() error {
			_, err := auditor.GetBalanceSheet(w.ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: "uk.haridwar",
				Period: &reportsv1.StatementPeriod{AsOf: "2026-05-15"}}))
			return err
		}, connect.CodeInvalidArgument},
		{"a year not opened is a precondition", func() error {
			_, err := auditor.GetBalanceSheet(w.ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: "uk.haridwar",
				Period: &reportsv1.StatementPeriod{FiscalYear: 2030}}))
			return err
		}, connect.CodeFailedPrecondition},
		{"another state is out of the auditor's scope", func() error {
			_, err := auditor.GetBalanceSheet(w.ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: "mh.pune",
				Period: &reportsv1.StatementPeriod{FiscalYear: 2026}}))
			return err
		}, connect.CodePermissionDenied},
		{"audit controls need a date", func() error {
			_, err := auditor.GetAuditControls(w.ctx, connect.NewRequest(&reportsv1.GetAuditControlsRequest{TenantId: "uk.haridwar"}))
			return err
		}, connect.CodeInvalidArgument},
		{"a bank book without its bank head is refused", func() error {
			_, err := auditor.GetRegister(w.ctx, connect.NewRequest(&reportsv1.GetRegisterRequest{TenantId: "uk.haridwar",
				Kind: reportsv1.RegisterKind_REGISTER_KIND_BANK_BOOK, From: "2026-04-01", To: "2026-05-31"}))
			return err
		}, connect.CodeInvalidArgument},
		{"an export of a statement and a register at once is refused", func() error {
			_, err := auditor.ExportReport(w.ctx, connect.NewRequest(&reportsv1.ExportReportRequest{TenantId: "uk.haridwar",
				Period: &reportsv1.StatementPeriod{AsOf: "2026-05-31"}, Kind: reportsv1.ReportKind_REPORT_KIND_BALANCE_SHEET,
				Format: reportsv1.ExportFormat_EXPORT_FORMAT_CSV, Register: &reportsv1.GetRegisterRequest{TenantId: "uk.haridwar",
					Kind: reportsv1.RegisterKind_REGISTER_KIND_TRIAL_BALANCE, To: "2026-05-31"}}))
			return err
		}, connect.CodeInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			assert.Equal(t, c.code, connect.CodeOf(c.call()))
		})
	}
}

// The audit controls come over RPC with every check, its ties and status.
func TestAuditControlsOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	_, err := w.app.ledger.Post(w.ctx, "uk.haridwar", "test", []ledger.Voucher{{Type: ledger.Journal,
		Date: ledger.Date(2026, time.May, 10), Narration: "bank charges", IdempotencyKey: "rpc-ac", Lines: []ledger.Line{
			{AccountCode: "2408003", FundCode: "01", FunctionCode: "0200", Debit: decimal.RequireFromString("118.00")},
			{AccountCode: "4502101", FundCode: "01", FunctionCode: "0200", Credit: decimal.RequireFromString("118.00")},
		}}})
	require.NoError(t, err)
	auditor := w.reports(token(t, "state-auditor", []auth.Role{auth.RoleAuditor}, "uk.*"))
	res, err := auditor.GetAuditControls(w.ctx, connect.NewRequest(&reportsv1.GetAuditControlsRequest{TenantId: "uk.haridwar", AsOf: "2026-05-31"}))
	require.NoError(t, err)
	assert.Equal(t, reportsv1.ControlStatus_CONTROL_STATUS_OK, res.Msg.Status)
	assert.Len(t, res.Msg.Checks, 13)
	for _, c := range res.Msg.Checks {
		assert.Equal(t, reportsv1.ControlStatus_CONTROL_STATUS_OK, c.Status, "%s: %s", c.Name, c.Summary)
		if c.Name == "hash_chain" {
			assert.Equal(t, "1 vouchers checked, the chain is intact", c.Summary)
		}
		if c.Name == "cash_book" {
			require.Len(t, c.Ties, 2)
			assert.Equal(t, "0.00", c.Ties[0].Difference)
		}
	}
	_, err = auditor.GetAuditControls(w.ctx, connect.NewRequest(&reportsv1.GetAuditControlsRequest{TenantId: "mh.pune", AsOf: "2026-05-31"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))
}
