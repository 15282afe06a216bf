package main

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	accessv1 "github.com/munimhq/munim/gen/pb/munim/access/v1"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
)

func (w world) amendments(cred string) billingv1connect.AmendmentServiceClient {
	return billingv1connect.NewAmendmentServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

// propertyTaxDemand configures the property-tax head and raises a demand of
// 3600 for consumer in uk.dehradun, returning its id.
func propertyTaxDemand(t *testing.T, w world, consumer string) int64 {
	t.Helper()
	_, err := w.billing(token(t, "asha", []auth.Role{auth.RoleAdmin}, "uk.dehradun")).SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{
		TenantId: "uk.dehradun", TaxHead: &billingv1.TaxHead{Service: "property_tax", Code: "PT", Name: "Property tax", Category: "tax",
			Priority: 40, IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091", RoundToRupee: true}}))
	require.NoError(t, err)
	res, err := w.billing(token(t, "clerk", []auth.Role{auth.RoleAccountant}, "uk.dehradun")).PostDemands(w.ctx, connect.NewRequest(&billingv1.PostDemandsRequest{
		TenantId: "uk.dehradun", Demands: []*billingv1.DemandInput{{Service: "property_tax", ConsumerCode: consumer, Ward: "W07",
			PeriodFrom: "2026-04-01", PeriodTo: "2027-03-31", Date: "2026-04-01", DueDate: "2026-06-30", IdempotencyKey: "pt:" + consumer,
			Lines: []*billingv1.DemandLine{{Head: "PT", Amount: "3600"}}}}}))
	require.NoError(t, err)
	return res.Msg.Demands[0].Id
}

func remission(demandID int64, key, amount string) *billingv1.ProposeAmendmentRequest {
	return &billingv1.ProposeAmendmentRequest{TenantId: "uk.dehradun", DemandId: demandID, Kind: "remission",
		Reason: "vacant for the year", Reference: "EO/REM/14", Date: "2026-05-15", IdempotencyKey: key,
		Lines: []*billingv1.AmendmentLine{{Head: "PT", Delta: amount}}}
}

// A proposer may not approve their own amendment, whatever roles they
// hold; another approver may, and the dues and the register follow.
func TestAmendmentMakerChecker(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	demand := propertyTaxDemand(t, w, "PT-1")
	both := w.amendments(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleApprover}, "uk.dehradun"))

	// The edge refuses a court order without its order, and a malformed amount.
	co := remission(demand, "am-0", "-100")
	co.Kind, co.Reference = "court_order", ""
	_, err := both.ProposeAmendment(w.ctx, connect.NewRequest(co))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "%v", err)
	_, err = both.ProposeAmendment(w.ctx, connect.NewRequest(remission(demand, "am-0", "-1,800")))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "%v", err)
	// So does the domain: more than is due.
	_, err = both.ProposeAmendment(w.ctx, connect.NewRequest(remission(demand, "am-0", "-3600.01")))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "%v", err)

	proposed, err := both.ProposeAmendment(w.ctx, connect.NewRequest(remission(demand, "am-1", "-1800")))
	require.NoError(t, err)
	a := proposed.Msg.Amendment
	assert.Equal(t, "proposed", a.Status)
	assert.Equal(t, "user:ravi", a.ProposedBy)

	_, err = both.ApproveAmendment(w.ctx, connect.NewRequest(&billingv1.ApproveAmendmentRequest{TenantId: "uk.dehradun", AmendmentId: a.Id}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)
	assert.Contains(t, err.Error(), "may not approve")

	checker := w.amendments(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun"))
	approved, err := checker.ApproveAmendment(w.ctx, connect.NewRequest(&billingv1.ApproveAmendmentRequest{TenantId: "uk.dehradun", AmendmentId: a.Id}))
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Msg.Amendment.Status)
	assert.Equal(t, "user:meena", approved.Msg.Amendment.DecidedBy)
	assert.NotZero(t, approved.Msg.Amendment.VoucherId)
	assert.NotNil(t, approved.Msg.Amendment.DecidedAt)

	_, err = checker.ApproveAmendment(w.ctx, connect.NewRequest(&billingv1.ApproveAmendmentRequest{TenantId: "uk.dehradun", AmendmentId: a.Id}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "approving twice: %v", err)

	reader := w.billing(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.dehradun"))
	dues, err := reader.GetDues(w.ctx, connect.NewRequest(&billingv1.GetDuesRequest{TenantId: "uk.dehradun", ConsumerCode: "PT-1"}))
	require.NoError(t, err)
	assert.Equal(t, "1800.00", dues.Msg.Total)
	assert.Equal(t, "3600.00", dues.Msg.Demands[0].Lines[0].Amount, "the demand as raised")
	assert.Equal(t, "-1800.00", dues.Msg.Demands[0].Lines[0].Adjusted)
	assert.Equal(t, "1800.00", dues.Msg.Demands[0].Lines[0].Balance)
	dcb, err := reader.GetDcbRegister(w.ctx, connect.NewRequest(&billingv1.GetDcbRegisterRequest{TenantId: "uk.dehradun", FiscalYear: 2026}))
	require.NoError(t, err)
	require.Len(t, dcb.Msg.Rows, 1)
	assert.Equal(t, []string{"3600.00", "-1800.00", "0.00", "1800.00"}, []string{dcb.Msg.Rows[0].Demand, dcb.Msg.Rows[0].Adjustments,
		dcb.Msg.Rows[0].Collection, dcb.Msg.Rows[0].Balance}, "demand, adjustments, collection, balance")
	tie, err := reader.CheckDcbAgainstLedger(w.ctx, connect.NewRequest(&billingv1.CheckDcbAgainstLedgerRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	assert.True(t, tie.Msg.Tied, "%v", tie.Msg.Ties)

	list, err := w.amendments(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.dehradun")).ListAmendments(w.ctx,
		connect.NewRequest(&billingv1.ListAmendmentsRequest{TenantId: "uk.dehradun", DemandId: demand}))
	require.NoError(t, err)
	require.Len(t, list.Msg.Amendments, 1)
	assert.Equal(t, "-1800.00", list.Msg.Amendments[0].Lines[0].Delta)
}

// Amendments are decisions of people: a department app's key can neither
// hold the scopes nor propose.
func TestAPIKeysCannotAmendDemands(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	demand := propertyTaxDemand(t, w, "PT-1")
	admin := token(t, "asha", []auth.Role{auth.RoleAdmin}, "uk.dehradun")
	_, err := w.keys(admin).CreateApiKey(w.ctx, connect.NewRequest(&accessv1.CreateApiKeyRequest{TenantId: "uk.dehradun", Name: "x",
		Scopes: []string{string(auth.PermAmendPropose)}}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))

	var scopes []string
	for _, s := range auth.KeyScopes {
		scopes = append(scopes, string(s))
	}
	key, err := w.keys(admin).CreateApiKey(w.ctx, connect.NewRequest(&accessv1.CreateApiKeyRequest{TenantId: "uk.dehradun", Name: "app", Scopes: scopes}))
	require.NoError(t, err)
	_, err = w.amendments(key.Msg.Key).ProposeAmendment(w.ctx, connect.NewRequest(remission(demand, "key-1", "-100")))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)
}
