package billing_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

func property(code, ward, category string, areas ...string) billing.Property {
	p := billing.Property{ConsumerCode: code, OwnerName: "Owner " + code, Ward: ward, Category: category}
	for _, a := range areas {
		p.Units = append(p.Units, calc.AreaUnit{AreaM2: amt(a), Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980})
	}
	return p
}

// The tariff's worked example, through the register and the run: category
// B (500/m2), 100 m2, age factor 0.6 (built 1980: 46 years in 2026) gives an
// annual value of 30,000 and a tax of 3,600.
func TestPropertyDemandRunRaisesEachDemandOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	m := calc.SampleUnitAreaMaster()
	m.RoundToRupee = true // as the tenant's PT head says
	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, m, "admin"))
	var ps []billing.Property
	for i := range 25 {
		ps = append(ps, property(fmt.Sprintf("PT-%03d", i), fmt.Sprintf("W%02d", i%3), "B", "100"))
	}
	ps = append(ps, property("PT-900", "W00", "A", "60", "40.5"))
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, ps, "admin"))

	preview, err := b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-000", 2026)
	require.NoError(t, err)
	require.Len(t, preview.Lines, 1)
	assert.Equal(t, "3600.00", preview.Lines[0].Amount.StringFixed(2))

	// The run's job works in batches of 10 (three transactions); a rerun
	// raises nothing twice.
	withJobs(t, b)
	b.billing.SetRunBatch(10)
	got := runToEnd(t, b, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026})
	assert.Equal(t, billing.RunDone, got.Status)
	assert.Equal(t, 26, got.Expected)
	assert.Equal(t, 26, got.Raised)
	assert.Equal(t, "PT-900", got.Cursor)
	// 25 x 3,600 + category A: 630 x (60 + 40.5) x 0.6 x 12 % = 4,558.68,
	// levied as 4,559 with +0.32 on the round-off head.
	assert.Equal(t, "94559.00", got.Total.StringFixed(2))

	again := runToEnd(t, b, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026})
	assert.Zero(t, again.Raised)
	assert.Equal(t, 26, again.Existing)
	tied(t, b)

	dues, err := b.billing.Dues(b.ctx, tenant, "PT-900", billing.PropertyTax)
	require.NoError(t, err)
	assert.Equal(t, "4559.00", dues.Total.StringFixed(2))
	require.Len(t, dues.Demands[0].Lines, 2)
	assert.Equal(t, "PT 4558.68, ROUNDOFF 0.32", fmt.Sprintf("%s %s, %s %s", dues.Demands[0].Lines[0].Head,
		dues.Demands[0].Lines[0].Amount.StringFixed(2), dues.Demands[0].Lines[1].Head, dues.Demands[0].Lines[1].Amount.StringFixed(2)))
}

func TestRunWithoutAMasterIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	withJobs(t, b)
	_, err := b.billing.StartRun(b.ctx, tenant, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026}, "run")
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)
	_, err = b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-1", 2026)
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)

	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	_, err = b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-404", 2026)
	assert.ErrorIs(t, err, ledger.ErrNotFound)
}

func TestRegisterAndMasterInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := property("PT-1", "W01", "B", "-5")
	err := b.billing.SaveProperties(b.ctx, tenant, []billing.Property{bad}, "admin")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "properties[0].units[0].area_m2", ve.Violations[0].Field)

	m := calc.SampleUnitAreaMaster()
	delete(m.TaxRates, "B")
	m.UnitRates["Z"] = amt("-1")
	err = b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, m, "admin")
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Violations[0].Field, "master.")
}

// withJobs gives the test's billing service a started job client.
func withJobs(t *testing.T, b bundle) *jobs.Client {
	t.Helper()
	return jobClient(t, b, false)
}

