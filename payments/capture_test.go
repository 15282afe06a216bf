package payments_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/razorpaysim"
)

// TestEveryCapturedPaymentIsReceiptedOnce drives one checkout through each
// fault of the gateway; whatever arrives, and in whatever order, the
// payment ends SUCCESS with one receipt.
func TestEveryCapturedPaymentIsReceiptedOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults razorpaysim.Faults
		// callback posts the checkout's callback; poll runs the poller.
		callback, poll bool
		release        bool // release held webhooks, last first
	}{
		{name: "the webhook alone receipts"},
		{name: "the callback alone receipts", faults: razorpaysim.Faults{DropWebhooks: 10}, callback: true},
		{name: "the callback then the webhook make one receipt", callback: true},
		{name: "duplicate webhooks make one receipt", faults: razorpaysim.Faults{DuplicateWebhooks: true}},
		{name: "reordered webhooks make one receipt", faults: razorpaysim.Faults{HoldWebhooks: true}, release: true},
		{name: "a lost webhook is found by the poller", faults: razorpaysim.Faults{DropWebhooks: 10}, poll: true},
		{name: "delayed webhooks race the callback", faults: razorpaysim.Faults{WebhookDelayMS: 5, DuplicateWebhooks: true}, callback: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.raise(t, "PT-1")
			tx := b.order(t, "k1", "PT-1", "3780")
			b.sim.SetFaults(tc.faults)
			cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
			require.NoError(t, err)
			if tc.callback {
				b.confirm(t, cb)
			}
			if tc.release {
				b.sim.SetFaults(razorpaysim.Faults{})
				require.Equal(t, 3, b.sim.ReleaseWebhooks(true))
			}
			if tc.poll {
				b.sim.WaitWebhooks()
				require.Equal(t, payments.Created, b.get(t, tx.ID).Status, "nothing arrived")
				final, _, err := b.payments.Poll(b.ctx, tenant, tx.ID)
				require.NoError(t, err)
				require.True(t, final)
			}
			got := b.get(t, tx.ID)
			require.Equal(t, payments.Success, got.Status)
			require.Len(t, got.Payments, 1)
			require.NotZero(t, got.Payments[0].ReceiptID)
			require.Equal(t, "0.00", b.balance(t, "PT-1"))
			b.books(t)
		})
	}
}

func TestCallbackAndWebhookRacingMakeOneReceipt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{HoldWebhooks: true})
	cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { b.confirm(t, cb) })
	}
	b.sim.SetFaults(razorpaysim.Faults{DuplicateWebhooks: true})
	b.sim.ReleaseWebhooks(false)
	for _, e := range b.sim.Events() {
		require.NoError(t, b.sim.Redeliver(e.ID))
	}
	wg.Wait()
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status)
	require.Len(t, got.Payments, 1)
	b.books(t)
}

func TestGatewayHiccupsNeverFailAPayment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults razorpaysim.Faults
	}{
		{name: "a 5xx at the callback leaves it pending", faults: razorpaysim.Faults{FailAPI: 1, DropWebhooks: 10}},
		{name: "a 502 at the callback leaves it pending", faults: razorpaysim.Faults{FailAPI: 1, FailStatus: 502, DropWebhooks: 10}},
		{name: "a timeout at the callback leaves it pending", faults: razorpaysim.Faults{APIDelayMS: 1500, DropWebhooks: 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(o *options) { o.timeout = 300 * time.Millisecond })
			b.raise(t, "PT-1")
			tx := b.order(t, "k1", "PT-1", "3780")
			b.sim.SetFaults(tc.faults)
			cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
			require.NoError(t, err)
			got := b.confirm(t, cb)
			require.Equal(t, payments.Pending, got.Status)
			require.Empty(t, got.Payments)
			b.books(t)

			// The poller, also hit by the hiccup, decides nothing and backs off.
			f := tc.faults
			f.FailAPI = 1
			b.sim.SetFaults(f)
			final, again, err := b.payments.Poll(b.ctx, tenant, tx.ID)
			require.NoError(t, err)
			require.False(t, final)
			require.Equal(t, 2*time.Minute, again, "the callback's unanswered ask was the first; backoff doubles")
			got = b.get(t, tx.ID)
			require.Equal(t, payments.Pending, got.Status)
			require.NotEmpty(t, got.LastError)

			b.sim.SetFaults(razorpaysim.Faults{})
			final, _, err = b.payments.Poll(b.ctx, tenant, tx.ID)
			require.NoError(t, err)
			require.True(t, final)
			require.Equal(t, payments.Success, b.get(t, tx.ID).Status)
			b.books(t)
		})
	}
}

