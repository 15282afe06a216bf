package main

import (
	"testing"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/ledger"
)

// openingCSVOf is an opening trial balance of bank, one property's arrears
// and the municipal fund.
const openingTB = "account_code,fund_code,function_code,debit,credit,party\n" +
	"4502101,01,0200,100000.00,,\n" +
	"4311004,01,9091,2500.75,,PT-OPEN-1\n" +
	"3101001,01,0001,,102500.75,\n"

func openingRequest(tenant, key, content string) *reportsv1.ImportOpeningBalancesRequest {
	return &reportsv1.ImportOpeningBalancesRequest{TenantId: tenant, AsOf: "2026-04-01", Content: []byte(content), IdempotencyKey: key}
}

// registerOpeningConsumer gives tenant the property-tax head and property
// PT-OPEN-1, which openingTB's receivable names.
func registerOpeningConsumer(t *testing.T, w world, tenant string) {
	t.Helper()
	_, err := w.app.billing.SaveTaxHead(w.ctx, tenant, billing.TaxHead{Service: billing.PropertyTax, Code: "PT", Name: "Property tax",
		Category: billing.Tax, Priority: 40, IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"}, "test")
	require.NoError(t, err)
	require.NoError(t, w.app.billing.SaveProperties(w.ctx, tenant, []billing.Property{{ConsumerCode: "PT-OPEN-1", OwnerName: "Kamla Devi",
		Ward: "W02", Category: "B", Units: []calc.AreaUnit{{AreaM2: decimal.NewFromInt(80), Use: "residential", Structure: "pucca",
			Occupancy: "self", YearBuilt: 1995}}}}, "test"))
}

// An accountant imports a ULB's opening trial balance over RPC; a retry
// returns the same import and another file under the key is refused; a bad
// file names its problems; the importer may not approve it even holding the
// approver's role; another approver posts it, the DCB ties, and the books
// open only once.
func TestOpeningBalancesOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	const tenant = "uk.haridwar"
	registerOpeningConsumer(t, w, tenant)
	accountant := w.reports(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleApprover}, tenant))
	approver := w.reports(token(t, "asha", []auth.Role{auth.RoleApprover}, tenant))

	res, err := accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(openingRequest(tenant, "tb-1", openingTB)))
	require.NoError(t, err)
	imp := res.Msg.Import
	assert.Equal(t, "pending", imp.Status)
	assert.Equal(t, reportsv1.OpeningFormat_OPENING_FORMAT_CSV, imp.Format)
	assert.Equal(t, int32(3), imp.Rows)
	assert.Equal(t, "102500.75", imp.TotalDebit)
	assert.Len(t, imp.ContentSha256, 64)

	again, err := accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(openingRequest(tenant, "tb-1", openingTB)))
	require.NoError(t, err)
	assert.Equal(t, imp.Id, again.Msg.Import.Id)
	_, err = accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(openingRequest(tenant, "tb-1", openingTB+"4501001,01,0200,1.00,,\n")))
	assert.Equal(t, connect.CodeAlreadyExists, connect.CodeOf(err))

	_, err = accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(openingRequest(tenant, "tb-bad",
		openingTB+"4311004,01,9091,10.00,,PT-NOBODY\n1100101,01,9091,,5.00,\n")))
	require.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))
	assert.Equal(t, map[string]string{
		"rows[5].party":        "PT-NOBODY is not a property, water connection or trade licence of the registers",
		"rows[6].account_code": "1100101 is an income or expenditure head: income and expenditure heads cannot carry an opening balance (bring the year's result in on the municipal fund)",
		"content":              "totals differ: debit 1,02,510.75, credit 1,02,505.75 (difference 5.00)",
	}, fieldViolations(t, err))
	bad := openingRequest(tenant, "tb-bad", openingTB)
	bad.AsOf = "2026-04-31"
	_, err = accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(bad))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))

	_, err = accountant.ApproveOpeningBalances(w.ctx, connect.NewRequest(&reportsv1.ApproveOpeningBalancesRequest{TenantId: tenant, ImportId: imp.Id}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "the importer may not approve, whatever roles they hold")

	approved, err := approver.ApproveOpeningBalances(w.ctx, connect.NewRequest(&reportsv1.ApproveOpeningBalancesRequest{TenantId: tenant, ImportId: imp.Id}))
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Msg.Import.Status)
	assert.Equal(t, "user:asha", approved.Msg.Import.DecidedBy)
	v, err := w.app.ledger.Voucher(w.ctx, tenant, approved.Msg.Import.VoucherId)
	require.NoError(t, err)
	assert.Equal(t, "Opening balances as at 01-04-2026 (import 1, 3 rows)", v.Narration)
	assert.Equal(t, "102500.75", v.Total.StringFixed(2))

	tie, err := w.billing(token(t, "audit", []auth.Role{auth.RoleAuditor}, tenant)).CheckDcbAgainstLedger(w.ctx,
		connect.NewRequest(&billingv1.CheckDcbAgainstLedgerRequest{TenantId: tenant}))
	require.NoError(t, err)
	assert.True(t, tie.Msg.Tied, "%v", tie.Msg.Ties)
	dues, err := w.app.billing.Dues(w.ctx, tenant, "PT-OPEN-1", "")
	require.NoError(t, err)
	assert.Equal(t, "2500.75", dues.Total.StringFixed(2))

	_, err = approver.ApproveOpeningBalances(w.ctx, connect.NewRequest(&reportsv1.ApproveOpeningBalancesRequest{TenantId: tenant, ImportId: imp.Id}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err))
	_, err = accountant.ImportOpeningBalances(w.ctx, connect.NewRequest(openingRequest(tenant, "tb-2", openingTB)))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "books open once")
	_, err = approver.RejectOpeningBalances(w.ctx, connect.NewRequest(&reportsv1.RejectOpeningBalancesRequest{TenantId: tenant, ImportId: imp.Id, Reason: "late"}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err))
	_, err = approver.ApproveOpeningBalances(w.ctx, connect.NewRequest(&reportsv1.ApproveOpeningBalancesRequest{TenantId: tenant, ImportId: 999}))
	assert.Equal(t, connect.CodeNotFound, connect.CodeOf(err))
	tb, err := w.app.ledger.TrialBalance(w.ctx, tenant, ledger.Date(2026, 4, 1), "")
	require.NoError(t, err)
	assert.Len(t, tb.Rows, 3)
}

// fieldViolations maps an InvalidArgument error's field violations.
func fieldViolations(t *testing.T, err error) map[string]string {
	t.Helper()
	var ce *connect.Error
	require.ErrorAs(t, err, &ce)
	out := map[string]string{}
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if br, ok := v.(*errdetails.BadRequest); ok {
				for _, f := range br.FieldViolations {
					out[f.Field] = f.Description
				}
			}
		}
	}
	return out
}
