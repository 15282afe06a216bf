package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"time"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/tenancy"
)

// benchDemands times a property-tax demand run: it builds a register of
// --properties properties, runs the year's demand generation as a job,
// watches its progress, and checks the result.
func benchDemands(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench demands", flag.ContinueOnError)
	n := fs.Int("properties", 1_000_000, "how many properties the register holds")
	wards := fs.Int("wards", 60, "how many wards they spread over")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env, err := newBenchEnv(ctx, quiet)
	if err != nil {
		return err
	}
	defer env.Close()
	a, pool, where := env.app, env.pool, env.where

	const fy = 2026
	tenant := fmt.Sprintf("bn.demands%d", time.Now().Unix()%100000)
	fmt.Printf("munim bench demands: %d properties in %d wards, tenant %s, PostgreSQL: %s\n\n", *n, *wards, tenant, where)
	if _, err := tenancy.NewService(pool).Create(ctx, tenant, "Bench demand run", fy, "bench"); err != nil {
		return err
	}
	if err := setUpPropertyTax(ctx, a.billing, tenant, fy); err != nil {
		return err
	}

	start := time.Now()
	rng := rand.New(rand.NewPCG(1, 2))
	const chunk = 5000
	for done := 0; done < *n; done += chunk {
		if err := a.billing.SaveProperties(ctx, tenant, sampleProperties(rng, done+1, min(chunk, *n-done), *wards), "bench"); err != nil {
			return err
		}
	}
	fmt.Printf("register: %d properties saved in %s\n", *n, time.Since(start).Round(time.Millisecond))

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start = time.Now()
	run, err := a.billing.StartRun(ctx, tenant, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: fy}, "bench")
	if err != nil {
		return err
	}
	fmt.Printf("run %d started as job %d\n", run.ID, run.JobID)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last := start
	for run.Status != billing.RunDone && run.Status != billing.RunFailed {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if run, err = a.billing.GetRun(ctx, tenant, run.ID); err != nil {
			return err
		}
		if time.Since(last) >= 15*time.Second {
			last = time.Now()
			el := time.Since(start)
			fmt.Printf("  %s: %d of %d properties, %d demands raised (%.0f demands/s)%s\n", el.Round(time.Second),
				run.Entries, run.Expected, run.Raised, float64(run.Raised)/el.Seconds(), errNote(run.Error))
		}
	}
	el := run.FinishedAt.Sub(*run.StartedAt)
	if run.Status == billing.RunFailed {
		return fmt.Errorf("run failed: %s", run.Error)
	}
	fmt.Printf("run: %d demands raised with their accrual vouchers (%d found raised), total Rs %s, in %s (%s from the request): %.0f demands/s\n",
		run.Raised, run.Existing, run.Total.StringFixed(2), el.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		float64(run.Raised)/el.Seconds())

	ties, err := a.billing.CheckDcbAgainstLedger(ctx, tenant)
	if err != nil {
		return err
	}
	fmt.Printf("\nchecks: DCB equals the ledger's receivables (%v)\n", ledger.Tied(ties))
	if !ledger.Tied(ties) {
		return fmt.Errorf("DCB does not tie: %+v", ties)
	}
	return nil
}

func errNote(e string) string {
	if e == "" {
		return ""
	}
	return "; last error (retrying): " + e
}
