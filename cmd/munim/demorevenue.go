package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

// The demo ULB's revenue: its heads and masters, its registers, and the
// demand runs that raise a year's demands and the year before's arrears.
// Every step is idempotent (saves replace, readings and demands already
// recorded are found, not added), so a seeding cut short is finished by
// the next.

// demoSize is how big the demo ULB is.
type demoSize struct {
	properties, wards, connections, licences int
}

// fullDemo is the ULB `munim demo` seeds.
var fullDemo = demoSize{properties: 3000, wards: 20, connections: 1500, licences: 400}

// demoRegisters are the demo's registers; a size always makes the same.
type demoRegisters struct {
	properties  []billing.Property
	connections []billing.WaterConnection
	readings    []billing.MeterReading
	licences    []billing.Licence
}

// The months the demo's meters are read and its water billed.
var (
	demoWaterFrom = ledger.Date(demoFY, time.April, 1)
	demoWaterTo   = ledger.Date(demoFY, time.September, 30)
)

func makeDemoRegisters(size demoSize) demoRegisters {
	rng := rand.New(rand.NewPCG(2026, 4))
	r := demoRegisters{properties: sampleProperties(rng, 1, size.properties, size.wards)}
	r.connections = sampleConnections(rng, r.properties, size.connections, demoFY)
	r.readings = sampleReadings(rng, r.connections, demoWaterFrom, demoWaterTo)
	r.licences = sampleLicences(rng, size.licences, size.wards, demoFY)
	return r
}

// setUpDemoRevenue saves the heads and masters of the three services:
// property tax for this year and the last (so the arrears can be billed),
// with the rebate, penalty and interest of both; water and trade licences
// for this year.
func setUpDemoRevenue(ctx context.Context, b *billing.Service) error {
	if err := setUpPropertyTax(ctx, b, demoTenant, demoFY); err != nil {
		return fmt.Errorf("property tax: %w", err)
	}
	if err := b.SaveUnitAreaMaster(ctx, demoTenant, demoFY-1, propertyTaxMaster(), "setup"); err != nil {
		return fmt.Errorf("property-tax master for %d: %w", demoFY-1, err)
	}
	if err := setUpPropertyTaxCharges(ctx, b, demoTenant, demoFY-1, demoFY); err != nil {
		return err
	}
	if err := setUpWater(ctx, b, demoTenant, demoFY); err != nil {
		return err
	}
	return setUpTradeLicences(ctx, b, demoTenant, demoFY)
}

// saveDemoRegisters saves the registers and records the meter readings.
func saveDemoRegisters(ctx context.Context, b *billing.Service, r demoRegisters) error {
	if err := b.SaveProperties(ctx, demoTenant, r.properties, "demo"); err != nil {
		return fmt.Errorf("save properties: %w", err)
	}
	if err := b.SaveWaterConnections(ctx, demoTenant, r.connections, "demo"); err != nil {
		return fmt.Errorf("save water connections: %w", err)
	}
	if len(r.readings) > 0 {
		if _, err := b.RecordMeterReadings(ctx, demoTenant, r.readings, "demo"); err != nil {
			return fmt.Errorf("record meter readings: %w", err)
		}
	}
	if err := b.SaveTradeLicences(ctx, demoTenant, r.licences, "demo"); err != nil {
		return fmt.Errorf("save trade licences: %w", err)
	}
	return nil
}

// demoRuns are the demand runs the demo raises: last year's property tax
// (this year's arrears) and this year's, water month by month, and the
// licence renewals falling due this year, raised on 1 April.
func demoRuns() []billing.RunRequest {
	runs := []billing.RunRequest{
		{Service: billing.PropertyTax, FiscalYear: demoFY - 1},
		{Service: billing.PropertyTax, FiscalYear: demoFY},
	}
	for from := demoWaterFrom; from.Before(demoWaterTo); from = from.AddDate(0, 1, 0) {
		runs = append(runs, billing.RunRequest{Service: billing.Water, Period: billing.Period{From: from, To: monthEnd(from)}})
	}
	return append(runs, billing.RunRequest{Service: billing.TradeLicence, FiscalYear: demoFY, AsOf: ledger.Date(demoFY, time.April, 1)})
}

// raiseDemoDemands starts the demo's runs, which the job workers work side
// by side, and waits for each to end.
func raiseDemoDemands(ctx context.Context, log *slog.Logger, b *billing.Service) ([]billing.Run, error) {
	reqs := demoRuns()
	runs := make([]billing.Run, len(reqs))
	for i, req := range reqs {
		var err error
		if runs[i], err = startRun(ctx, log, b, req); err != nil {
			return nil, fmt.Errorf("start %s run: %w", req.Service, err)
		}
	}
	for i := range runs {
		var err error
		if runs[i], err = waitRun(ctx, b, runs[i]); err != nil {
			return nil, err
		}
		r := runs[i]
		log.Info("demand run done", "service", r.Service, "period", r.Period.String(), "raised", r.Raised,
			"found_raised", r.Existing, "skipped", r.Skipped, "total", r.Total.StringFixed(2))
	}
	return runs, nil
}

// startRun starts a run. A live run of the same service and period, left
// by a seeding cut short, resumes by itself as its job is retried (or
// rescued, when its process died): startRun waits for it to end, then
// starts one that finds its demands raised and raises the rest.
func startRun(ctx context.Context, log *slog.Logger, b *billing.Service, req billing.RunRequest) (billing.Run, error) {
	deadline := time.Now().Add(jobs.RescueAfter + time.Minute)
	run, err := b.StartRun(ctx, demoTenant, req, "demo")
	if errors.Is(err, ledger.ErrExists) {
		log.Info("waiting for an earlier demand run to end", "service", req.Service, "err", err)
	}
	for errors.Is(err, ledger.ErrExists) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return billing.Run{}, ctx.Err()
		case <-time.After(time.Second):
		}
		run, err = b.StartRun(ctx, demoTenant, req, "demo")
	}
	return run, err
}

// waitRun polls a run until it is done, or says why it failed.
func waitRun(ctx context.Context, b *billing.Service, run billing.Run) (billing.Run, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for run.Status != billing.RunDone {
		if run.Status == billing.RunFailed {
			return run, fmt.Errorf("%s run %d for %s failed: %s", run.Service, run.ID, run.Period, run.Error)
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-tick.C:
		}
		var err error
		if run, err = b.GetRun(ctx, demoTenant, run.ID); err != nil {
			return run, err
		}
	}
	return run, nil
}
