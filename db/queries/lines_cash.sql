-- name: LineCashContra :many
-- The receipts and payments account's one read of lines: per account other
-- than cash and bank (450), what vouchers touching cash or bank dated
-- [from_date, to_date] credited to it net (receipts) and debited to it net
-- (payments), netted per voucher. Vouchers are found through
-- voucher_lines_by_account (a range of 450 heads and dates), and their
-- other lines through the primary key: the cost follows the cash vouchers
-- of the range, not the ledger's size.
WITH cash_vouchers AS (
    SELECT DISTINCT c.voucher_id
      FROM voucher_lines c
     WHERE c.tenant_id = @tenant_id
       AND c.account_code >= '4500000' AND c.account_code < '4510000'
       AND c.voucher_date BETWEEN @from_date AND @to_date
), per_voucher AS (
    SELECT l.account_code, sum(l.credit - l.debit) AS net
      FROM cash_vouchers v
      JOIN voucher_lines l ON l.tenant_id = @tenant_id AND l.voucher_id = v.voucher_id
     WHERE l.account_code NOT BETWEEN '4500000' AND '4509999'
     GROUP BY l.voucher_id, l.account_code
)
SELECT p.account_code, a.name AS account_name,
       coalesce(sum(CASE WHEN p.net > 0 THEN p.net ELSE 0 END), 0)::numeric AS receipts,
       coalesce(sum(CASE WHEN p.net < 0 THEN -p.net ELSE 0 END), 0)::numeric AS payments
  FROM per_voucher p
  JOIN accounts a ON a.tenant_id = @tenant_id AND a.code = p.account_code
 GROUP BY p.account_code, a.name
 ORDER BY p.account_code;
