package main

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/controls"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/opening"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
)

// authConfig is how the server verifies staff tokens, from the environment:
//
//	MUNIM_JWT_SECRET    HS256 shared secret, at least 32 bytes (development, small installs)
//	MUNIM_JWKS_URL      RS256/ES256 keys published as a JWKS document (needs MUNIM_JWT_ISSUER)
//	MUNIM_OIDC_ISSUER   or: discover the keys from an OIDC issuer (a state's single sign-on)
//	MUNIM_JWT_ISSUER    required "iss" (default "munim" with a secret only; the OIDC issuer with OIDC)
//	MUNIM_JWT_AUDIENCE  required "aud" (default "munim")
//	MUNIM_RECEIPT_KEY   the key (32+ bytes) receipts' verification URLs are signed with;
//	                    default: derived from MUNIM_JWT_SECRET when that is set
//	MUNIM_PUBLIC_URL    where citizens reach the server, for the verification URL
//	                    (default http://localhost:8080)
//	MUNIM_PAYMENT_ACCOUNTS  a JSON file of each tenant's gateway account (key id and
//	                    secret, webhook secret and the previous one, base URL); unset,
//	                    no tenant takes online payments
type authConfig struct {
	secret              []byte
	jwksURL, oidcIssuer string
	issuer, audience    string
	receiptSecret       []byte
	verifyURL           string
	paymentAccounts     string
}

// receiptKey is the receipt signing key: MUNIM_RECEIPT_KEY, or else one
// derived from the JWT secret (so a development server signs receipts with
// no more set-up), or none: receipts are then not printed or verified.
func (ac authConfig) receiptKey() []byte {
	if len(ac.receiptSecret) > 0 {
		return ac.receiptSecret
	}
	if len(ac.secret) == 0 {
		return nil
	}
	mac := hmac.New(sha256.New, ac.secret)
	mac.Write([]byte("munim receipt verification key"))
	return mac.Sum(nil)
}

func authConfigFromEnv() authConfig {
	return authConfig{
		secret:          []byte(os.Getenv("MUNIM_JWT_SECRET")),
		jwksURL:         os.Getenv("MUNIM_JWKS_URL"),
		oidcIssuer:      os.Getenv("MUNIM_OIDC_ISSUER"),
		issuer:          os.Getenv("MUNIM_JWT_ISSUER"),
		audience:        os.Getenv("MUNIM_JWT_AUDIENCE"),
		receiptSecret:   []byte(os.Getenv("MUNIM_RECEIPT_KEY")),
		verifyURL:       strings.TrimRight(cmp.Or(os.Getenv("MUNIM_PUBLIC_URL"), "http://localhost:8080"), "/") + receipts.VerifyPagePath,
		paymentAccounts: os.Getenv("MUNIM_PAYMENT_ACCOUNTS"),
	}
}

// errNoSigningKey is why a server refuses to start without --dev.
var errNoSigningKey = errors.New("no way to verify tokens: set MUNIM_JWT_SECRET, MUNIM_JWKS_URL or MUNIM_OIDC_ISSUER (or start with --dev)")

// devSecret returns the secret a --dev server signs and verifies with:
// MUNIM_JWT_SECRET when set, else one kept in dir (so tokens survive a
// restart), made on first use.
func devSecret(dir string) ([]byte, error) {
	if s := os.Getenv("MUNIM_JWT_SECRET"); s != "" {
		return []byte(s), nil
	}
	path := filepath.Join(dir, "dev-jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, err
	}
	return []byte(secret), nil
}

// openDatabase connects to dsn, first applying pending migrations when
// migrate is set.
func openDatabase(ctx context.Context, dsn string, migrate bool, log *slog.Logger) (*pgxpool.Pool, error) {
	if migrate {
		if err := db.Migrate(ctx, dsn, log); err != nil {
			return nil, err
		}
	}
	return db.Open(ctx, dsn)
}

// app is every service of the binary on one server.
type app struct {
	srv      *server.Server
	ledger   *ledger.Ledger
	keys     *auth.KeyStore
	audit    *audit.Recorder
	billing  *billing.Service
	receipts *receipts.Service
	budget   *budget.Service
	spend    *expenditure.Service
	assets   *assets.Service
	payments *payments.Service
	reports  *reports.Service
	jobs     *jobs.Client
}

// Close stops the job workers (a job cut short resumes on the next start)
// and flushes what the app buffers (the audit log writer).
func (a *app) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.jobs.Stop(ctx); err != nil {
		_ = a.jobs.StopAndCancel(ctx)
	}
	a.audit.Close()
}

