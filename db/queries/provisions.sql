-- name: ProvisionRateList :many
SELECT band, rate FROM provision_rates WHERE tenant_id = @tenant_id ORDER BY band;

-- name: ProvisionRateSet :exec
INSERT INTO provision_rates (tenant_id, band, rate, set_by)
VALUES (@tenant_id, @band, @rate, @set_by)
ON CONFLICT (tenant_id, band) DO UPDATE SET rate = excluded.rate, set_by = excluded.set_by, set_at = now();

-- name: ProvisionOutstandingByBand :many
-- What the demand register holds outstanding of the tenant's own revenue
-- (heads whose income account is an income head: not cesses collected for
-- the state) on demands of fiscal_year or earlier, per receivable account,
-- fund, function and age band of the due date as of as_of (band 1: due
-- after one_year_before, 2: after two_years_before, 3: after
-- three_years_before, 4: earlier).
SELECT h.receivable_account, h.fund_code, h.function_code,
       (CASE WHEN d.due_date > @one_year_before::date THEN 1
             WHEN d.due_date > @two_years_before::date THEN 2
             WHEN d.due_date > @three_years_before::date THEN 3
             ELSE 4 END)::smallint AS band,
       sum(l.amount + l.adjusted - l.collected)::numeric AS outstanding
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
  JOIN tax_heads h ON h.tenant_id = d.tenant_id AND h.service = d.service AND h.code = l.head_code
  JOIN accounts a ON a.tenant_id = h.tenant_id AND a.code = h.income_account
 WHERE d.tenant_id = @tenant_id AND d.fiscal_year <= @fiscal_year::integer AND a.kind = 'I'
 GROUP BY 1, 2, 3, 4
 ORDER BY 1, 2, 3, 4;

-- name: ProvisionHeld :many
-- The provision held (credit positive) on the given accounts per fund and
-- function at the end of fiscal_year.
SELECT account_code, fund_code, function_code, sum(credit - debit)::numeric AS held
  FROM balances
 WHERE tenant_id = @tenant_id AND fiscal_year <= @fiscal_year::integer AND account_code = ANY(@codes::text[])
 GROUP BY account_code, fund_code, function_code
 ORDER BY account_code, fund_code, function_code;

-- name: ProvisionRunNext :one
SELECT (coalesce(max(run_no), 0) + 1)::integer AS run_no
  FROM provision_runs
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year;

-- name: ProvisionRunInsert :exec
INSERT INTO provision_runs (tenant_id, fiscal_year, run_no, required, held_before, voucher_id, run_by)
VALUES (@tenant_id, @fiscal_year, @run_no, @required, @held_before, @voucher_id, @run_by);
