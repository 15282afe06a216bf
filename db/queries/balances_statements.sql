-- name: BalanceStatementAccounts :many
-- Per account, from the maintained balances only (debit positive): the
-- balance at the end of through_period of fiscal_year (closing), that
-- year's movement up to then (year_movement), the balance at the end of
-- the previous fiscal year (previous_closing) and the previous year's whole
-- movement (previous_year_movement; previous_year is fiscal_year - 1).
-- year_closing and previous_year_closing are the parts of those movements
-- made by year-end closing vouchers (year_closing_vouchers.closing): the
-- income and expenditure statement and the cash flow leave them out.
-- Optionally within one fund.
WITH per_account AS (
    SELECT b.account_code,
           sum(b.debit - b.credit) AS closing,
           sum(CASE WHEN b.fiscal_year = @fiscal_year::integer THEN b.debit - b.credit ELSE 0 END) AS year_movement,
           sum(CASE WHEN b.fiscal_year < @fiscal_year::integer THEN b.debit - b.credit ELSE 0 END) AS previous_closing,
           sum(CASE WHEN b.fiscal_year = @previous_year::integer THEN b.debit - b.credit ELSE 0 END) AS previous_year_movement
      FROM balances b
     WHERE b.tenant_id = @tenant_id
       AND (b.fiscal_year < @fiscal_year::integer
            OR (b.fiscal_year = @fiscal_year::integer AND b.period <= @through_period::smallint))
       AND (@fund_code::text = '' OR b.fund_code = @fund_code::text)
     GROUP BY b.account_code
), closing_entries AS (
    SELECT l.account_code,
           sum(CASE WHEN v.fiscal_year = @fiscal_year::integer THEN l.debit - l.credit ELSE 0 END) AS year_closing,
           sum(CASE WHEN v.fiscal_year = @previous_year::integer THEN l.debit - l.credit ELSE 0 END) AS previous_year_closing
      FROM year_closing_vouchers c
      JOIN vouchers v ON v.tenant_id = c.tenant_id AND v.id = c.voucher_id
      JOIN voucher_lines l ON l.tenant_id = v.tenant_id AND l.voucher_id = v.id
     WHERE c.tenant_id = @tenant_id AND c.closing
       AND c.fiscal_year IN (@fiscal_year::integer, @previous_year::integer)
       AND (v.fiscal_year = @previous_year::integer
            OR (v.fiscal_year = @fiscal_year::integer AND v.period <= @through_period::smallint))
       AND (@fund_code::text = '' OR l.fund_code = @fund_code::text)
     GROUP BY l.account_code
)
SELECT p.account_code, a.name AS account_name,
       coalesce(p.closing, 0)::numeric AS closing,
       coalesce(p.year_movement, 0)::numeric AS year_movement,
       coalesce(p.previous_closing, 0)::numeric AS previous_closing,
       coalesce(p.previous_year_movement, 0)::numeric AS previous_year_movement,
       coalesce(ce.year_closing, 0)::numeric AS year_closing,
       coalesce(ce.previous_year_closing, 0)::numeric AS previous_year_closing
  FROM per_account p
  JOIN accounts a ON a.tenant_id = @tenant_id AND a.code = p.account_code
  LEFT JOIN closing_entries ce ON ce.account_code = p.account_code
 ORDER BY p.account_code;

-- name: AccountMajorHeads :many
-- The tenant's major heads, for schedule titles.
SELECT code, name, kind
  FROM accounts
 WHERE tenant_id = @tenant_id AND level = 'major'
 ORDER BY code;

-- name: TenantKeyFigures :one
-- One tenant's key figures for a state's table, from its maintained balances up to
-- through_period of fiscal_year: the year's debits to the 431 receivables
-- (demand raised, and reinstated) and credits to them (collected, rebated,
-- remitted), and the 431 and 450 (cash and bank) balances. (The year's
-- surplus is taken from the statement rows, which leave closing vouchers
-- out.)
SELECT t.tenant_id, t.name AS ulb_name,
       coalesce(sum(b.debit) FILTER (WHERE left(b.account_code, 3) = '431' AND b.fiscal_year = @fiscal_year::integer), 0)::numeric AS demand,
       coalesce(sum(b.credit) FILTER (WHERE left(b.account_code, 3) = '431' AND b.fiscal_year = @fiscal_year::integer), 0)::numeric AS collection,
       coalesce(sum(b.debit - b.credit) FILTER (WHERE left(b.account_code, 3) = '431'), 0)::numeric AS receivables,
       coalesce(sum(b.debit - b.credit) FILTER (WHERE left(b.account_code, 3) = '450'), 0)::numeric AS cash_and_bank
  FROM tenants t
  LEFT JOIN balances b ON b.tenant_id = t.tenant_id
        AND (b.fiscal_year < @fiscal_year::integer
             OR (b.fiscal_year = @fiscal_year::integer AND b.period <= @through_period::smallint))
 WHERE t.tenant_id = @tenant_id
 GROUP BY t.tenant_id, t.name;

-- name: TenantsOfState :many
-- The tenants whose ids match tenant_pattern ("uk.%": a state's ULBs).
SELECT tenant_id, name
  FROM tenants
 WHERE tenant_id LIKE @tenant_pattern::text
 ORDER BY tenant_id;