func TestLateCaptureAfterBillExpiryIsReceiptedAgainstTheDuesThen(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	b.clock.Set(time.Date(2026, time.September, 30, 22, 0, 0, 0, ist)) // the due date, the bill's last hour
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{LateCapture: true})
	cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	require.Equal(t, payments.Pending, b.confirm(t, cb).Status, "authorized, not captured")
	final, _, err := b.payments.Poll(b.ctx, tenant, tx.ID)
	require.NoError(t, err)
	require.False(t, final)

	// Captured two days later: the bill expired and a 10% penalty accrued.
	b.clock.Set(time.Date(2026, time.October, 2, 9, 0, 0, 0, ist))
	require.NoError(t, b.sim.Capture(cb.PaymentID))
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status)
	r, err := b.receipts.Get(b.ctx, tenant, got.Payments[0].ReceiptID)
	require.NoError(t, err)
	require.Equal(t, "2026-10-02", r.Date.Format(time.DateOnly))
	require.Equal(t, "3780.00", r.Amount.StringFixed(2))
	// The dues then: 3,780 plus the 10% penalty (378) and a month's 1.5%
	// interest (56.70) accrued after the due date; the payment settled the
	// interest and penalty first, and this much tax is still due.
	require.Equal(t, "434.70", b.balance(t, "PT-1"))
	b.books(t)
}

func TestCapturedAmountIsReceiptedWhateverTheOrderSaid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		paid             int64 // paise
		balance, advance string
	}{
		{name: "less than the order is part payment", paid: 200000, balance: "1780.00", advance: "0.00"},
		// 4,000 clears the dues less the 10% early-payment rebate (3,402).
		{name: "more than the order is advance", paid: 400000, balance: "0.00", advance: "598.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.raise(t, "PT-1")
			tx := b.order(t, "k1", "PT-1", "3780")
			_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{Amount: tc.paid})
			require.NoError(t, err)
			got := b.get(t, tx.ID)
			require.Equal(t, payments.Success, got.Status)
			r, err := b.receipts.Get(b.ctx, tenant, got.Payments[0].ReceiptID)
			require.NoError(t, err)
			require.True(t, r.Amount.Equal(got.Payments[0].Amount))
			require.Equal(t, tc.balance, b.balance(t, "PT-1"))
			require.Equal(t, tc.advance, b.advance(t, "PT-1"))
			b.books(t)
		})
	}
}

func TestDuesPaidTwiceBecomeAdvance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	for range 2 { // the same order paid twice
		_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
		require.NoError(t, err)
	}
	tx2 := b.order(t, "k2", "PT-1", "3780") // and a second checkout of the same dues, from another tab
	_, err := b.sim.Pay(tx2.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status)
	require.Len(t, got.Payments, 2)
	require.NotEqual(t, got.Payments[0].ReceiptID, got.Payments[1].ReceiptID)
	require.Equal(t, payments.Success, b.get(t, tx2.ID).Status)
	require.Equal(t, "0.00", b.balance(t, "PT-1"))
	// The first payment earned the 10% rebate (378 over); the two after it
	// are advance whole.
	require.Equal(t, "7938.00", b.advance(t, "PT-1"))
	b.books(t)
}

func TestOnlyTheGatewaySaysFailed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{Fail: true})
	require.NoError(t, err)
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Failed, got.Status)
	require.Equal(t, "BAD_REQUEST_ERROR", got.Payments[0].ErrorCode)
	require.NotNil(t, got.Checkout, "a failed order can be tried again")
	// The citizen tries again on the same order, and pays.
	_, err = b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	got = b.get(t, tx.ID)
	require.Equal(t, payments.Success, got.Status)
	require.Len(t, got.Payments, 2)
	b.books(t)
}

