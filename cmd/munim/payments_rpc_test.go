package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/gateway"
	paymentsv1 "github.com/munimhq/munim/gen/pb/munim/payments/v1"
	"github.com/munimhq/munim/gen/pb/munim/payments/v1/paymentsv1connect"
	receiptsv1 "github.com/munimhq/munim/gen/pb/munim/receipts/v1"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/razorpaysim"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
)

// setupPaymentsWorld is the wired server with uk.dehradun's gateway account
// at a Razorpay simulator that delivers webhooks to the server.
func setupPaymentsWorld(t *testing.T) (world, *razorpaysim.Sim) {
	t.Helper()
	ctx := context.Background()
	sim, err := razorpaysim.New(razorpaysim.Config{KeyID: "rzp_test_ddn", KeySecret: "ddn-key-secret", WebhookSecret: "ddn-hook"})
	require.NoError(t, err)
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	path := filepath.Join(t.TempDir(), "accounts.json")
	b, err := json.Marshal(map[string]payments.Account{"uk.dehradun": {KeyID: "rzp_test_ddn", KeySecret: "ddn-key-secret",
		WebhookSecret: "ddn-hook", BaseURL: simSrv.URL}})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))

	pool := dbtest.NewDB(t)
	a, err := newApp(ctx, server.Config{}, authConfig{secret: testSecret, paymentAccounts: path}, pool, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(a.Close)
	for _, id := range []string{"uk.dehradun", "uk.haridwar"} {
		_, err := tenancy.NewService(pool).Create(ctx, id, id, 2026, "test")
		require.NoError(t, err)
	}
	hs := httptest.NewServer(a.srv.Handler())
	t.Cleanup(hs.Close)
	sim.SetWebhookURL(hs.URL + "/webhooks/razorpay/uk.dehradun")
	return world{ctx: ctx, app: a, url: hs.URL, http: hs.Client()}, sim
}

