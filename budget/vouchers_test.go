package budget_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/budget"
	ledgerv1 "github.com/munimhq/munim/gen/pb/munim/ledger/v1"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/server"
)

// setupVouchers is setup with the ledger's RPC served over it, the budget's
// VoucherCheck given to the ledger as the binary gives it, every call made
// as a system job (which posts at once; a user's post is a draft).
func setupVouchers(t *testing.T) (bundle, ledgerv1connect.LedgerServiceClient) {
	t.Helper()
	b := setup(t)
	b.ledger = ledger.New(b.pool, ledger.Config{Check: b.budget.VoucherCheck()})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	asSystem := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			return next(auth.WithPrincipal(ctx, auth.System("budget-test")), req)
		}
	})
	srv, err := server.New(server.Config{Guard: asSystem}, log)
	require.NoError(t, err)
	srv.Register(ledger.NewHandler(b.ledger, log, srv.HandlerOptions()...))
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return b, ledgerv1connect.NewLedgerServiceClient(hs.Client(), hs.URL)
}

// paymentVoucher pays amount on head 2301001/2030/01 straight from the bank.
func paymentVoucher(key, amount string) *ledgerv1.PostVouchersRequest {
	return &ledgerv1.PostVouchersRequest{TenantId: tenant, Vouchers: []*ledgerv1.VoucherInput{{
		Type: ledgerv1.VoucherType_VOUCHER_TYPE_PAYMENT, Date: "2026-06-10", Narration: "street light repairs paid direct",
		IdempotencyKey: key, Lines: []*ledgerv1.LineInput{
			{AccountCode: "2301001", FundCode: "01", FunctionCode: "2030", Debit: amount},
			{AccountCode: "4502101", FundCode: "01", FunctionCode: "2030", Credit: amount},
		}}}}
}

