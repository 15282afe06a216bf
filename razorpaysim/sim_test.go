package razorpaysim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/razorpaysim"
)

const (
	keyID     = "rzp_test_sim"
	keySecret = "key-secret"
	hookOld   = "webhook-secret-1"
)

// received is a webhook as our endpoint saw it.
type received struct {
	ID, Signature, Event string
	Body                 []byte
}

type bundle struct {
	sim   *razorpaysim.Sim
	gw    *gateway.Razorpay
	mu    sync.Mutex
	hooks []received
	clock *time.Time
}

func (b *bundle) received() []received {
	b.sim.WaitWebhooks()
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.hooks...)
}

func setup(t *testing.T) *bundle {
	t.Helper()
	b := &bundle{}
	now := time.Date(2026, 11, 20, 11, 0, 0, 0, gateway.IST)
	b.clock = &now
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			Event string `json:"event"`
		}
		json.Unmarshal(body, &ev)
		b.mu.Lock()
		b.hooks = append(b.hooks, received{ID: r.Header.Get("X-Razorpay-Event-Id"), Signature: r.Header.Get("X-Razorpay-Signature"), Event: ev.Event, Body: body})
		b.mu.Unlock()
	}))
	t.Cleanup(hooks.Close)
	sim, err := razorpaysim.New(razorpaysim.Config{KeyID: keyID, KeySecret: keySecret, WebhookSecret: hookOld,
		WebhookURL: hooks.URL, Now: func() time.Time { return *b.clock }})
	require.NoError(t, err)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	b.sim = sim
	b.gw, err = gateway.NewRazorpay(gateway.Config{KeyID: keyID, KeySecret: keySecret, BaseURL: srv.URL})
	require.NoError(t, err)
	return b
}

func (b *bundle) order(t *testing.T, paise int64) gateway.Order {
	t.Helper()
	o, err := b.gw.CreateOrder(context.Background(), gateway.OrderRequest{Amount: paise, Receipt: "PAY-1"})
	require.NoError(t, err)
	return o
}

func names(hs []received) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Event)
	}
	return out
}

func TestCapturedPaymentPaysTheOrderThroughTheRealClient(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.order(t, 123456)
	require.Equal(t, gateway.OrderCreated, o.Status)
	require.Equal(t, "PAY-1", o.Receipt)

	cb, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	require.True(t, gateway.VerifyCheckout(keySecret, cb.OrderID, cb.PaymentID, cb.Signature))

	p, err := b.gw.FetchPayment(ctx, cb.PaymentID)
	require.NoError(t, err)
	require.Equal(t, gateway.PaymentCaptured, p.Status)
	require.True(t, p.Captured)
	require.Equal(t, int64(123456), p.Amount)
	require.Equal(t, int64(2469), p.Fee) // 2% of 1234.56, half up
	require.Equal(t, int64(444), p.Tax)  // 18% of the fee
	o, err = b.gw.FetchOrder(ctx, o.ID)
	require.NoError(t, err)
	require.Equal(t, gateway.OrderPaid, o.Status)
	require.Equal(t, int64(123456), o.AmountPaid)
	ps, err := b.gw.OrderPayments(ctx, o.ID)
	require.NoError(t, err)
	require.Len(t, ps, 1)

	hs := b.received()
	got := names(hs)
	slices.Sort(got) // separate deliveries arrive in any order, as Razorpay's do
	require.Equal(t, []string{"order.paid", "payment.authorized", "payment.captured"}, got)
	for _, h := range hs {
		require.Equal(t, 0, gateway.VerifyWebhook(h.Body, h.Signature, hookOld), h.Event)
		require.True(t, strings.HasPrefix(h.ID, "evt_"))
	}
}

func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults razorpaysim.Faults
		// release held events, reversed
		release bool
		want    []string
	}{
		{name: "each event is delivered once", want: []string{"order.paid", "payment.authorized", "payment.captured"}},
		{name: "duplicates carry the same event id twice", faults: razorpaysim.Faults{DuplicateWebhooks: true},
			want: []string{"order.paid", "order.paid", "payment.authorized", "payment.authorized", "payment.captured", "payment.captured"}},
		{name: "dropped events never arrive", faults: razorpaysim.Faults{DropWebhooks: 2}, want: []string{"order.paid"}},
		{name: "held events arrive reordered", faults: razorpaysim.Faults{HoldWebhooks: true}, release: true,
			want: []string{"order.paid", "payment.captured", "payment.authorized"}},
		{name: "delayed events still arrive", faults: razorpaysim.Faults{WebhookDelayMS: 30},
			want: []string{"order.paid", "payment.authorized", "payment.captured"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.sim.SetFaults(tc.faults)
			o := b.order(t, 10000)
			_, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
			require.NoError(t, err)
			if tc.release {
				require.Empty(t, b.received())
				require.Equal(t, 3, b.sim.ReleaseWebhooks(true))
				require.Equal(t, tc.want, names(b.received()))
				return
			}
			got := names(b.received())
			slices.Sort(got) // separate deliveries arrive in any order
			require.Equal(t, tc.want, got)
			if tc.faults.DuplicateWebhooks {
				ids := map[string]int{}
				for _, h := range b.received() {
					ids[h.ID]++
				}
				for id, n := range ids {
					require.Equal(t, 2, n, id)
				}
			}
		})
	}
}

func TestRotatedSecretSignsOnlyNewEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sim.SetFaults(razorpaysim.Faults{HoldWebhooks: true})
	o := b.order(t, 10000)
	cb, err := b.sim.Pay(o.ID, razorpaysim.Pay{Authorize: true}) // payment.authorized, under the old secret
	require.NoError(t, err)
	b.sim.SetFaults(razorpaysim.Faults{})
	b.sim.RotateWebhookSecret("webhook-secret-2")
	require.NoError(t, b.sim.Capture(cb.PaymentID))
	b.sim.ReleaseWebhooks(false) // the old event arrives after the rotation
	byName := map[string]received{}
	for _, h := range b.received() {
		byName[h.Event] = h
	}
	old := byName["payment.authorized"]
	require.Equal(t, 1, gateway.VerifyWebhook(old.Body, old.Signature, "webhook-secret-2", hookOld))
	cap := byName["payment.captured"]
	require.Equal(t, 0, gateway.VerifyWebhook(cap.Body, cap.Signature, "webhook-secret-2", hookOld))
	require.Equal(t, -1, gateway.VerifyWebhook(cap.Body, cap.Signature, hookOld))
}

func TestLateCaptureAndFailure(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.sim.SetFaults(razorpaysim.Faults{LateCapture: true})
	o := b.order(t, 50000)
	cb, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	p, err := b.gw.FetchPayment(ctx, cb.PaymentID)
	require.NoError(t, err)
	require.Equal(t, gateway.PaymentAuthorized, p.Status)
	require.False(t, p.Final())
	require.NoError(t, b.sim.Capture(cb.PaymentID))
	p, err = b.gw.FetchPayment(ctx, cb.PaymentID)
	require.NoError(t, err)
	require.Equal(t, gateway.PaymentCaptured, p.Status)

	o2 := b.order(t, 50000)
	cb, err = b.sim.Pay(o2.ID, razorpaysim.Pay{Fail: true})
	require.NoError(t, err)
	require.Empty(t, cb.Signature, "no success callback for a failed payment")
	p, err = b.gw.FetchPayment(ctx, cb.PaymentID)
	require.NoError(t, err)
	require.Equal(t, gateway.PaymentFailed, p.Status)
	require.Equal(t, "BAD_REQUEST_ERROR", p.ErrorCode)
	require.True(t, p.Final())
}

func TestOrderPaidTwiceListsBothPayments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order(t, 20000)
	for range 2 {
		_, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
		require.NoError(t, err)
	}
	_, err := b.sim.Pay(o.ID, razorpaysim.Pay{Amount: 15000}) // a different amount
	require.NoError(t, err)
	ps, err := b.gw.OrderPayments(context.Background(), o.ID)
	require.NoError(t, err)
	require.Len(t, ps, 3)
	o, err = b.gw.FetchOrder(context.Background(), o.ID)
	require.NoError(t, err)
	require.Equal(t, int64(55000), o.AmountPaid)
	require.Equal(t, 3, o.Attempts)
}

func TestSettlementNetsFeeTaxAndRefunds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.order(t, 100000)
	cb1, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	o2 := b.order(t, 40000)
	cb2, err := b.sim.Pay(o2.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	rf, err := b.gw.Refund(ctx, cb2.PaymentID, 10000) // partial
	require.NoError(t, err)
	require.Equal(t, "processed", rf.Status)
	p2, err := b.gw.FetchPayment(ctx, cb2.PaymentID)
	require.NoError(t, err)
	require.Equal(t, int64(10000), p2.AmountRefunded)
	require.Equal(t, gateway.PaymentCaptured, p2.Status)
	_, err = b.gw.Refund(ctx, cb2.PaymentID, 40000)
	var ge *gateway.Error
	require.ErrorAs(t, err, &ge)
	require.Equal(t, http.StatusBadRequest, ge.Status)
	require.False(t, ge.Unreachable())

	captured := *b.clock
	// T+1: nothing is due; T+2 settles both payments and the refund.
	id, _ := b.sim.Settle(captured.AddDate(0, 0, 1))
	require.Empty(t, id)
	day := captured.AddDate(0, 0, 2)
	id, utr := b.sim.Settle(day)
	require.NotEmpty(t, id)
	items, err := b.gw.Settlements(ctx, day)
	require.NoError(t, err)
	require.Len(t, items, 3)
	var net int64
	for _, it := range items {
		require.Equal(t, utr, it.SettlementUTR)
		net += it.Credit - it.Debit
		if it.EntityID == cb1.PaymentID {
			require.Equal(t, int64(2000), it.Fee)
			require.Equal(t, int64(360), it.Tax)
			require.Equal(t, int64(100000-2000-360), it.Credit)
		}
	}
	require.Equal(t, int64(100000-2360+40000-944-10000), net)
	none, err := b.gw.Settlements(ctx, captured)
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestSettlementDaysLate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sim.SetFaults(razorpaysim.Faults{SettleDelayDays: 3})
	o := b.order(t, 100000)
	_, err := b.sim.Pay(o.ID, razorpaysim.Pay{})
	require.NoError(t, err)
	for d := 1; d < 5; d++ {
		id, _ := b.sim.Settle(b.clock.AddDate(0, 0, d))
		require.Empty(t, id, "day %d", d)
	}
	id, _ := b.sim.Settle(b.clock.AddDate(0, 0, 5))
	require.NotEmpty(t, id)
}

func TestCheckoutPostsTheSignedCallback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	o := b.order(t, 25050)
	srv := httptest.NewServer(b.sim)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/checkout?order_id=" + o.ID + "&callback_url=http://munim.test/pay/callback")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(page), "Pay ₹250.50")

	resp, err = http.PostForm(srv.URL+"/checkout/pay", map[string][]string{"order_id": {o.ID},
		"callback_url": {"http://munim.test/pay/callback"}, "outcome": {"success"}})
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	ps, err := b.gw.OrderPayments(context.Background(), o.ID)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	sig := gateway.CheckoutSignature(keySecret, o.ID, ps[0].ID)
	require.Contains(t, string(page), `action="http://munim.test/pay/callback"`)
	require.Contains(t, string(page), `value="`+sig+`"`)
}
