package main

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	accessv1 "github.com/munimhq/munim/gen/pb/munim/access/v1"
	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
)

// unitAreaMasterB is the tariff's category B and A rates (500 and 630 a
// m2), a 0.6 age factor for 41 to 50 years, factors of 1, and tax at 12 %
// of annual value.
func unitAreaMasterB() *billingv1.RateMaster {
	upTo := func(n int32) *int32 { return &n }
	ones := map[string]string{"residential": "1"}
	return &billingv1.RateMaster{Service: "property_tax", FiscalYear: 2026, Master: &billingv1.RateMaster_UnitArea{UnitArea: &billingv1.UnitAreaMaster{
		UnitRates:        map[string]string{"A": "630", "B": "500"},
		AgeFactors:       []*billingv1.AgeBand{{UpToYears: upTo(40), Factor: "0.7"}, {UpToYears: upTo(50), Factor: "0.6"}, {Factor: "0.5"}},
		UseFactors:       ones,
		StructureFactors: map[string]string{"pucca": "1"},
		OccupancyFactors: map[string]string{"self": "1"},
		TaxRates: map[string]*billingv1.DecimalTable{"A": {Values: map[string]string{"residential": "12"}},
			"B": {Values: map[string]string{"residential": "12"}}},
	}}}
}

// An administrator keeps the property register and the year's masters over
// RPC and runs the year's property tax as a job: a second run of the year
// is refused while the first is live; the job reports its progress until
// done, and the register then ties to the ledger.
func TestDemandRunOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	const ulb = "uk.dehradun"
	admin := token(t, "asha", []auth.Role{auth.RoleAdmin}, ulb)
	bills, regs := w.billing(admin), w.registers(admin)
	for _, h := range []*billingv1.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: "tax", Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "PENALTY", Name: "Penalty on late payment", Category: "penalty", Priority: 20,
			IncomeAccount: "1402010", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
	} {
		_, err := bills.SaveTaxHead(w.ctx, connect.NewRequest(&billingv1.SaveTaxHeadRequest{TenantId: ulb, TaxHead: h}))
		require.NoError(t, err, h.Code)
	}
	_, err := regs.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: unitAreaMasterB()}))
	require.NoError(t, err)
	// A late-payment master beside the tariff does not stand in its way.
	_, err = regs.SaveRateMaster(w.ctx, connect.NewRequest(&billingv1.SaveRateMasterRequest{TenantId: ulb, Master: &billingv1.RateMaster{
		Service: "property_tax", FiscalYear: 2026, Master: &billingv1.RateMaster_LatePayment{LatePayment: &billingv1.LatePaymentMaster{
			Penalty: &billingv1.PenaltyRule{Percent: "10"}, PenaltyHead: "PENALTY", BaseCategories: []string{"tax"}}}}}))
	require.NoError(t, err)
	unit := func(area string) []*billingv1.PropertyUnit {
		return []*billingv1.PropertyUnit{{AreaM2: area, Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980}}
	}
	_, err = regs.SaveProperties(w.ctx, connect.NewRequest(&billingv1.SavePropertiesRequest{TenantId: ulb, Properties: []*billingv1.Property{
		{ConsumerCode: "PT-1", OwnerName: "Meena", Ward: "W01", Category: "B", Units: unit("100")},
		{ConsumerCode: "PT-2", OwnerName: "Ravi", Ward: "W02", Category: "B", Units: unit("100")},
		{ConsumerCode: "PT-3", OwnerName: "Sunil", Ward: "W02", Category: "A", Units: unit("60")},
	}}))
	require.NoError(t, err)

	// With the workers stopped (as between deploys) the run stays queued,
	// so it is live for certain when the second request comes.
	require.NoError(t, w.app.jobs.Stop(w.ctx))
	year := &billingv1.RunDemandGenerationRequest{TenantId: ulb, Service: "property_tax", FiscalYear: 2026}
	started, err := bills.RunDemandGeneration(w.ctx, connect.NewRequest(year))
	require.NoError(t, err)
	job := started.Msg.Job
	assert.Equal(t, "queued", job.Status)
	assert.EqualValues(t, 3, job.Expected)
	assert.Zero(t, job.PercentDone)
	assert.NotZero(t, job.RiverJobId)
	assert.Equal(t, "user:asha", job.RequestedBy)
	assert.Equal(t, []string{"2026-04-01", "2027-03-31"}, []string{job.PeriodFrom, job.PeriodTo})
	_, err = bills.RunDemandGeneration(w.ctx, connect.NewRequest(year))
	assert.Equal(t, connect.CodeAlreadyExists, connect.CodeOf(err), "a second live run of the year: %v", err)

	require.NoError(t, w.app.jobs.Start(w.ctx))
	cashier := w.billing(token(t, "sunil", []auth.Role{auth.RoleCashier}, ulb))
	require.Eventually(t, func() bool {
		got, err := cashier.GetJob(w.ctx, connect.NewRequest(&billingv1.GetJobRequest{TenantId: ulb, JobId: job.JobId}))
		require.NoError(t, err)
		job = got.Msg.Job
		return job.Status == "done" || job.Status == "failed"
	}, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, "done", job.Status, job.Error)
	assert.EqualValues(t, 3, job.Entries)
	assert.EqualValues(t, 3, job.Raised)
	assert.EqualValues(t, 100, job.PercentDone)
	// 2 x 500 x 100 x 0.6 x 12 % + 630 x 60 x 0.6 x 12 % = 2 x 3,600 + 2,721.60.
	assert.Equal(t, "9921.60", job.Total)
	assert.NotNil(t, job.FinishedAt)
	tie, err := cashier.CheckDcbAgainstLedger(w.ctx, connect.NewRequest(&billingv1.CheckDcbAgainstLedgerRequest{TenantId: ulb}))
	require.NoError(t, err)
	assert.True(t, tie.Msg.Tied, "%v", tie.Msg.Ties)

	// The run is done: another may start, and finds the demands raised.
	again, err := bills.RunDemandGeneration(w.ctx, connect.NewRequest(year))
	require.NoError(t, err)
	rerun := again.Msg.Job
	assert.NotEqual(t, job.JobId, rerun.JobId)
	require.Eventually(t, func() bool {
		got, err := cashier.GetJob(w.ctx, connect.NewRequest(&billingv1.GetJobRequest{TenantId: ulb, JobId: rerun.JobId}))
		require.NoError(t, err)
		rerun = got.Msg.Job
		return rerun.Status == "done" || rerun.Status == "failed"
	}, 30*time.Second, 50*time.Millisecond)
	assert.Equal(t, []int32{0, 3}, []int32{rerun.Raised, rerun.Existing}, "raised, existing")

	_, err = cashier.GetJob(w.ctx, connect.NewRequest(&billingv1.GetJobRequest{TenantId: ulb, JobId: job.JobId + 1000}))
	assert.Equal(t, connect.CodeNotFound, connect.CodeOf(err))
}

