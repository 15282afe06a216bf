-- name: FiscalYearInsert :exec
INSERT INTO fiscal_years (tenant_id, fiscal_year, starts_on, ends_on, opened_by)
VALUES (@tenant_id, @fiscal_year, @starts_on, @ends_on, @opened_by);

-- name: PeriodInsertMany :copyfrom
INSERT INTO periods (tenant_id, fiscal_year, period, starts_on, ends_on)
VALUES (@tenant_id, @fiscal_year, @period, @starts_on, @ends_on);

-- name: PeriodLockCovering :many
-- Locks, in key order, the periods that cover [from, to] against a concurrent
-- close, for the lifetime of the posting transaction.
SELECT fiscal_year, period, starts_on, ends_on, closed
  FROM periods
 WHERE tenant_id = @tenant_id AND ends_on >= @from_date AND starts_on <= @to_date
 ORDER BY fiscal_year, period
   FOR SHARE;

-- name: PeriodGetForUpdate :one
SELECT fiscal_year, period, starts_on, ends_on, closed
  FROM periods
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND period = @period
   FOR UPDATE;

-- name: PeriodSetClosed :exec
UPDATE periods SET closed = @closed
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND period = @period;

-- name: PeriodEventInsert :one
INSERT INTO period_events (tenant_id, fiscal_year, period, action, actor, reason)
VALUES (@tenant_id, @fiscal_year, @period, @action, @actor, @reason)
RETURNING id, at;

-- name: PeriodList :many
SELECT p.fiscal_year, p.period, p.starts_on, p.ends_on, p.closed
  FROM periods p
 WHERE p.tenant_id = @tenant_id AND p.fiscal_year = @fiscal_year
 ORDER BY p.period;

-- name: PeriodContaining :one
SELECT fiscal_year, period, starts_on, ends_on, closed
  FROM periods
 WHERE tenant_id = @tenant_id AND starts_on <= @on_date AND ends_on >= @on_date;

-- name: FiscalYearListWithLastPosting :many
-- Every fiscal year the scope's tenants have opened, with the end of the
-- last month that holds postings (the year's end when none does).
SELECT f.tenant_id, f.fiscal_year, f.ends_on,
       COALESCE((SELECT max(p.ends_on)
                   FROM periods p
                  WHERE p.tenant_id = f.tenant_id AND p.fiscal_year = f.fiscal_year
                    AND EXISTS (SELECT 1 FROM balances b
                                 WHERE b.tenant_id = p.tenant_id AND b.fiscal_year = p.fiscal_year
                                   AND b.period = p.period)),
                f.ends_on)::date AS last_posted_on
  FROM fiscal_years f
 ORDER BY f.tenant_id, f.fiscal_year;
