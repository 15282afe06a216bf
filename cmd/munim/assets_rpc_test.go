package main

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
	assetsv1 "github.com/munimhq/munim/gen/pb/munim/assets/v1"
	"github.com/munimhq/munim/gen/pb/munim/assets/v1/assetsv1connect"
)

func (w world) assets(cred string) assetsv1connect.AssetServiceClient {
	return assetsv1connect.NewAssetServiceClient(w.http, w.url, connect.WithInterceptors(bearer(cred)))
}

const openingCSV = "code,name,class,location,ward,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n" +
	"BLD-1,Town hall,BUILDING_RCC,Clock Tower,W01,0100,01,own,1990-01-01,1990-01-01,6000000,3600000\n" +
	"CAR-1,Commissioner's car,CAR,Clock Tower,W01,0100,01,own,2024-04-01,2024-04-01,800000,200000\n"

// openingImport seeds the default classes (as an admin) and imports a
// two-asset opening register as an accountant of uk.dehradun, returning the
// import's id.
func openingImport(t *testing.T, w world) int64 {
	t.Helper()
	_, err := w.assets(token(t, "asha", []auth.Role{auth.RoleAdmin}, "uk.dehradun")).SeedDefaultAssetClasses(w.ctx,
		connect.NewRequest(&assetsv1.SeedDefaultAssetClassesRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	res, err := w.assets(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun")).ImportOpeningRegister(w.ctx,
		connect.NewRequest(&assetsv1.ImportOpeningRegisterRequest{TenantId: "uk.dehradun", AsOf: "2026-04-01", Csv: openingCSV}))
	require.NoError(t, err)
	return res.Msg.Import.Id
}

// Over RPC: the importer may not approve the opening register; another
// approver may; a depreciation run and its rerun; disposal; the register
// ties to the ledger throughout.
func TestAssetsOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	id := openingImport(t, w)
	both := w.assets(token(t, "ravi", []auth.Role{auth.RoleAccountant, auth.RoleApprover}, "uk.dehradun"))
	_, err := both.ApproveOpeningImport(w.ctx, connect.NewRequest(&assetsv1.ApproveOpeningImportRequest{TenantId: "uk.dehradun", ImportId: id}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "%v", err)
	approver := w.assets(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun"))
	approved, err := approver.ApproveOpeningImport(w.ctx, connect.NewRequest(&assetsv1.ApproveOpeningImportRequest{TenantId: "uk.dehradun", ImportId: id}))
	require.NoError(t, err)
	assert.Equal(t, "approved", approved.Msg.Import.Status)

	reader := w.assets(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.*"))
	tie := func() {
		t.Helper()
		res, err := reader.CheckRegisterAgainstLedger(w.ctx, connect.NewRequest(&assetsv1.CheckRegisterAgainstLedgerRequest{TenantId: "uk.dehradun", AsOf: "2027-03-31"}))
		require.NoError(t, err)
		assert.True(t, res.Msg.Ties, "%v", res.Msg.Rows)
	}
	tie()

	accountant := w.assets(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun"))
	run := depreciate(t, w, accountant, "2026-09-30")
	// Half a year: the town hall 60,00,000 / 60 x 183/365 = 50,136.99; the car 8,00,000 / 8 x 183/365 = 50,136.99.
	assert.Equal(t, "100273.98", run.Total)
	assert.EqualValues(t, 2, run.Expected)
	assert.EqualValues(t, 2, run.Assets)
	assert.False(t, run.Replayed)
	rerun := depreciate(t, w, accountant, "2026-09-30")
	assert.True(t, rerun.Replayed, "a second job through the date finds the first run")
	assert.Equal(t, run.RunId, rerun.RunId)
	assert.Equal(t, run.VoucherId, rerun.VoucherId)
	assert.NotEqual(t, run.JobId, rerun.JobId)
	tie()

	list, err := reader.ListAssets(w.ctx, connect.NewRequest(&assetsv1.ListAssetsRequest{TenantId: "uk.dehradun", ClassCode: "CAR"}))
	require.NoError(t, err)
	require.Len(t, list.Msg.Assets, 1)
	_, err = accountant.DisposeAsset(w.ctx, connect.NewRequest(&assetsv1.DisposeAssetRequest{TenantId: "uk.dehradun", AssetId: list.Msg.Assets[0].Id,
		Date: "2026-09-30", Proceeds: "500000"}))
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "disposal is the approver's")
	sold, err := approver.DisposeAsset(w.ctx, connect.NewRequest(&assetsv1.DisposeAssetRequest{TenantId: "uk.dehradun", AssetId: list.Msg.Assets[0].Id,
		Date: "2026-09-30", Proceeds: "560000"}))
	require.NoError(t, err)
	assert.Equal(t, "549863.01", sold.Msg.BookValue)
	assert.Equal(t, "10136.99", sold.Msg.Gain)
	tie()
}

// A state's depreciation default reaches every ULB of the state, so only an
// administrator scoped to the whole state sets it: a ULB's administrator
// and another state's are refused. A ULB's class with no terms of its own
// then shows, and depreciates at, the state's.
func TestStateDepreciationDefaultsOverRPC(t *testing.T) {
	t.Parallel()
	w := setupWorld(t)
	set := &assetsv1.SetStateDepreciationDefaultRequest{State: "uk", ClassCode: "CAR", RatePercent: "25"}
	for _, who := range []string{"uk.dehradun", "hp.*"} {
		_, err := w.assets(token(t, "asha", []auth.Role{auth.RoleAdmin}, who)).SetStateDepreciationDefault(w.ctx, connect.NewRequest(set))
		assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err), "an admin of %s: %v", who, err)
	}
	stateAdmin := w.assets(token(t, "state-admin", []auth.Role{auth.RoleAdmin}, "uk.*"))
	_, err := stateAdmin.SetStateDepreciationDefault(w.ctx, connect.NewRequest(&assetsv1.SetStateDepreciationDefaultRequest{State: "uk",
		ClassCode: "CAR", RatePercent: "25", UsefulLifeYears: 4}))
	assert.Equal(t, connect.CodeInvalidArgument, connect.CodeOf(err), "a life and a rate: %v", err)
	res, err := stateAdmin.SetStateDepreciationDefault(w.ctx, connect.NewRequest(set))
	require.NoError(t, err)
	assert.Equal(t, "25", res.Msg.Default.Terms.RatePercent)

	id := openingImport(t, w)
	_, err = w.assets(token(t, "meena", []auth.Role{auth.RoleApprover}, "uk.dehradun")).ApproveOpeningImport(w.ctx,
		connect.NewRequest(&assetsv1.ApproveOpeningImportRequest{TenantId: "uk.dehradun", ImportId: id}))
	require.NoError(t, err)
	reader := w.assets(token(t, "audit", []auth.Role{auth.RoleAuditor}, "uk.*"))
	classes, err := reader.ListAssetClasses(w.ctx, connect.NewRequest(&assetsv1.ListAssetClassesRequest{TenantId: "uk.dehradun"}))
	require.NoError(t, err)
	for _, c := range classes.Msg.Classes {
		switch c.Code {
		case "CAR":
			assert.Equal(t, "state", c.Terms.GetFrom())
			assert.Equal(t, "25", c.Terms.GetRatePercent())
		case "BUILDING_RCC":
			assert.Equal(t, "built-in", c.Terms.GetFrom())
			assert.Equal(t, int32(60), c.Terms.GetUsefulLifeYears())
		}
	}
	run := depreciate(t, w, w.assets(token(t, "ravi", []auth.Role{auth.RoleAccountant}, "uk.dehradun")), "2026-09-30")
	// Half a year: the town hall 60,00,000 / 60 x 183/365 = 50,136.99; the car 25% of 8,00,000 x 183/365 = 1,00,273.97.
	assert.Equal(t, "150410.96", run.Total)
}

// depreciate asks for a depreciation run through a date and follows its
// job, as a client would, until the job is over; it must end done.
func depreciate(t *testing.T, w world, c assetsv1connect.AssetServiceClient, through string) *assetsv1.DepreciationJob {
	t.Helper()
	started, err := c.RunDepreciation(w.ctx, connect.NewRequest(&assetsv1.RunDepreciationRequest{TenantId: "uk.dehradun", ThroughDate: through}))
	require.NoError(t, err)
	job := started.Msg.Job
	require.NotZero(t, job.RiverJobId)
	require.Eventually(t, func() bool {
		got, err := c.GetDepreciationJob(w.ctx, connect.NewRequest(&assetsv1.GetDepreciationJobRequest{TenantId: "uk.dehradun", JobId: job.JobId}))
		require.NoError(t, err)
		job = got.Msg.Job
		return job.Status == "done" || job.Status == "failed"
	}, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, "done", job.Status, job.Error)
	require.NotNil(t, job.FinishedAt)
	return job
}
