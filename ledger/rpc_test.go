package ledger_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"buf.build/go/protovalidate"
	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db/dbtest"
	ledgerv1 "github.com/munimhq/munim/gen/pb/munim/ledger/v1"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
	tenancyv1 "github.com/munimhq/munim/gen/pb/munim/tenancy/v1"
	"github.com/munimhq/munim/gen/pb/munim/tenancy/v1/tenancyv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
)

type rpc struct {
	ctx     context.Context
	ledger  ledgerv1connect.LedgerServiceClient
	tenants tenancyv1connect.TenantServiceClient
}

// setupRPC serves the ledger and tenant services from an in-process HTTP
// server over a fresh database, through the real interceptors.
func setupRPC(t *testing.T) rpc {
	t.Helper()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// Authentication is auth's to test (cmd/munim tests the whole guard):
	// here every call is Munim's own, as a system job's would be.
	asSystem := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			return next(auth.WithPrincipal(ctx, auth.System("rpc-test")), req)
		}
	})
	srv, err := server.New(server.Config{Guard: asSystem}, log)
	require.NoError(t, err)
	srv.Register(ledger.NewHandler(ledger.New(pool, ledger.Config{}), log, srv.HandlerOptions()...))
	srv.Register(tenancy.NewHandler(tenancy.NewService(pool), log, srv.HandlerOptions()...))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	r := rpc{ctx: context.Background(),
		ledger:  ledgerv1connect.NewLedgerServiceClient(hs.Client(), hs.URL, connect.WithProtoJSON()),
		tenants: tenancyv1connect.NewTenantServiceClient(hs.Client(), hs.URL)}
	_, err = r.tenants.CreateTenant(r.ctx, connect.NewRequest(&tenancyv1.CreateTenantRequest{TenantId: tenant, Name: "Dehradun", FiscalYear: 2026}))
	require.NoError(t, err)
	return r
}

func rpcVoucher(key, debit, credit string) *ledgerv1.VoucherInput {
	return &ledgerv1.VoucherInput{Type: ledgerv1.VoucherType_VOUCHER_TYPE_RECEIPT, Date: "2026-04-15", Narration: "collection",
		IdempotencyKey: key, Lines: []*ledgerv1.LineInput{
			{AccountCode: "4501001", FundCode: "01", FunctionCode: "9091", Debit: debit},
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Party: "PT-1", Credit: credit},
		}}
}

// fieldOf returns the first field violation's field of an InvalidArgument error.
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var ce *connect.Error
	require.ErrorAs(t, err, &ce)
	for _, d := range ce.Details() {
		if v, derr := d.Value(); derr == nil {
			if br, ok := v.(*errdetails.BadRequest); ok && len(br.FieldViolations) > 0 {
				return br.FieldViolations[0].Field // the domain's checks
			}
			if vs, ok := v.(*validate.Violations); ok && len(vs.GetViolations()) > 0 {
				return protovalidate.FieldPathString(vs.GetViolations()[0].GetField()) // the proto's rules
			}
		}
	}
	return ce.Message()
}

func TestRPCPostAndReadBack(t *testing.T) {
	t.Parallel()
	r := setupRPC(t)
	res, err := r.ledger.PostVouchers(r.ctx, connect.NewRequest(&ledgerv1.PostVouchersRequest{TenantId: tenant,
		Vouchers: []*ledgerv1.VoucherInput{rpcVoucher("rpc-1", "1250.50", "1250.50")}}))
	require.NoError(t, err)
	v := res.Msg.Vouchers[0]
	assert.Equal(t, "RV/2026-27/000001", v.Number)
	assert.Equal(t, "1250.50", v.Total)
	assert.Equal(t, "system:rpc-test", v.PostedBy)

	got, err := r.ledger.GetVoucher(r.ctx, connect.NewRequest(&ledgerv1.GetVoucherRequest{TenantId: tenant, VoucherId: v.Id}))
	require.NoError(t, err)
	assert.Equal(t, v.Hash, got.Msg.Voucher.Hash)

	tb, err := r.ledger.GetTrialBalance(r.ctx, connect.NewRequest(&ledgerv1.GetTrialBalanceRequest{TenantId: tenant, AsOf: "2027-03-31"}))
	require.NoError(t, err)
	assert.Equal(t, "1250.50", tb.Msg.TotalDebit)
	assert.Equal(t, tb.Msg.TotalDebit, tb.Msg.TotalCredit)
	require.Len(t, tb.Msg.Rows, 2)
	assert.Equal(t, "-1250.50", tb.Msg.Rows[0].Closing, "4311001 is credited: a negative, credit balance")
}

