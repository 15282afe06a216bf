package main

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	budgetv1 "github.com/munimhq/munim/gen/pb/munim/budget/v1"
	"github.com/munimhq/munim/gen/pb/munim/budget/v1/budgetv1connect"
)

func (w world) budget(cred string) budgetv1connect.BudgetServiceClient {
	return budgetv1connect.NewBudgetServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// budgetLines creates, as an accountant of uk.dehradun, a revenue line
// (street-light power, block) and a capital line (road works CWIP, warn)
// and submits a BE of 100,000 and 500,000 for them; it returns the line ids
// and the submitted estimate's id.
func budgetLines(t *testing.T, w world) (revenue, capital, estimate int64) {
	t.Helper()
	c := w.budget(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	mk := func(head, fn, control string) int64 {
		res, err := c.CreateBudgetLine(w.ctx, connect.NewRequest(&budgetv1.CreateBudgetLineRequest{TenantId: "uk.dehradun", FiscalYear: 2026,
			HeadCode: head, FunctionCode: fn, FundCode: "01", Name: "line " + head, Control: control}))
		require.NoError(t, err)
		return res.Msg.Line.Id
	}
	revenue, capital = mk("2301001", "2030", "block"), mk("4120041", "2010", "warn")
	e, err := c.DraftEstimate(w.ctx, connect.NewRequest(&budgetv1.DraftEstimateRequest{TenantId: "uk.dehradun", FiscalYear: 2026, Kind: "be",
		Reference: "Board resolution 12", Amounts: []*budgetv1.EstimateAmount{{LineId: revenue, Amount: "100000"}, {LineId: capital, Amount: "500000"}}}))
	require.NoError(t, err)
	_, err = c.SubmitEstimate(w.ctx, connect.NewRequest(&budgetv1.SubmitEstimateRequest{TenantId: "uk.dehradun", EstimateId: e.Msg.Estimate.Id}))
	require.NoError(t, err)
	return revenue, capital, e.Msg.Estimate.Id
}

// Over RPC: the drafter may not approve the BE, whatever roles they hold;
// another approver may; an order beyond a block line is FailedPrecondition
// naming the line; capital budget may not be re-appropriated to revenue;
// the report shows the year.
func TestBudgetOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	revenue, capital, estimate := budgetLines(t, w)
	both := w.budget(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleApprover}, "uk.dehradun"))
	_, err := both.ApproveEstimate(w.ctx, connect.NewRequest(&budgetv1.ApproveEstimateRequest{TenantId: "uk.dehradun", EstimateId: estimate}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)

	approver := w.budget(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun"))
	approved, err := approver.ApproveEstimate(w.ctx, connect.NewRequest(&budgetv1.ApproveEstimateRequest{TenantId: "uk.dehradun", EstimateId: estimate}))
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Msg.Estimate.Status)
	assert.Equal(t, "600000.00", approved.Msg.Estimate.Total)

	accountant := w.budget(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	_, err = accountant.CreateCommitment(w.ctx, connect.NewRequest(&budgetv1.CreateCommitmentRequest{TenantId: "uk.dehradun", LineId: revenue,
		Kind: "purchase_order", Reference: "PO/1", Date: "2026-05-01", Amount: "100000.01", IdempotencyKey: "po-1"}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)
	assert.Contains(t, err.Error(), "2301001/2030/01")
	assert.Contains(t, err.Error(), "short by 0.01")
	warned, err := accountant.CreateCommitment(w.ctx, connect.NewRequest(&budgetv1.CreateCommitmentRequest{TenantId: "uk.dehradun", LineId: capital,
		Kind: "work_order", Reference: "WO/1", Date: "2026-05-01", Amount: "500000.50", IdempotencyKey: "wo-1"}))
	require.NoError(t, err)
	require.Len(t, warned.Msg.Flags, 1)
	assert.Equal(t, "0.50", warned.Msg.Flags[0].Shortfall)

	_, err = approver.Reappropriate(w.ctx, connect.NewRequest(&budgetv1.ReappropriateRequest{TenantId: "uk.dehradun", FromLineId: capital,
		ToLineId: revenue, Amount: "1000", SanctionNumber: "EO/1", SanctionDate: "2026-06-01", Reason: "x", IdempotencyKey: "r-1"}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)
	moved, err := approver.Reappropriate(w.ctx, connect.NewRequest(&budgetv1.ReappropriateRequest{TenantId: "uk.dehradun", FromLineId: revenue,
		ToLineId: capital, Amount: "1000", SanctionNumber: "EO/2", SanctionDate: "2026-06-01", Reason: "road repairs", IdempotencyKey: "r-2"}))
	require.NoError(t, err)
	assert.Equal(t, "user:meena", moved.Msg.Reappropriation.SanctionedBy)

	rep, err := w.budget(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.*")).GetBudgetVsActual(w.ctx,
		connect.NewRequest(&budgetv1.GetBudgetVsActualRequest{TenantId: "uk.dehradun", FiscalYear: 2026}))
	require.NoError(t, err)
	assert.Equal(t, "600000.00", rep.Msg.Total.Be)
	assert.Equal(t, "500000.50", rep.Msg.Total.Committed)
	assert.Equal(t, "99999.50", rep.Msg.Total.Available)
}