// A citizen pays over the API with no account: the order is opened, the
// checkout's callback receipts the payment, the webhooks that follow find
// it; staff read the transaction; forged callbacks and webhooks are refused.
func TestOnlinePaymentOverRPC(t *testing.T) {
	t.Parallel()
	w, sim := setupPaymentsWorld(t)
	propertyTaxDemand(t, w, "PT-1")
	public := paymentsv1connect.NewPaymentServiceClient(w.http, w.url)
	res, err := public.CreatePaymentOrder(w.ctx, connect.NewRequest(&paymentsv1.CreatePaymentOrderRequest{TenantId: "uk.dehradun",
		IdempotencyKey: "web-1", PayerName: "Meera Rawat",
		Items: []*paymentsv1.Item{{Service: "property_tax", ConsumerCode: "PT-1", Amount: "3600.00"}}}))
	require.NoError(t, err)
	tx := res.Msg.Transaction
	require.Equal(t, paymentsv1.Status_STATUS_CREATED, tx.Status)
	require.Equal(t, int64(360000), tx.Checkout.AmountPaise)
	require.Equal(t, "rzp_test_ddn", tx.Checkout.KeyId)

	sim.SetFaults(razorpaysim.Faults{HoldWebhooks: true})
	cb, err := sim.Pay(tx.OrderId, razorpaysim.Pay{})
	require.NoError(t, err)

	forged, err := public.ConfirmCheckout(w.ctx, connect.NewRequest(&paymentsv1.ConfirmCheckoutRequest{TenantId: "uk.dehradun",
		RazorpayOrderId: cb.OrderID, RazorpayPaymentId: cb.PaymentID, RazorpaySignature: gateway.CheckoutSignature("guess", cb.OrderID, cb.PaymentID)}))
	assert.Nil(t, forged)
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))

	done, err := public.ConfirmCheckout(w.ctx, connect.NewRequest(&paymentsv1.ConfirmCheckoutRequest{TenantId: "uk.dehradun",
		RazorpayOrderId: cb.OrderID, RazorpayPaymentId: cb.PaymentID, RazorpaySignature: cb.Signature}))
	require.NoError(t, err)
	require.Equal(t, paymentsv1.Status_STATUS_SUCCESS, done.Msg.Transaction.Status)
	require.Len(t, done.Msg.Transaction.Payments, 1)
	receipt := done.Msg.Transaction.Payments[0].ReceiptId
	require.NotZero(t, receipt)

	sim.SetFaults(razorpaysim.Faults{})
	sim.ReleaseWebhooks(true)
	sim.WaitWebhooks()
	for _, e := range sim.Events() {
		assert.Equal(t, http.StatusOK, e.LastStatus, e.Name)
	}
	// A forged webhook through the server, with no token, is refused.
	req, _ := http.NewRequest(http.MethodPost, w.url+"/webhooks/razorpay/uk.dehradun", strings.NewReader(`{"event":"payment.captured"}`))
	req.Header.Set("X-Razorpay-Signature", gateway.Sign("guess", []byte(`{"event":"payment.captured"}`)))
	req.Header.Set("X-Razorpay-Event-Id", "evt_forged")
	resp, err := w.http.Do(req)
	require.NoError(t, err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	_, err = public.GetPaymentTransaction(w.ctx, connect.NewRequest(&paymentsv1.GetPaymentTransactionRequest{TenantId: "uk.dehradun", Id: tx.Id}))
	assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err))
	staff := w.payments(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	got, err := staff.GetPaymentTransaction(w.ctx, connect.NewRequest(&paymentsv1.GetPaymentTransactionRequest{TenantId: "uk.dehradun", Id: tx.Id}))
	require.NoError(t, err)
	require.Len(t, got.Msg.Transaction.Payments, 1, "the webhooks found the callback's receipt")
	assert.Equal(t, receipt, got.Msg.Transaction.Payments[0].ReceiptId)
	assert.Equal(t, "callback", got.Msg.Transaction.Payments[0].SeenVia)
	assert.Equal(t, "3600.00", got.Msg.Transaction.Payments[0].Amount)
	r, err := w.receipts(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun")).GetReceipt(w.ctx,
		connect.NewRequest(&receiptsv1.GetReceiptRequest{TenantId: "uk.dehradun", Receipt: &receiptsv1.GetReceiptRequest_Id{Id: receipt}}))
	require.NoError(t, err)
	assert.Equal(t, "4501002", r.Msg.Receipt.DebitAccount)

	// Two days on the gateway settles; the accountant reconciles the day.
	day := time.Now().In(gateway.IST).AddDate(0, 0, 2)
	sim.Settle(day)
	_, err = public.RunReconciliation(w.ctx, connect.NewRequest(&paymentsv1.RunReconciliationRequest{TenantId: "uk.dehradun", Day: day.Format(time.DateOnly)}))
	assert.Equal(t, connect.CodeUnauthenticated, connect.CodeOf(err))
	rec, err := staff.RunReconciliation(w.ctx, connect.NewRequest(&paymentsv1.RunReconciliationRequest{TenantId: "uk.dehradun", Day: day.Format(time.DateOnly)}))
	require.NoError(t, err)
	require.Len(t, rec.Msg.Settlements, 1)
	assert.Equal(t, "3600.00", rec.Msg.Settlements[0].Gross)
	assert.Equal(t, "72.00", rec.Msg.Settlements[0].Fee)
	assert.Equal(t, "12.96", rec.Msg.Settlements[0].Tax)
	assert.Equal(t, "3515.04", rec.Msg.Settlements[0].Net)
	assert.Empty(t, rec.Msg.Open)
	ex, err := staff.ListExceptions(w.ctx, connect.NewRequest(&paymentsv1.ListExceptionsRequest{TenantId: "uk.dehradun", All: true}))
	require.NoError(t, err)
	assert.Empty(t, ex.Msg.Exceptions)

	// A ULB with no gateway account takes no online payments.
	_, err = public.CreatePaymentOrder(w.ctx, connect.NewRequest(&paymentsv1.CreatePaymentOrderRequest{TenantId: "uk.haridwar",
		IdempotencyKey: "web-2", Items: []*paymentsv1.Item{{Service: "property_tax", ConsumerCode: "PT-1", Amount: "1.00"}}}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err))
	// Bad input is refused at the edge.
	_, err = public.CreatePaymentOrder(w.ctx, connect.NewRequest(&paymentsv1.CreatePaymentOrderRequest{TenantId: "uk.dehradun",
		IdempotencyKey: "web-3", Items: []*paymentsv1.Item{{Service: "property_tax", ConsumerCode: "PT-1", Amount: "1.234"}}}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err))
}
