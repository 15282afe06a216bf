-- name: BalanceAddMany :exec
-- Adds one batch's movements. Callers pass the keys sorted, so concurrent
-- batches lock balance rows in the same order.
INSERT INTO balances AS b (tenant_id, account_code, fund_code, function_code, fiscal_year, period, debit, credit)
SELECT @tenant_id::text, unnest(@account_codes::text[]), unnest(@fund_codes::text[]), unnest(@function_codes::text[]),
       unnest(@fiscal_years::integer[]), unnest(@periods::smallint[]), unnest(@debits::numeric[]), unnest(@credits::numeric[])
ON CONFLICT (tenant_id, account_code, fund_code, function_code, fiscal_year, period)
DO UPDATE SET debit = b.debit + excluded.debit, credit = b.credit + excluded.credit;

-- name: BalanceTrial :many
-- Per account: the balance brought forward from earlier years, and this
-- year's movements up to and including through_period, plus the lines dated
-- [lines_from, lines_to] (the part of a month an as-of date cuts into).
WITH movement AS (
    SELECT b.account_code,
           sum(CASE WHEN b.fiscal_year < @fiscal_year::integer THEN b.debit - b.credit ELSE 0 END) AS opening,
           sum(CASE WHEN b.fiscal_year = @fiscal_year::integer THEN b.debit ELSE 0 END) AS debit,
           sum(CASE WHEN b.fiscal_year = @fiscal_year::integer THEN b.credit ELSE 0 END) AS credit
      FROM balances b
     WHERE b.tenant_id = @tenant_id
       AND (b.fiscal_year < @fiscal_year::integer OR (b.fiscal_year = @fiscal_year::integer AND b.period <= @through_period::smallint))
       AND (@fund_code::text = '' OR b.fund_code = @fund_code::text)
     GROUP BY b.account_code
    UNION ALL
    SELECT l.account_code, 0, sum(l.debit), sum(l.credit)
      FROM vouchers v
      JOIN voucher_lines l ON l.tenant_id = v.tenant_id AND l.voucher_id = v.id
     WHERE v.tenant_id = @tenant_id
       AND v.voucher_date BETWEEN @lines_from::date AND @lines_to::date
       AND (@fund_code::text = '' OR l.fund_code = @fund_code::text)
     GROUP BY l.account_code
)
SELECT m.account_code, a.name AS account_name,
       sum(m.opening)::numeric AS opening,
       sum(m.debit)::numeric AS debit,
       sum(m.credit)::numeric AS credit
  FROM movement m
  JOIN accounts a ON a.tenant_id = @tenant_id AND a.code = m.account_code
 GROUP BY m.account_code, a.name
 ORDER BY m.account_code;

-- name: BalanceAccountBefore :one
-- An account's balance (debit positive) from every period before the given
-- one, optionally within one fund.
SELECT coalesce(sum(debit - credit), 0)::numeric AS balance
  FROM balances
 WHERE tenant_id = @tenant_id AND account_code = @account_code
   AND (fiscal_year < @fiscal_year::integer OR (fiscal_year = @fiscal_year::integer AND period < @period::smallint));

-- name: BalanceMismatches :many
-- Balance rows that differ from the sum of their lines: must always be empty.
WITH from_lines AS (
    SELECT l.account_code, l.fund_code, l.function_code, p.fiscal_year, p.period,
           sum(l.debit) AS debit, sum(l.credit) AS credit
      FROM voucher_lines l
      JOIN periods p ON p.tenant_id = l.tenant_id AND l.voucher_date BETWEEN p.starts_on AND p.ends_on
     WHERE l.tenant_id = @tenant_id
     GROUP BY 1, 2, 3, 4, 5
)
SELECT coalesce(b.account_code, f.account_code)::text AS account_code,
       coalesce(b.fund_code, f.fund_code)::text AS fund_code,
       coalesce(b.function_code, f.function_code)::text AS function_code,
       coalesce(b.fiscal_year, f.fiscal_year)::integer AS fiscal_year,
       coalesce(b.period, f.period)::smallint AS period,
       coalesce(b.debit, 0)::numeric AS balance_debit, coalesce(f.debit, 0)::numeric AS lines_debit,
       coalesce(b.credit, 0)::numeric AS balance_credit, coalesce(f.credit, 0)::numeric AS lines_credit
  FROM (SELECT bb.account_code, bb.fund_code, bb.function_code, bb.fiscal_year, bb.period, bb.debit, bb.credit
          FROM balances bb WHERE bb.tenant_id = @tenant_id) b
  FULL JOIN from_lines f USING (account_code, fund_code, function_code, fiscal_year, period)
 WHERE coalesce(b.debit, 0) <> coalesce(f.debit, 0) OR coalesce(b.credit, 0) <> coalesce(f.credit, 0);
