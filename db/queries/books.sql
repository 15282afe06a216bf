-- name: LineSumBefore :one
-- An account's (optionally one party's) balance from lines dated in
-- [from_date, before_date), debit positive.
SELECT coalesce(sum(debit - credit), 0)::numeric AS balance
  FROM voucher_lines
 WHERE tenant_id = @tenant_id AND account_code = @account_code
   AND (@party::text = '' OR party = @party::text)
   AND voucher_date >= @from_date AND voucher_date < @before_date;

-- name: LineStatementPage :many
-- One account's lines in [from_date, to_date] after a keyset cursor.
SELECT l.voucher_date, l.voucher_id, l.line_no, v.number, v.voucher_type, v.narration,
       l.fund_code, l.function_code, l.field_code, l.party, l.debit, l.credit
  FROM voucher_lines l
  JOIN vouchers v ON v.tenant_id = l.tenant_id AND v.id = l.voucher_id
 WHERE l.tenant_id = @tenant_id AND l.account_code = @account_code
   AND (@party::text = '' OR l.party = @party::text)
   AND l.voucher_date BETWEEN @from_date AND @to_date
   AND (l.voucher_date, l.voucher_id, l.line_no) > (@after_date::date, @after_id::bigint, @after_line::smallint)
 ORDER BY l.voucher_date, l.voucher_id, l.line_no
 LIMIT @row_limit;
