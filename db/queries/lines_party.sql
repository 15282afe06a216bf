-- name: LinePartyBalances :many
-- Per account and party (sub-ledger), the balance (debit positive) of the
-- lines dated up to as_of on the heads beginning with one of the prefixes:
-- the sub-ledger registers (deposits, advances) read it and tie its total
-- to the maintained balances. Parties whose balance is nil are left out.
SELECT l.account_code, a.name AS account_name, l.party,
       sum(l.debit - l.credit)::numeric AS balance
  FROM voucher_lines l
  JOIN accounts a ON a.tenant_id = l.tenant_id AND a.code = l.account_code
 WHERE l.tenant_id = @tenant_id
   AND l.voucher_date <= @as_of::date
   AND l.account_code LIKE ANY (@prefixes::text[])
 GROUP BY l.account_code, a.name, l.party
HAVING sum(l.debit - l.credit) <> 0
 ORDER BY l.account_code, l.party;
