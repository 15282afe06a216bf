package payments_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/razorpaysim"
)

// paidTwice is a checkout paid twice: the second payment is advance.
func paidTwice(t *testing.T, b *bundle) (payments.Transaction, string) {
	t.Helper()
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	for range 2 {
		_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
		require.NoError(t, err)
	}
	got := b.get(t, tx.ID)
	require.Len(t, got.Payments, 2)
	return got, got.Payments[1].PaymentID
}

func TestARefundIsMakerCheckerAndReturnsTheAdvance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tx, second := paidTwice(t, b)
	require.Equal(t, "4158.00", b.advance(t, "PT-1"), "the second payment and the first's rebate")

	in := payments.RefundInput{IdempotencyKey: "rf-1", PaymentID: second, Amount: amt("3780"), Reason: "paid twice"}
	r, err := b.payments.InitiateRefund(b.ctx, tenant, "user:ravi", in)
	require.NoError(t, err)
	require.Equal(t, payments.RefundProposed, r.Status)
	again, err := b.payments.InitiateRefund(b.ctx, tenant, "user:ravi", in)
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID, "the same key returns the same refund")
	_, err = b.payments.InitiateRefund(b.ctx, tenant, "user:ravi", payments.RefundInput{IdempotencyKey: "rf-2", PaymentID: second,
		Amount: amt("0.01"), Reason: "more"})
	require.Error(t, err, "the payment has nothing left to refund")
	open, err := b.payments.ListExceptions(b.ctx, tenant, payments.ExceptionFilter{Kind: payments.RefundPending})
	require.NoError(t, err)
	require.Len(t, open, 1)

	_, err = b.payments.ApproveRefund(b.ctx, tenant, "user:ravi", r.ID)
	require.ErrorIs(t, err, ledger.ErrSelfApproval)
	done, err := b.payments.ApproveRefund(b.ctx, tenant, "user:asha", r.ID)
	require.NoError(t, err)
	require.Equal(t, payments.RefundProcessed, done.Status)
	require.NotEmpty(t, done.RefundID)
	require.Equal(t, "378.00", b.advance(t, "PT-1"))
	p, ok := b.sim.Payment(second)
	require.True(t, ok)
	require.Equal(t, int64(378000), p.AmountRefunded)
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status, "one of its payments stands")
	require.Equal(t, gateway.PaymentRefunded, got.Payments[1].Status, "the webhook told us")
	open, err = b.payments.ListExceptions(b.ctx, tenant, payments.ExceptionFilter{Kind: payments.RefundPending})
	require.NoError(t, err)
	require.Empty(t, open)
	require.Equal(t, "3780.00", b.balanceOf(t, "4501002"), "7,560 captured less 3,780 refunded, none settled")
	b.books(t)

	// Settlement nets the refund: the clearing account empties.
	day := b.clock.Now().AddDate(0, 0, 2)
	b.sim.Settle(day)
	rec := b.reconcile(t, day)
	require.Len(t, rec.Settlements, 1)
	require.Equal(t, "3780.00", rec.Settlements[0].Refunds.StringFixed(2))
	require.Equal(t, "0.00", rec.Settlements[0].Unknown.StringFixed(2))
	require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
	b.books(t)
}

func TestARefundIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults razorpaysim.Faults
	}{
		{name: "the gateway failed the call: sent again", faults: razorpaysim.Faults{FailAPI: 1}},
		{name: "the reply was lost: found done, not sent again", faults: razorpaysim.Faults{APIDelayMS: 1500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(o *options) { o.timeout = 300 * time.Millisecond })
			_, second := paidTwice(t, b)
			r, err := b.payments.InitiateRefund(b.ctx, tenant, "user:ravi", payments.RefundInput{IdempotencyKey: "rf-1",
				PaymentID: second, Amount: amt("1000"), Reason: "part of a double payment"})
			require.NoError(t, err)
			b.sim.SetFaults(tc.faults)
			_, err = b.payments.ApproveRefund(b.ctx, tenant, "user:asha", r.ID)
			require.True(t, gateway.Unreachable(err), "%v", err)
			b.sim.SetFaults(razorpaysim.Faults{})
			b.sim.WaitWebhooks()
			done, err := b.payments.ApproveRefund(b.ctx, tenant, "user:asha", r.ID)
			require.NoError(t, err)
			require.Equal(t, payments.RefundProcessed, done.Status)
			p, _ := b.sim.Payment(second)
			require.Equal(t, int64(100000), p.AmountRefunded, "refunded once")
			require.Equal(t, "3158.00", b.advance(t, "PT-1"))
			b.books(t)

			// The settlement that deducts it finds it ours, whether or not
			// we learnt its id.
			day := b.clock.Now().AddDate(0, 0, 2)
			b.sim.Settle(day)
			rec := b.reconcile(t, day)
			require.Equal(t, "1000.00", rec.Settlements[0].Refunds.StringFixed(2))
			require.Equal(t, "0.00", rec.Settlements[0].Unknown.StringFixed(2))
			require.Equal(t, "0.00", b.balanceOf(t, "4501002"))
			b.books(t)
		})
	}
}

func TestOnlyAnAdvanceIsRefunded(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "1000")
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	got := b.get(t, tx.ID)
	_, err = b.payments.InitiateRefund(b.ctx, tenant, "user:ravi", payments.RefundInput{IdempotencyKey: "rf-1",
		PaymentID: got.Payments[0].PaymentID, Amount: amt("100"), Reason: "asked"})
	var pe *ledger.PreconditionError
	require.ErrorAs(t, err, &pe, "it settled dues: cancel the receipt instead")
	b.books(t)
}
