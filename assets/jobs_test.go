package assets_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/jobs"
)

// jobClient gives the test's asset service a River client: insert-only
// (a process that enqueues but works nothing, as between deploys) or one
// that works the jobs until the test ends.
func jobClient(t *testing.T, b bundle, insertOnly bool) {
	t.Helper()
	workers := river.NewWorkers()
	assets.AddWorkers(workers, b.assets)
	c, err := jobs.New(b.pool, jobs.Config{Workers: workers, InsertOnly: insertOnly, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	b.assets.UseJobs(c)
	if !insertOnly {
		require.NoError(t, c.Start(b.ctx))
		t.Cleanup(func() { require.NoError(t, c.Stop(context.Background())) })
	}
}

func waitJob(t *testing.T, b bundle, id int64) assets.DepreciationJob {
	t.Helper()
	var j assets.DepreciationJob
	require.Eventually(t, func() bool {
		var err error
		j, err = b.assets.DepreciationJob(b.ctx, tenant, id)
		require.NoError(t, err)
		return j.Status == assets.JobDone || j.Status == assets.JobFailed
	}, 30*time.Second, 20*time.Millisecond, "job %d", id)
	return j
}

// RunDepreciation's work is a River job: it is queued with the data (asking
// again while it is live returns it), a worker runs it and marks it done
// with its run, a second job through the same date posts nothing, and a
// job that cannot succeed fails naming why.
func TestDepreciationRunsAsAJob(t *testing.T) {
	t.Parallel()
	b := setup(t)
	importInUse(t, b, tenant, "PC-1,COMPUTER,30000", "DESK-1,FURNITURE,50000", "PLOT-1,LAND,900000")

	jobClient(t, b, true)
	queued, err := b.assets.StartDepreciation(b.ctx, tenant, maker, day(2026, 9, 30))
	require.NoError(t, err)
	assert.Equal(t, assets.JobQueued, queued.Status)
	assert.Equal(t, 2, queued.Expected, "land is not depreciated")
	assert.NotZero(t, queued.RiverJobID)
	assert.Equal(t, maker, queued.RequestedBy)
	again, err := b.assets.StartDepreciation(b.ctx, tenant, "user:other", day(2026, 9, 30))
	require.NoError(t, err)
	assert.Equal(t, queued.ID, again.ID, "the live job of the date is returned, not queued twice")
	assert.Equal(t, "0.00", assetNow(t, b, "PC-1").Accumulated.StringFixed(2), "nothing runs until a worker takes it")

	jobClient(t, b, false)
	done := waitJob(t, b, queued.ID)
	require.Equal(t, assets.JobDone, done.Status, done.Error)
	// 183 days: computers 30,000 / 3 x 183/365 = 5,013.70; furniture 50,000 / 10 x 183/365 = 2,506.85.
	assert.Equal(t, "7520.55", done.Total.StringFixed(2))
	assert.Equal(t, 2, done.Assets)
	assert.False(t, done.Replayed)
	assert.NotZero(t, done.VoucherID)
	assert.NotNil(t, done.FinishedAt)
	assert.Equal(t, "5013.70", assetNow(t, b, "PC-1").Accumulated.StringFixed(2))

	rerun, err := b.assets.StartDepreciation(b.ctx, tenant, maker, day(2026, 9, 30))
	require.NoError(t, err)
	assert.NotEqual(t, queued.ID, rerun.ID, "the first job is over: a new one is queued")
	rerun = waitJob(t, b, rerun.ID)
	require.Equal(t, assets.JobDone, rerun.Status, rerun.Error)
	assert.True(t, rerun.Replayed, "it finds the run through the date")
	assert.Equal(t, done.RunID, rerun.RunID)
	assert.Equal(t, done.VoucherID, rerun.VoucherID)
	assert.Equal(t, "5013.70", assetNow(t, b, "PC-1").Accumulated.StringFixed(2), "nothing charged twice")
	requireTie(t, b)

	// FY 2027-28 is not open: the run's voucher cannot post, on any attempt.
	failed, err := b.assets.StartDepreciation(b.ctx, tenant, maker, day(2027, 9, 30))
	require.NoError(t, err)
	failed = waitJob(t, b, failed.ID)
	assert.Equal(t, assets.JobFailed, failed.Status)
	assert.Contains(t, failed.Error, "2027")
	assert.Zero(t, failed.RunID)
	assert.Equal(t, "5013.70", assetNow(t, b, "PC-1").Accumulated.StringFixed(2), "a failed job leaves nothing")
	requireTie(t, b)
}
