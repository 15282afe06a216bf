-- name: LineOpeningMovements :many
-- Per account, the debits and credits of the opening vouchers (a ULB's
-- opening trial balance, source_ref 'OPENING/...', and an opening asset
-- register, 'ASSET-IMPORT/...') dated from from_date to to_date: what a
-- year's schedule shows as brought forward, not as the year's movement.
SELECT l.account_code, sum(l.debit)::numeric AS debit, sum(l.credit)::numeric AS credit
  FROM vouchers v
  JOIN voucher_lines l ON l.tenant_id = v.tenant_id AND l.voucher_id = v.id
 WHERE v.tenant_id = @tenant_id
   AND v.voucher_date BETWEEN @from_date::date AND @to_date::date
   AND (v.source_ref LIKE 'OPENING/%' OR v.source_ref LIKE 'ASSET-IMPORT/%')
 GROUP BY l.account_code
 ORDER BY l.account_code;
