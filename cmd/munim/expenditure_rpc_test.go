package main

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	budgetv1 "github.com/munimhq/munim/gen/pb/munim/budget/v1"
	expenditurev1 "github.com/munimhq/munim/gen/pb/munim/expenditure/v1"
	"github.com/munimhq/munim/gen/pb/munim/expenditure/v1/expenditurev1connect"
)

func (w world) expenditure(cred string) expenditurev1connect.ExpenditureServiceClient {
	return expenditurev1connect.NewExpenditureServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// supplierBill is a sanitation-material bill of amount from SUP-1 (head
// 2302001, function 4000, fund 01) under key.
func supplierBill(key, amount string) *expenditurev1.SubmitBillRequest {
	return &expenditurev1.SubmitBillRequest{TenantId: "uk.dehradun", PartyCode: "SUP-1", PartyBillNumber: "INV-" + key, Date: "2026-06-05",
		Narration: "bleaching powder", FundCode: "01", IdempotencyKey: key,
		Lines:      []*expenditurev1.BillLine{{AccountCode: "2302001", FunctionCode: "4000", Amount: amount}},
		Deductions: []*expenditurev1.Deduction{{Kind: "tds", Amount: "10.00"}}}
}

// submittedBill saves supplier SUP-1 and submits a bill of 500 as an
// accountant of uk.dehradun, returning its id.
func submittedBill(t *testing.T, w world, key string) int64 {
	t.Helper()
	c := w.expenditure(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	_, err := c.SaveParty(w.ctx, connect.NewRequest(&expenditurev1.SavePartyRequest{TenantId: "uk.dehradun",
		Party: &expenditurev1.Party{Code: "SUP-1", Name: "Doon Chemicals", Kind: "supplier"}}))
	require.NoError(t, err)
	res, err := c.SubmitBill(w.ctx, connect.NewRequest(supplierBill(key, "500.00")))
	require.NoError(t, err)
	return res.Msg.Bill.Id
}

// Over RPC: a bill's maker may not approve it; a bill beyond a block-mode
// line is FailedPrecondition naming the line; an approved bill is paid and
// the party's balance and ageing follow.
func TestExpenditureOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	id := submittedBill(t, w, "b-1")
	both := w.expenditure(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleApprover}, "uk.dehradun"))
	_, err := both.ApproveBill(w.ctx, connect.NewRequest(&expenditurev1.ApproveBillRequest{TenantId: "uk.dehradun", BillId: id}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)

	approver := w.expenditure(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun"))
	approved, err := approver.ApproveBill(w.ctx, connect.NewRequest(&expenditurev1.ApproveBillRequest{TenantId: "uk.dehradun", BillId: id}))
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Msg.Bill.Status)
	assert.Equal(t, "490.00", approved.Msg.Bill.Net)

	// A block line of 1,000 on the head: 1,000.01 more is refused.
	admin := w.budget(token(t, "asha", []auth.Role{auth.RoleAdmin}, "uk.dehradun"))
	line, err := admin.CreateBudgetLine(w.ctx, connect.NewRequest(&budgetv1.CreateBudgetLineRequest{TenantId: "uk.dehradun", FiscalYear: 2026,
		HeadCode: "23020", FunctionCode: "4000", FundCode: "01", Name: "Bulk purchases", Control: "block"}))
	require.NoError(t, err)
	e, err := admin.DraftEstimate(w.ctx, connect.NewRequest(&budgetv1.DraftEstimateRequest{TenantId: "uk.dehradun", FiscalYear: 2026,
		Kind: "supplementary", Reference: "monsoon stock", Amounts: []*budgetv1.EstimateAmount{{LineId: line.Msg.Line.Id, Amount: "1000"}}}))
	require.NoError(t, err)
	_, err = admin.SubmitEstimate(w.ctx, connect.NewRequest(&budgetv1.SubmitEstimateRequest{TenantId: "uk.dehradun", EstimateId: e.Msg.Estimate.Id}))
	require.NoError(t, err)
	_, err = w.budget(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun")).ApproveEstimate(w.ctx,
		connect.NewRequest(&budgetv1.ApproveEstimateRequest{TenantId: "uk.dehradun", EstimateId: e.Msg.Estimate.Id}))
	require.NoError(t, err)
	accountant := w.expenditure(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	over, err := accountant.SubmitBill(w.ctx, connect.NewRequest(supplierBill("b-2", "1000.01")))
	require.NoError(t, err)
	_, err = approver.ApproveBill(w.ctx, connect.NewRequest(&expenditurev1.ApproveBillRequest{TenantId: "uk.dehradun", BillId: over.Msg.Bill.Id}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)
	assert.Contains(t, err.Error(), "23020/4000/01")
	assert.Contains(t, err.Error(), "short by 0.01")

	_, err = accountant.PayBill(w.ctx, connect.NewRequest(&expenditurev1.PayBillRequest{TenantId: "uk.dehradun", BillId: id, Date: "2026-06-20",
		Amount: "490.00", Mode: "neft", InstrumentRef: "UTR SBIN26061", IdempotencyKey: "pay-1"}))
	require.NoError(t, err)
	bill, err := accountant.GetBill(w.ctx, connect.NewRequest(&expenditurev1.GetBillRequest{TenantId: "uk.dehradun", BillId: id}))
	require.NoError(t, err)
	require.Len(t, bill.Msg.Bill.Payments, 1)
	assert.Equal(t, "490.00", bill.Msg.Bill.Paid)
	bal, err := w.expenditure(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.*")).GetPartyBalances(w.ctx,
		connect.NewRequest(&expenditurev1.GetPartyBalancesRequest{TenantId: "uk.dehradun", AsOf: "2026-06-30"}))
	require.NoError(t, err)
	require.Len(t, bal.Msg.Balances, 1)
	assert.Equal(t, "0.00", bal.Msg.Balances[0].Outstanding)
}
