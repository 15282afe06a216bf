package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/razorpaysim"
)

func setup(t *testing.T, timeout time.Duration) (*razorpaysim.Sim, *httptest.Server, gateway.Config) {
	t.Helper()
	sim, err := razorpaysim.New(razorpaysim.Config{KeyID: "rzp_test_k", KeySecret: "s3cret"})
	require.NoError(t, err)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return sim, srv, gateway.Config{KeyID: "rzp_test_k", KeySecret: "s3cret", BaseURL: srv.URL,
		HTTPClient: &http.Client{Timeout: timeout}}
}

func TestErrorsKeepTheStatusAndTellAHiccupFromARefusal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		faults      razorpaysim.Faults
		wrongKey    bool
		unknown     bool
		cancel      bool
		closed      bool
		status      int
		code        string
		unreachable bool
	}{
		{name: "a 503 is unreachable, with its status and code", faults: razorpaysim.Faults{FailAPI: 1},
			status: 503, code: "SERVER_ERROR", unreachable: true},
		{name: "a 500 is unreachable", faults: razorpaysim.Faults{FailAPI: 1, FailStatus: 500}, status: 500, code: "SERVER_ERROR", unreachable: true},
		{name: "a slow gateway times out unreachable, with no status", faults: razorpaysim.Faults{APIDelayMS: 2000}, unreachable: true},
		{name: "a cancelled context is unreachable", cancel: true, unreachable: true},
		{name: "a refused connection is unreachable", closed: true, unreachable: true},
		{name: "an unknown payment is a 404 refusal", unknown: true, status: 404, code: "BAD_REQUEST_ERROR"},
		{name: "a wrong key is a 401 refusal", wrongKey: true, status: 401, code: "BAD_REQUEST_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, srv, cfg := setup(t, 200*time.Millisecond)
			ctx := context.Background()
			o, err := must(gateway.NewRazorpay(cfg)).CreateOrder(ctx, gateway.OrderRequest{Amount: 10000, Receipt: "r"})
			require.NoError(t, err)
			cb, err := sim.Pay(o.ID, razorpaysim.Pay{})
			require.NoError(t, err)
			sim.SetFaults(tc.faults)
			id := cb.PaymentID
			if tc.unknown {
				id = "pay_Unknown0000000"
			}
			if tc.wrongKey {
				cfg.KeySecret = "wrong"
			}
			if tc.closed {
				srv.Close()
			}
			if tc.cancel {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				cancel()
			}
			_, err = must(gateway.NewRazorpay(cfg)).FetchPayment(ctx, id)
			var ge *gateway.Error
			require.ErrorAs(t, err, &ge)
			require.Equal(t, tc.status, ge.Status)
			require.Equal(t, tc.code, ge.Code)
			require.Equal(t, tc.unreachable, gateway.Unreachable(err))
			require.Equal(t, tc.status == 404, gateway.NotFound(err))
			if tc.cancel {
				require.ErrorIs(t, err, context.Canceled)
			}
			require.NotContains(t, err.Error(), "s3cret")
		})
	}
}

func TestContextDeadlineCutsASlowCall(t *testing.T) {
	t.Parallel()
	sim, _, cfg := setup(t, time.Minute)
	sim.SetFaults(razorpaysim.Faults{APIDelayMS: 5000})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := must(gateway.NewRazorpay(cfg)).FetchOrder(ctx, "order_X")
	require.Less(t, time.Since(start), 3*time.Second)
	require.True(t, gateway.Unreachable(err))
	require.True(t, errors.Is(err, context.DeadlineExceeded))
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	cfg := gateway.Config{KeyID: "rzp_live_x", KeySecret: "very-secret"}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("gateway", "cfg", cfg)
	fmt.Fprintf(&b, "%v %+v %s", cfg, cfg, cfg)
	require.NotContains(t, b.String(), "very-secret")
	require.Contains(t, b.String(), "rzp_live_x")
}

func TestSignatures(t *testing.T) {
	t.Parallel()
	body := []byte(`{"event":"payment.captured"}`)
	sig := gateway.Sign("new", body)
	for _, tc := range []struct {
		name    string
		body    []byte
		sig     string
		secrets []string
		want    int
	}{
		{"the current secret matches first", body, sig, []string{"new", "old"}, 0},
		{"the previous secret still verifies during rotation", body, gateway.Sign("old", body), []string{"new", "old"}, 1},
		{"a forged signature matches nothing", body, gateway.Sign("guess", body), []string{"new", "old"}, -1},
		{"a re-serialised body does not verify", []byte(`{"event": "payment.captured"}`), sig, []string{"new"}, -1},
		{"a signature that is not hex is refused", body, "zz", []string{"new"}, -1},
		{"an empty secret never verifies", body, gateway.Sign("", body), []string{""}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, gateway.VerifyWebhook(tc.body, tc.sig, tc.secrets...))
		})
	}
	s := gateway.CheckoutSignature("k", "order_1", "pay_1")
	require.True(t, gateway.VerifyCheckout("k", "order_1", "pay_1", s))
	require.False(t, gateway.VerifyCheckout("k", "order_1", "pay_2", s))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
