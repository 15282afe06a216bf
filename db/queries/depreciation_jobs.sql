-- name: DepreciationJobInsert :one
INSERT INTO depreciation_jobs (tenant_id, through_date, expected, requested_by)
VALUES (@tenant_id, @through_date, @expected, @requested_by)
RETURNING id;

-- name: DepreciationJobSetJob :exec
UPDATE depreciation_jobs SET job_id = @job_id WHERE tenant_id = @tenant_id AND id = @id;

-- name: DepreciationJobLive :one
-- The queued or running job through a date, if any.
SELECT id
  FROM depreciation_jobs
 WHERE tenant_id = @tenant_id AND through_date = @through_date AND status IN ('queued', 'running');

-- name: DepreciationJobGet :one
-- A job with what its run did (zero until it is done).
SELECT j.*, coalesce(r.total, 0)::numeric AS total, coalesce(r.assets, 0)::integer AS assets, r.voucher_id
  FROM depreciation_jobs j
  LEFT JOIN depreciation_runs r ON r.tenant_id = j.tenant_id AND r.id = j.run_id
 WHERE j.tenant_id = @tenant_id AND j.id = @id;

-- name: DepreciationJobLock :one
-- Holds the job while its worker runs it, so a second worker on the same
-- job waits, then finds it done.
SELECT status FROM depreciation_jobs WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: DepreciationJobStart :exec
UPDATE depreciation_jobs SET status = 'running', started_at = coalesce(started_at, now())
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'queued';

-- name: DepreciationJobFinish :exec
UPDATE depreciation_jobs
   SET status = @status, run_id = @run_id, replayed = @replayed, error = @error, finished_at = now(),
       started_at = coalesce(started_at, now())
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: DepreciationJobNoteError :exec
-- A failed attempt that River will retry: the job stays live.
UPDATE depreciation_jobs SET error = @error WHERE tenant_id = @tenant_id AND id = @id;