func TestForgedSignaturesAreRefusedAndAudited(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{DropWebhooks: 10})
	cb, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{Fail: true})
	require.NoError(t, err)

	// A callback claiming success for a failed payment, signed with a guess.
	_, err = b.payments.ConfirmCheckout(b.ctx, tenant, "citizen", payments.CheckoutResult{OrderID: cb.OrderID,
		PaymentID: cb.PaymentID, Signature: gateway.CheckoutSignature("guess", cb.OrderID, cb.PaymentID)})
	require.ErrorIs(t, err, payments.ErrForged)

	// A webhook claiming capture, signed with a guess, and one re-serialised.
	body := `{"entity":"event","event":"payment.captured","payload":{"payment":{"entity":{"id":"` + cb.PaymentID +
		`","order_id":"` + cb.OrderID + `","amount":378000,"status":"captured","captured":true}}}}`
	for _, sig := range []string{gateway.Sign("guess", []byte(body)), "", "zz"} {
		req, _ := http.NewRequest(http.MethodPost, b.hooks, strings.NewReader(body))
		req.Header.Set("X-Razorpay-Signature", sig)
		req.Header.Set("X-Razorpay-Event-Id", "evt_forged")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	}
	got := b.get(t, tx.ID)
	require.Equal(t, payments.Created, got.Status)
	require.Empty(t, got.Payments)
	events, _, err := audit.NewService(b.pool).List(b.ctx, tenant, audit.Filter{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	var forged int
	for _, e := range events {
		if strings.Contains(e.Detail, "signature did not verify") {
			forged++
		}
	}
	require.Equal(t, 4, forged)
	b.books(t)
}

func TestWebhookSecretRotation(t *testing.T) {
	t.Parallel()
	b := setup(t, func(o *options) {
		base := o.accounts
		o.accounts = func(u string) payments.Account {
			a := base(u)
			a.WebhookSecret, a.PreviousWebhookSecret = hookNew, hookOld
			return a
		}
	})
	b.raise(t, "PT-1")
	b.raise(t, "PT-2")
	// An event signed before the rotation arrives after it; then events
	// under the new secret; then one under a secret long retired.
	tx1 := b.order(t, "k1", "PT-1", "3780")
	b.sim.SetFaults(razorpaysim.Faults{HoldWebhooks: true})
	_, err := b.sim.Pay(tx1.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	b.sim.SetFaults(razorpaysim.Faults{})
	b.sim.RotateWebhookSecret(hookNew)
	b.sim.ReleaseWebhooks(false)
	tx2 := b.order(t, "k2", "PT-2", "3780")
	_, err = b.sim.Pay(tx2.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	require.Equal(t, payments.Success, b.get(t, tx1.ID).Status, "the old secret still verifies during the rotation")
	require.Equal(t, payments.Success, b.get(t, tx2.ID).Status)

	b.raise(t, "PT-3")
	tx3 := b.order(t, "k3", "PT-3", "3780")
	b.sim.RotateWebhookSecret("retired-long-ago")
	_, err = b.sim.Pay(tx3.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	require.Equal(t, payments.Created, b.get(t, tx3.ID).Status, "a secret neither current nor previous is refused")
	for _, e := range b.sim.Events() {
		if e.LastStatus != 0 && e.LastStatus != http.StatusOK {
			require.Equal(t, http.StatusUnauthorized, e.LastStatus)
		}
	}
	b.books(t)
}

func TestCreatePaymentOrderIsIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	a := b.order(t, "k1", "PT-1", "3780")
	again := b.order(t, "k1", "PT-1", "3780")
	require.Equal(t, a.ID, again.ID)
	require.Equal(t, a.OrderID, again.OrderID)
	require.Equal(t, int64(378000), a.Checkout.Amount)
	_, err := b.payments.CreatePaymentOrder(b.ctx, tenant, "citizen", payments.OrderInput{IdempotencyKey: "k1",
		Items: []payments.Item{{Service: "property_tax", ConsumerCode: "PT-1", Amount: amt("100")}}})
	require.Error(t, err)

	// The gateway fails the order: the transaction waits without one, and
	// the same request opens it.
	b.sim.SetFaults(razorpaysim.Faults{FailAPI: 1})
	in := payments.OrderInput{IdempotencyKey: "k2", Items: []payments.Item{{Service: "property_tax", ConsumerCode: "PT-1", Amount: amt("3780")}}}
	_, err = b.payments.CreatePaymentOrder(b.ctx, tenant, "citizen", in)
	require.True(t, gateway.Unreachable(err))
	pending, err := b.payments.List(b.ctx, tenant, payments.ListFilter{Status: payments.Created})
	require.NoError(t, err)
	require.Empty(t, pending[0].OrderID)
	final, _, err := b.payments.Poll(b.ctx, tenant, pending[0].ID)
	require.NoError(t, err)
	require.False(t, final, "a transaction without its order is watched until the retry opens it")
	tx, err := b.payments.CreatePaymentOrder(b.ctx, tenant, "citizen", in)
	require.NoError(t, err)
	require.NotEmpty(t, tx.OrderID)
	require.Equal(t, pending[0].ID, tx.ID)
}