func TestRPCErrorCodes(t *testing.T) {
	t.Parallel()
	r := setupRPC(t)
	post := func(vs ...*ledgerv1.VoucherInput) error {
		_, err := r.ledger.PostVouchers(r.ctx, connect.NewRequest(&ledgerv1.PostVouchersRequest{TenantId: tenant, Vouchers: vs}))
		return err
	}
	require.NoError(t, post(rpcVoucher("once", "10.00", "10.00")))
	_, err := r.ledger.ClosePeriod(r.ctx, connect.NewRequest(&ledgerv1.ClosePeriodRequest{TenantId: tenant, FiscalYear: 2026, Period: 3, Reason: "June closed"}))
	require.NoError(t, err)

	closed := rpcVoucher("closed", "1.00", "1.00")
	closed.Date = "2026-06-30"
	badAccount := rpcVoucher("bad-account", "1.00", "1.00")
	badAccount.Lines[1].AccountCode = "4311"

	cases := []struct {
		name  string
		err   error
		code  connect.Code
		field string
	}{
		{"unbalanced", post(rpcVoucher("u", "10.00", "9.00")), connect.CodeInvalidArgument, "vouchers[0].lines"},
		{"three decimals", post(rpcVoucher("d", "10.001", "10.001")), connect.CodeInvalidArgument, "vouchers[0].lines[0].debit"},
		{"not a number", post(rpcVoucher("n", "ten", "10")), connect.CodeInvalidArgument, "vouchers[0].lines[0].debit"},
		{"negative", post(rpcVoucher("neg", "-10", "-10")), connect.CodeInvalidArgument, "vouchers[0].lines[0].debit"},
		{"account pattern (protovalidate)", post(badAccount), connect.CodeInvalidArgument, "vouchers[0].lines[1].account_code"},
		{"second voucher names its index", post(rpcVoucher("ok", "1.00", "1.00"), rpcVoucher("bad", "2.00", "1.00")), connect.CodeInvalidArgument, "vouchers[1].lines"},
		{"closed period", post(closed), connect.CodeFailedPrecondition, ""},
		{"conflicting replay", post(rpcVoucher("once", "11.00", "11.00")), connect.CodeAlreadyExists, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Error(t, c.err)
			assert.Equal(t, c.code, connect.CodeOf(c.err), "%v", c.err)
			if c.field != "" {
				assert.Equal(t, c.field, fieldOf(t, c.err))
			}
		})
	}

	_, err = r.ledger.GetVoucher(r.ctx, connect.NewRequest(&ledgerv1.GetVoucherRequest{TenantId: tenant, VoucherId: 999999}))
	assert.Equal(t, connect.CodeNotFound, connect.CodeOf(err))

	first, err := r.ledger.ListVouchers(r.ctx, connect.NewRequest(&ledgerv1.ListVouchersRequest{TenantId: tenant, From: "2026-04-01", To: "2027-03-31"}))
	require.NoError(t, err)
	require.Len(t, first.Msg.Vouchers, 1, "only the first good voucher was posted")
	_, err = r.ledger.ReverseVoucher(r.ctx, connect.NewRequest(&ledgerv1.ReverseVoucherRequest{TenantId: tenant,
		VoucherId: first.Msg.Vouchers[0].Id, Date: "2026-04-16", Reason: "wrong head", IdempotencyKey: "rev"}))
	require.NoError(t, err)
	_, err = r.ledger.ReverseVoucher(r.ctx, connect.NewRequest(&ledgerv1.ReverseVoucherRequest{TenantId: tenant,
		VoucherId: first.Msg.Vouchers[0].Id, Date: "2026-04-16", Reason: "again", IdempotencyKey: "rev-2"}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err))

	_, err = r.tenants.CreateTenant(r.ctx, connect.NewRequest(&tenancyv1.CreateTenantRequest{TenantId: "Dehradun", Name: "x", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))
	_, err = r.tenants.CreateTenant(r.ctx, connect.NewRequest(&tenancyv1.CreateTenantRequest{TenantId: tenant, Name: "Another name", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeAlreadyExists, connect.CodeOf(err))
}