func jobClient(t *testing.T, b bundle, insertOnly bool) *jobs.Client {
	t.Helper()
	workers := river.NewWorkers()
	billing.AddWorkers(workers, b.billing)
	c, err := jobs.New(b.pool, jobs.Config{Workers: workers, InsertOnly: insertOnly,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	b.billing.UseJobs(c)
	if !insertOnly {
		require.NoError(t, c.Start(b.ctx))
		t.Cleanup(func() { require.NoError(t, c.Stop(context.Background())) })
	}
	return c
}

// runToEnd starts a run and waits for its job to finish it.
func runToEnd(t *testing.T, b bundle, req billing.RunRequest) billing.Run {
	t.Helper()
	r, err := b.billing.StartRun(b.ctx, tenant, req, "run")
	require.NoError(t, err)
	return waitRun(t, b, r.ID)
}

func waitRun(t *testing.T, b bundle, id int64) billing.Run {
	t.Helper()
	var r billing.Run
	require.Eventually(t, func() bool {
		var err error
		r, err = b.billing.GetRun(b.ctx, tenant, id)
		require.NoError(t, err)
		return r.Status == billing.RunDone || r.Status == billing.RunFailed
	}, 30*time.Second, 20*time.Millisecond, "run %d", id)
	return r
}

// A run cut short (its process died after a batch) resumes after its last
// committed batch; a demand raised meanwhile by other means is found, not
// raised twice; and two live runs of one year cannot exist.
func TestARunResumesAfterACrash(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	var ps []billing.Property
	for i := range 30 {
		ps = append(ps, property(fmt.Sprintf("PT-%03d", i), "W01", "B", "100"))
	}
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, ps, "admin"))
	jobClient(t, b, true) // enqueues; nothing works the job yet
	b.billing.SetRunBatch(10)
	req := billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026}
	r, err := b.billing.StartRun(b.ctx, tenant, req, "run")
	require.NoError(t, err)
	assert.Equal(t, billing.RunQueued, r.Status)
	assert.NotZero(t, r.JobID)

	_, err = b.billing.StartRun(b.ctx, tenant, req, "run")
	assert.ErrorIs(t, err, ledger.ErrExists, "a second live run of the year")

	// One slice of no time: one batch, then the "crash".
	done, err := b.billing.WorkRun(b.ctx, tenant, r.ID, 0)
	require.NoError(t, err)
	assert.False(t, done)
	r, err = b.billing.GetRun(b.ctx, tenant, r.ID)
	require.NoError(t, err)
	assert.Equal(t, billing.RunRunning, r.Status)
	assert.Equal(t, 10, r.Raised)
	assert.Equal(t, "PT-009", r.Cursor)
	tied(t, b)

	_, err = b.billing.PostDemands(b.ctx, tenant, "clerk", billing.FromManual, []billing.DemandInput{
		propertyDemand("PT-025", "by-hand-25", line("PT", "3600.00"))})
	require.NoError(t, err)

	withJobs(t, b) // a new process takes the job up again
	r = waitRun(t, b, r.ID)
	assert.Equal(t, billing.RunDone, r.Status, r.Error)
	assert.Equal(t, 30, r.Entries)
	assert.Equal(t, 29, r.Raised)
	assert.Equal(t, 1, r.Existing)
	tied(t, b)
}

// A year's property tax is levied by the method of its master: saving an
// annual-rental-value master replaces the year's unit-area master, and the
// run then levies by ARV (Andhra pattern, sample rates): zone 2 at 2.50 a
// m2 a month, 100 m2 owner-occupied residential: 250 a month, 3,000 a
// year, less 40 % = ARV 1,800; general tax 20 % = 360; education tax 5 %
// = 18; library cess 8 % = 28.80; levied to the rupee as 407.
func TestPropertyTaxByTheMethodOfTheYearsMaster(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, code := range []string{"PT_CESS_EDU", "PT_CESS_LIB"} {
		_, err := b.billing.SaveTaxHead(b.ctx, tenant, billing.TaxHead{Service: "property_tax", Code: code, Name: code,
			Category: billing.Cess, Priority: 30, IncomeAccount: "3503002", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"}, "admin")
		require.NoError(t, err)
	}
	p := property("PT-1", "W01", "2", "100")
	p.Units[0].Occupancy = "owner_occupied"
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{p}, "admin"))

	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	arv := calc.SampleARVMaster()
	arv.RoundToRupee = true
	require.NoError(t, b.billing.SaveARVMaster(b.ctx, tenant, 2026, arv, "admin"))
	ms, err := b.billing.RateMasters(b.ctx, tenant, billing.PropertyTax, 2026)
	require.NoError(t, err)
	require.Len(t, ms, 1, "one method a year")
	assert.Equal(t, billing.MethodARV, ms[0].Method)

	preview, err := b.billing.CalculateDemand(b.ctx, tenant, billing.DemandQuery{Service: billing.PropertyTax, ConsumerCode: "PT-1", FiscalYear: 2026})
	require.NoError(t, err)
	assert.Equal(t, "PT 360.00, PT_CESS_EDU 18.00, PT_CESS_LIB 28.80, ROUNDOFF 0.20", previewed(preview))
	assert.Contains(t, preview.Lines[0].Basis, "less 40% depreciation (residential, owner_occupied) 1200.00; ARV 1800.00")

	withJobs(t, b)
	got := runToEnd(t, b, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026})
	assert.Equal(t, "407.00", got.Total.StringFixed(2), got.Error)
	tied(t, b)
}

func TestPercentDoneIsAHundredOnlyWhenTheRunIsDone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  billing.Run
		want int
	}{
		{"queued", billing.Run{Status: billing.RunQueued, Expected: 10}, 0},
		{"half way", billing.Run{Status: billing.RunRunning, Expected: 10, Entries: 5}, 50},
		{"past what was expected, entries added meanwhile", billing.Run{Status: billing.RunRunning, Expected: 10, Entries: 12}, 99},
		{"done with an empty register", billing.Run{Status: billing.RunDone}, 100},
		{"failed part way", billing.Run{Status: billing.RunFailed, Expected: 4, Entries: 1}, 25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, c.run.PercentDone())
		})
	}
}