// shortfalls lists the shortfalls flagged on a voucher's charges.
func shortfalls(t *testing.T, b bundle, voucherID int64) []string {
	t.Helper()
	var out []string
	require.NoError(t, inTenant(b, func(tx pgx.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT shortfall::text FROM budget_charges WHERE tenant_id = $1 AND source_ref = $2 ORDER BY id`,
			tenant, budget.VoucherSource(voucherID))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}))
	return out
}

// A payment voucher posted through PostVouchers on a budget-controlled
// head passes the same check as a bill, at the exact boundary.
func TestPostedVoucherIsCheckedAtTheExactBoundary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		control   budget.Control
		spend     string
		refused   bool
		shortfall string
	}{
		{"block at exact boundary posts", budget.ControlBlock, "60000.00", false, "0.00"},
		{"block: one paisa over is refused", budget.ControlBlock, "60000.01", true, ""},
		{"warn: one paisa over posts and is flagged", budget.ControlWarn, "60000.01", false, "0.01"},
		{"none: far over posts unflagged", budget.ControlNone, "90000.00", false, "0.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, rpc := setupVouchers(t)
			l := lines(t, b, spec{"2301001", "2030", "01", c.control, "100000"})[0]
			_, err := bill(b, "BILL/0", charge("2301001", "2030", "01", "40000"))
			require.NoError(t, err)

			res, err := rpc.PostVouchers(b.ctx, connect.NewRequest(paymentVoucher("pv-1", c.spend)))
			after := now(t, b, l.ID)
			if c.refused {
				require.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)
				assert.Contains(t, err.Error(), fmt.Sprintf("line %d 2301001/2030/01", l.ID), "names the line")
				assert.Contains(t, err.Error(), "short by 0.01", "names the shortfall")
				assert.Equal(t, "40000.00", after.Actual.StringFixed(2), "nothing charged")
				tb, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, 3, 31), "")
				require.NoError(t, err)
				assert.Equal(t, "40000.00", tb.TotalDebit.StringFixed(2), "only the bill's voucher in the books")
				return
			}
			require.NoError(t, err)
			id := res.Msg.GetVouchers()[0].GetId()
			assert.Equal(t, []string{c.shortfall}, shortfalls(t, b, id))
			assert.Equal(t, amt("40000").Add(amt(c.spend)).StringFixed(2), after.Actual.StringFixed(2))

			// A replay returns the voucher and charges nothing more.
			again, err := rpc.PostVouchers(b.ctx, connect.NewRequest(paymentVoucher("pv-1", c.spend)))
			require.NoError(t, err)
			assert.Equal(t, id, again.Msg.GetVouchers()[0].GetId())
			assert.Equal(t, after.Actual, now(t, b, l.ID).Actual, "a replay charges nothing")
			// The key with another body is a conflict, not a second spend.
			_, err = rpc.PostVouchers(b.ctx, connect.NewRequest(paymentVoucher("pv-1", "99999.00")))
			assert.Equal(t, connect.CodeAlreadyExists, connect.CodeOf(err), "%v", err)
			assert.Equal(t, after.Actual, now(t, b, l.ID).Actual, "a conflict charges nothing")

			// Reversing the voucher releases its charge.
			_, err = rpc.ReverseVoucher(b.ctx, connect.NewRequest(&ledgerv1.ReverseVoucherRequest{TenantId: tenant, VoucherId: id,
				Date: "2026-06-11", Reason: "paid from the wrong head", IdempotencyKey: "pv-1-rev"}))
			require.NoError(t, err)
			assert.Equal(t, "40000.00", now(t, b, l.ID).Actual.StringFixed(2), "the reversal releases the charge")
		})
	}
}

// Two payment vouchers posted at once that together overspend a
// block-mode line: the line's lock queues them, exactly one is refused.
func TestConcurrentPostedVouchersCannotOverspend(t *testing.T) {
	t.Parallel()
	b, rpc := setupVouchers(t)
	l := lines(t, b, spec{"2301001", "2030", "01", budget.ControlBlock, "100000"})[0]
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = rpc.PostVouchers(b.ctx, connect.NewRequest(paymentVoucher(fmt.Sprintf("pv-%d", i), "60000")))
		})
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)
			assert.Contains(t, err.Error(), "short by 20000.00")
		}
	}
	assert.Equal(t, 1, failed, "exactly one of the two vouchers fails: %v", errs)
	assert.Equal(t, "100000.00/0.00/0.00/60000.00/40000.00", totals(now(t, b, l.ID)))
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, 3, 31), "")
	require.NoError(t, err)
	assert.Equal(t, "60000.00", tb.TotalDebit.StringFixed(2), "one voucher in the books")
}

// A user's voucher is a draft; approving it is checked like a direct post.
func TestApprovedDraftIsChecked(t *testing.T) {
	t.Parallel()
	b, _ := setupVouchers(t)
	l := lines(t, b, spec{"2301001", "2030", "01", budget.ControlBlock, "1000"})[0]
	v := ledger.Voucher{Type: ledger.Payment, Date: ledger.Date(2026, 6, 10), Narration: "repairs", IdempotencyKey: "d-1",
		Lines: []ledger.Line{
			{AccountCode: "2301001", FundCode: "01", FunctionCode: "2030", Debit: amt("1000.01")},
			{AccountCode: "4502101", FundCode: "01", FunctionCode: "2030", Credit: amt("1000.01")},
		}}
	drafts, err := b.ledger.SaveDrafts(b.ctx, tenant, maker, []ledger.Voucher{v})
	require.NoError(t, err)
	_, err = b.ledger.Approve(b.ctx, tenant, drafts[0].ID, approver)
	assert.ErrorIs(t, err, budget.ErrOverBudget)
	assert.Equal(t, "0.00", now(t, b, l.ID).Actual.StringFixed(2))

	v.IdempotencyKey, v.Lines[0].Debit, v.Lines[1].Credit = "d-2", amt("1000"), amt("1000")
	drafts, err = b.ledger.SaveDrafts(b.ctx, tenant, maker, []ledger.Voucher{v})
	require.NoError(t, err)
	_, err = b.ledger.Approve(b.ctx, tenant, drafts[0].ID, approver)
	require.NoError(t, err)
	assert.Equal(t, "1000.00", now(t, b, l.ID).Actual.StringFixed(2))
}
