-- name: BudgetLineInsert :one
INSERT INTO budget_lines (tenant_id, fiscal_year, head_code, function_code, fund_code, department, name, control, created_by)
VALUES (@tenant_id, @fiscal_year, @head_code, @function_code, @fund_code, @department, @name, @control, @created_by)
RETURNING *;

-- name: BudgetLineYearLock :exec
-- Serialises changes to the set of a year's lines (so two overlapping
-- lines cannot be created at once) without blocking the lines' own rows.
SELECT pg_advisory_xact_lock(hashtextextended('budget_lines:' || @tenant_id::text || ':' || @fiscal_year::integer, 0));

-- name: BudgetLineOverlapping :many
-- Lines of the year on the same function and fund whose head contains, or
-- is contained in, head_code.
SELECT *
  FROM budget_lines
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND function_code = @function_code AND fund_code = @fund_code
   AND (starts_with(head_code, @head_code::text) OR starts_with(@head_code::text, head_code));

-- name: BudgetLineMatch :many
-- The lines of the year that could cover spending on the given function
-- and fund (their heads are prefixes of the spent head; Go picks).
SELECT *
  FROM budget_lines
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year AND function_code = @function_code AND fund_code = @fund_code;

-- name: BudgetLineLockMany :many
-- Locks lines in id order, the one order every writer takes them in, so
-- concurrent bills on the same lines queue rather than deadlock.
SELECT *
  FROM budget_lines
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id
   FOR UPDATE;

-- name: BudgetLineGetMany :many
SELECT *
  FROM budget_lines
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: BudgetLineList :many
SELECT *
  FROM budget_lines
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year
 ORDER BY head_code, function_code, fund_code;

-- name: BudgetLineSetEstimate :exec
-- Applies an approved estimate's amounts: a BE sets be, an RE sets re, a
-- supplementary provision adds to supplementary.
UPDATE budget_lines l
   SET be = CASE WHEN @kind::text = 'be' THEN a.amount ELSE l.be END,
       re = CASE WHEN @kind::text = 're' THEN a.amount ELSE l.re END,
       has_re = l.has_re OR @kind::text = 're',
       supplementary = CASE WHEN @kind::text = 'supplementary' THEN l.supplementary + a.amount ELSE l.supplementary END
  FROM budget_estimate_amounts a
 WHERE a.tenant_id = l.tenant_id AND a.line_id = l.id AND a.tenant_id = @tenant_id AND a.estimate_id = @estimate_id;

-- name: BudgetLineAddTotals :exec
-- Moves a locked line's running totals by the given deltas.
UPDATE budget_lines
   SET reappropriated = reappropriated + @reappropriated::numeric,
       committed = committed + @committed::numeric,
       actual = actual + @actual::numeric
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: BudgetLineLedgerActuals :many
-- Net debits the ledger holds, for the year, on the heads of each line (a
-- line's group covers every detailed head under it), its function and fund,
-- leaving out the year-end closing vouchers (and their reversals), which
-- bring a closed year's expenditure heads to nil.
SELECT l.id AS line_id,
       (coalesce((SELECT sum(b.debit - b.credit) FROM balances b
                   WHERE b.tenant_id = l.tenant_id AND b.fiscal_year = l.fiscal_year
                     AND b.fund_code = l.fund_code AND b.function_code = l.function_code
                     AND starts_with(b.account_code, l.head_code)), 0)
        - coalesce((SELECT sum(vl.debit - vl.credit) FROM year_closing_vouchers c
                      JOIN voucher_lines vl ON vl.tenant_id = c.tenant_id AND vl.voucher_id = c.voucher_id
                     WHERE c.tenant_id = l.tenant_id AND c.fiscal_year = l.fiscal_year AND c.closing
                       AND vl.fund_code = l.fund_code AND vl.function_code = l.function_code
                       AND starts_with(vl.account_code, l.head_code)), 0))::numeric AS net_debit
  FROM budget_lines l
 WHERE l.tenant_id = @tenant_id AND l.fiscal_year = @fiscal_year
 ORDER BY l.id;
