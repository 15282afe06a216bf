package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/munimhq/munim/razorpaysim"
)

// runRazorpaySim serves the Razorpay simulator: the API the razorpay-go
// client calls, the checkout page, webhooks to --webhook-url, and the
// fault switches under /_sim. The key secret and webhook secret come from
// RAZORPAYSIM_KEY_SECRET and RAZORPAYSIM_WEBHOOK_SECRET (development
// defaults when unset) and are never printed.
func runRazorpaySim(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("razorpay-sim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9090", "address to listen on")
	keyID := fs.String("key-id", "rzp_test_munimsim", "API key id")
	hookURL := fs.String("webhook-url", "", "where to POST webhooks, e.g. http://127.0.0.1:8080/webhooks/razorpay/uk.dehradun")
	settleDays := fs.Int("settle-after-days", 2, "settlement cycle T+n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := cmp.Or(os.Getenv("RAZORPAYSIM_KEY_SECRET"), "munim-sim-key-secret")
	hookSecret := cmp.Or(os.Getenv("RAZORPAYSIM_WEBHOOK_SECRET"), "munim-sim-webhook-secret")
	sim, err := razorpaysim.New(razorpaysim.Config{KeyID: *keyID, KeySecret: secret, WebhookSecret: hookSecret,
		WebhookURL: *hookURL, SettleAfterDays: *settleDays, Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	log.Info("razorpay simulator", "addr", ln.Addr().String(), "key_id", *keyID, "webhook_url", *hookURL)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
