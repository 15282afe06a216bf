// Command munim is Munim's one binary: the API server, migrations, the
// hash-chain verifier, a self-contained demo and the benchmarks.
//
//	munim serve   [--addr 127.0.0.1:8080] [--migrate] [--dev]   (DATABASE_URL, MUNIM_JWT_SECRET | MUNIM_JWKS_URL | MUNIM_OIDC_ISSUER)
//	munim token   --tenant uk.dehradun --role accountant [--user name] [--ttl 8h]   (MUNIM_JWT_SECRET)
//	munim migrate                                        (DATABASE_URL)
//	munim verify  --tenant uk.dehradun                   (DATABASE_URL)
//	munim demo    [--addr 127.0.0.1:8080]                (MUNIM_DATA, default ./.munim)
//	munim bench ledger [--duration 10s]                  (DATABASE_URL, else a private server)
//	munim razorpay-sim [--addr 127.0.0.1:9090] [--webhook-url URL]   (RAZORPAYSIM_KEY_SECRET, RAZORPAYSIM_WEBHOOK_SECRET)
//	munim bench statements [--lines 10000000]            (DATABASE_URL, else a private server)
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: munim <command> [flags]

commands:
  serve     serve the Connect API (DATABASE_URL; a token secret or JWKS, or --dev)
  token     mint a staff token with MUNIM_JWT_SECRET (--tenant, --role, [--user], [--ttl])
  migrate   apply database migrations (DATABASE_URL)
  verify    recompute a tenant's hash chain and check balances and numbering (DATABASE_URL)
  demo      run a private PostgreSQL with a demo ULB and serve the API
  bench     benchmarks through the real API ("munim bench ledger", "demands", "statements")
  razorpay-sim  serve a Razorpay simulator (API, checkout, webhooks, fault switches under /_sim)
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmds := map[string]func(context.Context, *slog.Logger, []string) error{
		"serve":        runServe,
		"token":        runToken,
		"migrate":      runMigrate,
		"verify":       runVerify,
		"demo":         runDemo,
		"bench":        runBench,
		"razorpay-sim": runRazorpaySim,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := run(ctx, log, os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "munim %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// databaseURL reads DATABASE_URL, which every command but demo needs.
func databaseURL() (string, error) {
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		return "", fmt.Errorf("DATABASE_URL is not set (try `munim demo`, which needs none)")
	}
	return dsn, nil
}
