-- name: ProvisionRateList :many
SELECT band, rate FROM provision_rates WHERE tenant_id = @tenant_id ORDER BY band;

-- name: ProvisionRateSet :exec
INSERT INTO provision_rates (tenant_id, band, rate, set_by)
VALUES (@tenant_id, @band, @rate, @set_by)
ON CONFLICT (tenant_id, band) DO UPDATE SET rate = excluded.rate, set_by = excluded.set_by, set_at = now();

-- name: ProvisionOutstandingByBand :many
-- What the demand register held outstanding at the end of as_of (the
-- balance sheet date) of the tenant's own revenue (heads whose income
-- account is an income head: not cesses collected for the state) on
-- demands of fiscal_year or earlier raised by as_of, per receivable
-- account, fund, function and age band of the due date as of as_of (band
-- 1: due after one_year_before, 2: after two_years_before, 3: after
-- three_years_before, 4: earlier). A line's outstanding now is rolled back
-- to as_of: what settled it after as_of is added back (payments and rebates
-- of receipts dated after as_of that still count, advances applied by
-- journals dated after as_of), what was taken off it after as_of is taken
-- off again (receipts dated by as_of but cancelled or dishonoured after it,
-- advances reinstated after it), and amendments approved with a date after
-- as_of are undone.
WITH later AS (
    SELECT ra.demand_id, ra.line_no, ra.amount AS back
      FROM receipt_allocations ra
      JOIN receipts r ON r.tenant_id = ra.tenant_id AND r.id = ra.receipt_id
     WHERE ra.tenant_id = @tenant_id AND r.receipt_date > @as_of::date AND r.status = 'valid'
    UNION ALL
    SELECT ra.demand_id, ra.line_no, -ra.amount
      FROM receipt_allocations ra
      JOIN receipts r ON r.tenant_id = ra.tenant_id AND r.id = ra.receipt_id
     WHERE ra.tenant_id = @tenant_id AND r.receipt_date <= @as_of::date AND r.status <> 'valid'
       AND r.undone_on > @as_of::date
    UNION ALL
    SELECT aa.demand_id, aa.line_no, CASE aa.kind WHEN 'applied' THEN aa.amount ELSE -aa.amount END
      FROM advance_allocations aa
      JOIN vouchers v ON v.tenant_id = aa.tenant_id AND v.id = aa.voucher_id
     WHERE aa.tenant_id = @tenant_id AND v.voucher_date > @as_of::date
    UNION ALL
    SELECT al.demand_id, al.line_no, -al.delta
      FROM demand_amendment_lines al
      JOIN demand_amendments m ON m.tenant_id = al.tenant_id AND m.id = al.amendment_id
     WHERE al.tenant_id = @tenant_id AND m.status = 'approved' AND m.amendment_date > @as_of::date
), later_by_line AS (
    SELECT demand_id, line_no, sum(back) AS back FROM later GROUP BY demand_id, line_no
)
SELECT h.receivable_account, h.fund_code, h.function_code,
       (CASE WHEN d.due_date > @one_year_before::date THEN 1
             WHEN d.due_date > @two_years_before::date THEN 2
             WHEN d.due_date > @three_years_before::date THEN 3
             ELSE 4 END)::smallint AS band,
       sum(l.amount + l.adjusted - l.collected + coalesce(b.back, 0))::numeric AS outstanding
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
  JOIN tax_heads h ON h.tenant_id = d.tenant_id AND h.service = d.service AND h.code = l.head_code
  JOIN accounts a ON a.tenant_id = h.tenant_id AND a.code = h.income_account
  LEFT JOIN later_by_line b ON b.demand_id = l.demand_id AND b.line_no = l.line_no
 WHERE d.tenant_id = @tenant_id AND d.fiscal_year <= @fiscal_year::integer AND d.demand_date <= @as_of::date
   AND a.kind = 'I'
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