// newApp wires every service onto one server behind the auth guard.
func newApp(ctx context.Context, cfg server.Config, ac authConfig, pool *pgxpool.Pool, log *slog.Logger) (*app, error) {
	if len(ac.secret) == 0 && ac.jwksURL == "" && ac.oidcIssuer == "" {
		return nil, errNoSigningKey
	}
	verifier, err := auth.NewVerifier(ctx, auth.VerifierConfig{HS256Secret: ac.secret, JWKSURL: ac.jwksURL,
		OIDCIssuer: ac.oidcIssuer, Issuer: ac.issuer, Audience: ac.audience, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("token verification: %w", err)
	}
	bud := budget.NewService(pool, nil)
	a := &app{ledger: ledger.New(pool, ledger.Config{Logger: log, Check: bud.VoucherCheck()}), keys: auth.NewKeyStore(pool, nil),
		audit: audit.NewRecorder(pool, log), budget: bud}
	a.billing = billing.NewService(pool, a.ledger, nil)
	a.spend = expenditure.NewService(pool, a.ledger, a.budget, nil)
	a.assets = assets.NewService(pool, a.ledger, nil)
	if a.receipts, err = receipts.NewService(pool, a.ledger, a.billing, receipts.Config{Logger: log,
		SigningKey: ac.receiptKey(), VerifyURL: ac.verifyURL}); err != nil {
		return nil, err
	}
	var accounts map[string]payments.Account
	if ac.paymentAccounts != "" {
		if accounts, err = payments.AccountsFromFile(ac.paymentAccounts); err != nil {
			return nil, err
		}
	}
	if a.payments, err = payments.NewService(pool, a.ledger, a.billing, a.receipts, payments.Config{Accounts: accounts, Audit: a.audit,
		Logger: log}); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	billing.AddWorkers(workers, a.billing)
	payments.AddWorkers(workers, a.payments)
	assets.AddWorkers(workers, a.assets)
	if a.jobs, err = jobs.New(pool, jobs.Config{Workers: workers, Logger: log}); err != nil {
		return nil, err
	}
	a.billing.UseJobs(a.jobs)
	a.payments.UseJobs(a.jobs)
	a.assets.UseJobs(a.jobs)
	if err := a.payments.ScheduleReconciliations(ctx); err != nil {
		return nil, err
	}
	guard, err := auth.NewGuard(auth.GuardConfig{Tokens: verifier, Keys: a.keys, Audit: a.audit, Log: log})
	if err != nil {
		return nil, err
	}
	cfg.Guard = guard
	if a.srv, err = server.New(cfg, log); err != nil {
		return nil, err
	}
	opts := a.srv.HandlerOptions()
	a.srv.Register(ledger.NewHandler(a.ledger, log, opts...))
	a.srv.Register(tenancy.NewHandler(tenancy.NewService(pool), log, opts...))
	a.srv.Register(auth.NewKeyHandler(a.keys, log, opts...))
	a.srv.Register(audit.NewHandler(audit.NewService(pool), log, opts...))
	a.srv.Register(billing.NewHandler(a.billing, log, opts...))
	a.srv.Register(billing.NewAmendmentHandler(a.billing, log, opts...))
	a.srv.Register(billing.NewRegisterHandler(a.billing, log, opts...))
	a.srv.Register(receipts.NewHandler(a.receipts, log, opts...))
	verifyPath, verifyPage := receipts.NewVerifyPage(a.receipts, log)
	a.srv.Handle(verifyPath, guard.LimitPublic(verifyPage))
	a.srv.Register(budget.NewHandler(a.budget, log, opts...))
	a.srv.Register(expenditure.NewHandler(a.spend, log, opts...))
	a.srv.Register(assets.NewHandler(a.assets, log, opts...))
	a.srv.Register(payments.NewHandler(a.payments, log, opts...))
	// The gateway's webhooks carry no token: their signature is checked.
	a.srv.Handle(a.payments.NewWebhookHandler())
	a.reports = reports.NewService(pool, a.ledger).WithSources(a.reportSources()).
		WithControls(controls.NewService(pool, a.ledger, a.billing, a.receipts, a.assets))
	a.srv.Register(reports.NewHandler(a.reports, opening.NewService(pool, a.ledger, a.billing), log, opts...))
	payPath, payPage := a.payments.NewPage()
	a.srv.Handle(payPath, guard.LimitPublic(payPage))
	if err := a.jobs.Start(ctx); err != nil {
		return nil, fmt.Errorf("start job workers: %w", err)
	}
	return a, nil
}