// A bad run request names its field; only those who may run demands can.
func TestDemandRunRequestsAreCheckedAndGuarded(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	const ulb = "uk.dehradun"
	admin := token(t, "asha", []auth.Role{auth.RoleAdmin}, ulb)
	bills := w.billing(admin)
	cases := []struct {
		name  string
		req   *billingv1.RunDemandGenerationRequest
		field string
	}{
		{"property tax without its year", &billingv1.RunDemandGenerationRequest{Service: "property_tax"}, "fiscal_year"},
		{"a licence run without its year", &billingv1.RunDemandGenerationRequest{Service: "trade_licence", FiscalYear: 26}, "fiscal_year"},
		{"water from mid-month", &billingv1.RunDemandGenerationRequest{Service: "water", PeriodFrom: "2026-04-15", PeriodTo: "2026-05-31"}, "period.from"},
		{"water for no day", &billingv1.RunDemandGenerationRequest{Service: "water", PeriodFrom: "2026-02-30", PeriodTo: "2026-03-31"}, "period_from"},
		{"a service no run bills", &billingv1.RunDemandGenerationRequest{Service: "building_plan", FiscalYear: 2026}, "service"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.req.TenantId = ulb
			_, err := bills.RunDemandGeneration(w.ctx, connect.NewRequest(c.req))
			assert.Equal(t, c.field, violationField(t, err))
		})
	}
	// A year with no master cannot be run yet.
	_, err := bills.RunDemandGeneration(w.ctx, connect.NewRequest(&billingv1.RunDemandGenerationRequest{TenantId: ulb,
		Service: "property_tax", FiscalYear: 2026}))
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err), "%v", err)

	// Posting demands is not running them: a clerk, a cashier and a
	// department app's key without the scope are refused.
	year := &billingv1.RunDemandGenerationRequest{TenantId: ulb, Service: "property_tax", FiscalYear: 2026}
	for _, role := range []auth.Role{auth.RoleAccountant, auth.RoleCashier} {
		_, err := w.billing(token(t, "clerk", []auth.Role{role}, ulb)).RunDemandGeneration(w.ctx, connect.NewRequest(year))
		assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%s: %v", role, err)
	}
	key, err := w.keys(admin).CreateApiKey(w.ctx, connect.NewRequest(&accessv1.CreateApiKeyRequest{TenantId: ulb, Name: "app",
		Scopes: []string{string(auth.PermDemandPost), string(auth.PermBillingRead)}}))
	require.NoError(t, err)
	_, err = w.billing(key.Msg.Key).RunDemandGeneration(w.ctx, connect.NewRequest(year))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)
}
