-- name: DemandRunInsert :one
INSERT INTO demand_runs (tenant_id, service, fiscal_year, period_from, period_to, as_of, ward, expected, requested_by)
VALUES (@tenant_id, @service, @fiscal_year, @period_from, @period_to, @as_of, @ward, @expected, @requested_by)
RETURNING id, created_at;

-- name: DemandRunSetJob :exec
UPDATE demand_runs SET job_id = @job_id WHERE tenant_id = @tenant_id AND id = @id;

-- name: DemandRunGet :one
SELECT * FROM demand_runs WHERE tenant_id = @tenant_id AND id = @id;

-- name: DemandRunLock :one
-- Locks the run for one batch: a second worker on the same run waits here,
-- then sees the cursor moved and stops.
SELECT * FROM demand_runs WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: DemandRunAdvance :exec
UPDATE demand_runs
   SET status = 'running', cursor = @cursor, entries = entries + @entries::integer,
       raised = raised + @raised::integer, existing = existing + @existing::integer,
       skipped = skipped + @skipped::integer, skips = skips || @skips::jsonb,
       total = total + @total::numeric, started_at = coalesce(started_at, now()), error = ''
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: DemandRunFinish :exec
UPDATE demand_runs SET status = @status, error = @error, finished_at = now(),
       started_at = coalesce(started_at, now())
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: DemandRunNoteError :exec
-- A failed attempt that River will retry: the run stays live.
UPDATE demand_runs SET error = @error WHERE tenant_id = @tenant_id AND id = @id;

-- name: PropertyCount :one
SELECT count(*) FROM properties WHERE tenant_id = @tenant_id AND (@ward::text = '' OR ward = @ward::text);

-- name: WaterConnectionCount :one
-- The connections WaterConnectionPage goes through.
SELECT count(*) FROM water_connections
 WHERE tenant_id = @tenant_id AND (@ward::text = '' OR ward = @ward::text)
   AND connected_on <= @live_to::date AND (disconnected_on IS NULL OR disconnected_on >= @live_from::date);

-- name: TradeLicenceCount :one
-- The licences TradeLicencePage goes through.
SELECT count(*) FROM trade_licences
 WHERE tenant_id = @tenant_id AND (@ward::text = '' OR ward = @ward::text)
   AND (@status::text = '' OR status = @status::text)
   AND valid_to BETWEEN @expiring_from::date AND @expiring_to::date;

-- name: RefreshBillingStats :exec
SELECT munim_refresh_billing_stats();
