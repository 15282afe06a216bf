-- name: YearClosingFiscalYearLock :one
-- Locks a fiscal year against a concurrent close or reopening.
SELECT fiscal_year, starts_on, ends_on
  FROM fiscal_years
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year
   FOR UPDATE;

-- name: YearClosingFiscalYearExists :one
SELECT EXISTS (SELECT 1 FROM fiscal_years WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year);

-- name: YearClosingEarliestOpenBefore :many
-- Opened fiscal years before fiscal_year with no standing close.
SELECT f.fiscal_year
  FROM fiscal_years f
 WHERE f.tenant_id = @tenant_id AND f.fiscal_year < @fiscal_year::integer
   AND NOT EXISTS (SELECT 1 FROM year_closings c
                    WHERE c.tenant_id = f.tenant_id AND c.fiscal_year = f.fiscal_year AND c.status = 'closed')
 ORDER BY f.fiscal_year
 LIMIT 1;

-- name: YearClosingStanding :many
-- The standing close of a fiscal year, if any.
SELECT tenant_id, fiscal_year, attempt, status, closed_by, closed_at, surplus, reopened_by, reopened_at, reopen_reason
  FROM year_closings
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND status = 'closed';

-- name: YearClosingNextAttempt :one
SELECT (coalesce(max(attempt), 0) + 1)::integer AS attempt
  FROM year_closings
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year;

-- name: YearClosingInsert :exec
INSERT INTO year_closings (tenant_id, fiscal_year, attempt, closed_by, surplus)
VALUES (@tenant_id, @fiscal_year, @attempt, @closed_by, @surplus);

-- name: YearClosingSetReopened :exec
UPDATE year_closings
   SET status = 'reopened', reopened_by = @reopened_by, reopened_at = now(), reopen_reason = @reopen_reason
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND attempt = @attempt AND status = 'closed';

-- name: YearClosingVoucherInsert :exec
INSERT INTO year_closing_vouchers (tenant_id, voucher_id, fiscal_year, attempt, purpose, closing)
VALUES (@tenant_id, @voucher_id, @fiscal_year, @attempt, @purpose, @closing);

-- name: YearClosingVouchers :many
-- The closing vouchers a close posted (not their reversals, not the move
-- to arrears), in posting order.
SELECT voucher_id, purpose
  FROM year_closing_vouchers
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND attempt = @attempt AND closing AND purpose <> 'reversal'
 ORDER BY voucher_id;

-- name: YearClosingIncomeExpenditureBalances :many
-- Every income and expenditure head's balance (debit positive) per fund and
-- function at the end of fiscal_year: what the close brings to zero.
SELECT b.account_code, b.fund_code, b.function_code, sum(b.debit - b.credit)::numeric AS balance
  FROM balances b
  JOIN accounts a ON a.tenant_id = b.tenant_id AND a.code = b.account_code
 WHERE b.tenant_id = @tenant_id AND b.fiscal_year <= @fiscal_year::integer AND a.kind IN ('I', 'E')
 GROUP BY b.account_code, b.fund_code, b.function_code
HAVING sum(b.debit - b.credit) <> 0
 ORDER BY b.account_code, b.fund_code, b.function_code;

-- name: YearClosingPendingDrafts :one
-- Journal vouchers entered but neither approved nor rejected, dated in [from, to].
SELECT count(*)::integer
  FROM voucher_drafts
 WHERE tenant_id = @tenant_id AND status = 'draft'
   AND (body->>'date')::date BETWEEN @from_date::date AND @to_date::date;

-- name: YearClosingPeriodsSet :many
-- Closes (or reopens) every period of a year that is not so already,
-- returning the periods changed.
UPDATE periods SET closed = @closed
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND closed <> @closed
RETURNING period;

-- name: YearEventInsert :exec
INSERT INTO year_events (tenant_id, fiscal_year, attempt, action, actor, reason)
VALUES (@tenant_id, @fiscal_year, @attempt, @action, @actor, @reason);

-- name: YearEventList :many
SELECT id, fiscal_year, attempt, action, actor, reason, at
  FROM year_events
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year
 ORDER BY id;

-- name: ArrearsYearExists :one
SELECT EXISTS (SELECT 1 FROM arrears_years WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year);

-- name: ArrearsYearInsert :exec
INSERT INTO arrears_years (tenant_id, fiscal_year, moved, moved_by)
VALUES (@tenant_id, @fiscal_year, @moved, @moved_by);

-- name: ArrearsOutstanding :many
-- What fiscal_year's demands leave unpaid on the given receivable
-- accounts, per account, fund, function, ward and consumer (the
-- sub-ledger the control account is kept by). Opening arrears are on the
-- arrears head already.
SELECT h.receivable_account, h.fund_code, h.function_code, d.ward, d.consumer_code,
       sum(l.amount + l.adjusted - l.collected)::numeric AS outstanding
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
  JOIN tax_heads h ON h.tenant_id = d.tenant_id AND h.service = d.service AND h.code = l.head_code
 WHERE d.tenant_id = @tenant_id AND d.fiscal_year = @fiscal_year AND d.source <> 'opening'
   AND h.receivable_account = ANY(@codes::text[])
 GROUP BY 1, 2, 3, 4, 5
HAVING sum(l.amount + l.adjusted - l.collected) <> 0
 ORDER BY 1, 2, 3, 4, 5;

-- name: ArrearsYearList :many
-- The fiscal years whose demands are in arrears.
SELECT fiscal_year FROM arrears_years WHERE tenant_id = @tenant_id ORDER BY fiscal_year;
