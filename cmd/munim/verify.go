package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
)

// errVerifyFailed makes the command exit non-zero after it has printed why.
var errVerifyFailed = errors.New("verification failed")

func runVerify(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant id, e.g. uk.dehradun (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("--tenant is required")
	}
	dsn, err := databaseURL()
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	return verifyTenant(ctx, ledger.New(pool, ledger.Config{Logger: log}), *tenant)
}

// verifyTenant prints what it checked and returns errVerifyFailed when the
// hash chain, the balances or the numbering are not what they must be.
func verifyTenant(ctx context.Context, led *ledger.Ledger, tenant string) error {
	res, err := led.Verify(ctx, tenant)
	if err != nil {
		return err
	}
	failed := false
	if b := res.Breach; b != nil {
		failed = true
		fmt.Printf("hash chain BROKEN at voucher %s (id %d, chain position %d): %s\n", b.Number, b.VoucherID, b.ChainSeq, b.Reason)
	} else {
		fmt.Printf("hash chain intact: %d vouchers\n", res.Checked)
	}
	check, err := led.CheckIntegrity(ctx, tenant)
	if err != nil {
		return err
	}
	for _, m := range check.BalanceMismatches {
		failed = true
		fmt.Println("balance differs from its lines:", m)
	}
	for _, g := range check.SeriesGaps {
		failed = true
		fmt.Println("voucher series has a gap:", g)
	}
	if check.OK() {
		fmt.Printf("balances equal the sum of their lines; %d vouchers numbered without gaps\n", check.Vouchers)
	}
	if failed {
		return errVerifyFailed
	}
	return nil
}
