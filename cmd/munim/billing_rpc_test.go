package main

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	accessv1 "github.com/munimhq/munim/gen/pb/munim/access/v1"
	auditv1 "github.com/munimhq/munim/gen/pb/munim/audit/v1"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
)

func (w world) billing(cred string) billingv1connect.BillingServiceClient {
	return billingv1connect.NewBillingServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// A department app posts building-plan fees with its API key and reads them
// back as dues; the register ties to the ledger.
func TestDepartmentAppPostsFeesAndReadsDues(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	admin := token(t, "asha", []auth.Role{auth.RoleAdmin}, "uk.dehradun")
	_, err := w.billing(admin).SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{TenantId: "uk.dehradun",
		TaxHead: &billingv1.TaxHead{Service: "building_plan", Code: "BP_FEE", Name: "Building permit fee", Category: "fee",
			Priority: 40, IncomeAccount: "1401202", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9095"}}))
	require.NoError(t, err)
	// Only admins keep the masters.
	_, err = w.billing(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun")).SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{
		TenantId: "uk.dehradun", TaxHead: &billingv1.TaxHead{Service: "x_y", Code: "X", Name: "x", Category: "fee", Priority: 1,
			IncomeAccount: "1401202", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9095"}}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))

	key, err := w.keys(admin).CreateApiKey(w.ctx, connect.NewRequest(&accessv1.CreateApiKeyRequest{TenantId: "uk.dehradun",
		Name: "building plan app", Scopes: []string{"billing.demand.post", "billing.read"}}))
	require.NoError(t, err)
	app := w.billing(key.Msg.Key)

	fee := func(application, amount string) *billingv1.DemandInput {
		return &billingv1.DemandInput{Service: "building_plan", ConsumerCode: application, Ward: "W12",
			PeriodFrom: "2026-05-05", PeriodTo: "2026-05-05", Date: "2026-05-05", DueDate: "2026-06-04",
			IdempotencyKey: "bp:" + application, Lines: []*billingv1.DemandLine{{Head: "BP_FEE", Amount: amount}}}
	}
	res, err := app.PostDemands(w.ctx, connect.NewRequest(&billingv1.PostDemandsRequest{TenantId: "uk.dehradun",
		Demands: []*billingv1.DemandInput{fee("BPA-2026-001", "12500.00"), fee("BPA-2026-002", "8400.00")}}))
	require.NoError(t, err)
	require.Len(t, res.Msg.Demands, 2)
	assert.Equal(t, "department", res.Msg.Demands[0].Source)
	assert.NotZero(t, res.Msg.Demands[0].VoucherId)

	// A head the service lacks is refused, naming the line.
	bad := fee("BPA-2026-003", "1.00")
	bad.Lines[0].Head = "SLUDGE"
	_, err = app.PostDemands(w.ctx, connect.NewRequest(&billingv1.PostDemandsRequest{TenantId: "uk.dehradun", Demands: []*billingv1.DemandInput{bad}}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))

	dues, err := app.GetDues(w.ctx, connect.NewRequest(&billingv1.GetDuesRequest{TenantId: "uk.dehradun", ConsumerCode: "BPA-2026-001"}))
	require.NoError(t, err)
	assert.Equal(t, "12500.00", dues.Msg.Total)

	// A cashier at the counter sees the same dues.
	cashier := w.billing(token(t, "sunil", []auth.Role{auth.RoleCashier}, "uk.dehradun"))
	bill, err := cashier.FetchBill(w.ctx, connect.NewRequest(&billingv1.FetchBillRequest{TenantId: "uk.dehradun", Service: "building_plan", ConsumerCode: "BPA-2026-002"}))
	require.NoError(t, err)
	assert.Equal(t, "8400.00", bill.Msg.Total)
	assert.Equal(t, "8400.00", bill.Msg.Payable, "no late-payment master: no rebate, no charges")
	assert.Empty(t, bill.Msg.Rebates)
	// A bill may post penalty and interest: each fetch is audited, as a write.
	events, err := w.audit(token(t, "state", []auth.Role{auth.RoleAuditor}, "uk.dehradun")).ListEvents(w.ctx,
		connect.NewRequest(&auditv1.ListEventsRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	var fetches []string
	for _, e := range events.Msg.Events {
		if e.Procedure == billingv1connect.BillingServiceFetchBillProcedure {
			fetches = append(fetches, e.Principal+" "+e.Code)
		}
	}
	assert.Equal(t, []string{"user:sunil ok"}, fetches)

	tie, err := cashier.CheckDcbAgainstLedger(w.ctx, connect.NewRequest(&billingv1.CheckDcbAgainstLedgerRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	assert.True(t, tie.Msg.Tied, "%v", tie.Msg.Ties)

	// The app's key is for its tenant only.
	_, err = app.GetDues(w.ctx, connect.NewRequest(&billingv1.GetDuesRequest{TenantId: "uk.haridwar", ConsumerCode: "BPA-2026-001"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))
}
