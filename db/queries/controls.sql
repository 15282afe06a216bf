-- Audit controls: the reads package controls makes to check a tenant's
-- books against their own rules. Each reads one tenant (@tenant_id).

-- name: ControlReceiptSeries :many
-- Per receipt series and fiscal year: the last number allocated, how many
-- receipts hold a number up to it (fewer than last_number means a gap) and
-- how many of them are cancelled or dishonoured.
SELECT s.series, s.fiscal_year, s.last_number,
       count(r.id)::bigint AS issued,
       count(r.id) FILTER (WHERE r.status = 'cancelled')::bigint AS cancelled,
       count(r.id) FILTER (WHERE r.status = 'dishonoured')::bigint AS dishonoured
  FROM receipt_series s
  LEFT JOIN receipts r ON r.tenant_id = s.tenant_id AND r.series = s.series AND r.fiscal_year = s.fiscal_year
                      AND r.serial <= s.last_number
 WHERE s.tenant_id = @tenant_id
 GROUP BY s.series, s.fiscal_year, s.last_number
 ORDER BY s.fiscal_year, s.series;

-- name: ControlReceiptMissing :many
-- The receipt numbers allocated but held by no receipt, at most max_rows.
SELECT s.series, s.fiscal_year, g.serial::bigint AS serial
  FROM receipt_series s
 CROSS JOIN LATERAL generate_series(1::bigint, s.last_number) AS g(serial)
 WHERE s.tenant_id = @tenant_id
   AND NOT EXISTS (SELECT 1 FROM receipts r
                    WHERE r.tenant_id = s.tenant_id AND r.series = s.series AND r.fiscal_year = s.fiscal_year
                      AND r.serial = g.serial)
 ORDER BY s.fiscal_year, s.series, g.serial
 LIMIT @max_rows;

-- name: ControlReceiptsUndone :many
-- Cancelled and dishonoured receipts (they keep their numbers), dated up to
-- as_of, at most max_rows.
SELECT number, receipt_date, amount, mode, status, undone_on::date AS undone_on,
       coalesce(undone_by, '')::text AS undone_by, undo_reason
  FROM receipts
 WHERE tenant_id = @tenant_id AND status <> 'valid' AND receipt_date <= @as_of::date
 ORDER BY receipt_date, series, serial
 LIMIT @max_rows;

-- name: ControlVoucherSeries :many
-- Per voucher type and fiscal year: the last serial allocated and how many
-- vouchers hold a serial up to it.
SELECT s.voucher_type, s.fiscal_year, s.last_number,
       count(v.id)::bigint AS issued,
       count(v.id) FILTER (WHERE v.reverses_id IS NOT NULL)::bigint AS reversals
  FROM voucher_series s
  LEFT JOIN vouchers v ON v.tenant_id = s.tenant_id AND v.voucher_type = s.voucher_type
                      AND v.fiscal_year = s.fiscal_year AND v.serial <= s.last_number
 WHERE s.tenant_id = @tenant_id
 GROUP BY s.voucher_type, s.fiscal_year, s.last_number
 ORDER BY s.fiscal_year, s.voucher_type;

-- name: ControlVoucherMissing :many
-- The voucher serials allocated but held by no voucher, at most max_rows.
SELECT s.voucher_type, s.fiscal_year, g.serial::bigint AS serial
  FROM voucher_series s
 CROSS JOIN LATERAL generate_series(1::bigint, s.last_number) AS g(serial)
 WHERE s.tenant_id = @tenant_id
   AND NOT EXISTS (SELECT 1 FROM vouchers v
                    WHERE v.tenant_id = s.tenant_id AND v.voucher_type = s.voucher_type
                      AND v.fiscal_year = s.fiscal_year AND v.serial = g.serial)
 ORDER BY s.fiscal_year, s.voucher_type, g.serial
 LIMIT @max_rows;

-- name: ControlVoucherReversals :many
-- Reversing vouchers dated up to as_of with the voucher each reverses, at
-- most max_rows.
SELECT v.number, v.voucher_date, v.total, v.reversal_reason, o.number AS reverses_number
  FROM vouchers v
  JOIN vouchers o ON o.tenant_id = v.tenant_id AND o.id = v.reverses_id
 WHERE v.tenant_id = @tenant_id AND v.voucher_date <= @as_of::date
 ORDER BY v.voucher_date, v.id
 LIMIT @max_rows;

-- name: ControlBankLinesUnmatched :many
-- Bank statement lines dated up to as_of that no voucher matched, oldest
-- first, at most max_rows.
SELECT bank_account, txn_date, reference, narration, debit, credit
  FROM bank_statement_lines
 WHERE tenant_id = @tenant_id AND matched_voucher_id IS NULL AND txn_date <= @as_of::date
 ORDER BY txn_date, id
 LIMIT @max_rows;

-- name: ControlFourEyesBreaches :many
-- Every approval whose checker is its maker: posted voucher drafts,
-- decided demand amendments, decided expenditure bills, approved gateway
-- refunds. The schema forbids each (CHECK constraints), so this is
-- expected to be empty; it proves it.
SELECT x.kind::text AS kind, x.id::bigint AS id, x.maker::text AS maker, x.checker::text AS checker
  FROM (SELECT 'voucher_draft' AS kind, d.id, d.maker, d.checker
          FROM voucher_drafts d WHERE d.tenant_id = @tenant_id::text AND d.checker = d.maker
        UNION ALL
        SELECT 'demand_amendment', a.id, a.proposed_by, a.decided_by
          FROM demand_amendments a WHERE a.tenant_id = @tenant_id::text AND a.decided_by = a.proposed_by
        UNION ALL
        SELECT 'expenditure_bill', b.id, b.created_by, b.decided_by
          FROM expenditure_bills b WHERE b.tenant_id = @tenant_id::text AND b.decided_by = b.created_by
        UNION ALL
        SELECT 'gateway_refund', f.id, f.proposed_by, f.approved_by
          FROM gateway_refunds f WHERE f.tenant_id = @tenant_id::text AND f.approved_by = f.proposed_by) x
 ORDER BY 1, 2;

-- name: ControlFourEyesCounts :one
-- How many approvals the four-eyes check looked at.
SELECT (SELECT count(*) FROM voucher_drafts d WHERE d.tenant_id = @tenant_id AND d.checker IS NOT NULL)::bigint AS drafts,
       (SELECT count(*) FROM demand_amendments a WHERE a.tenant_id = @tenant_id AND a.decided_by IS NOT NULL)::bigint AS amendments,
       (SELECT count(*) FROM expenditure_bills b WHERE b.tenant_id = @tenant_id AND b.decided_by IS NOT NULL)::bigint AS bills,
       (SELECT count(*) FROM gateway_refunds f WHERE f.tenant_id = @tenant_id AND f.approved_by IS NOT NULL)::bigint AS refunds;

-- name: ControlAdvanceSubLedger :many
-- The consumers' advances held, per advance head (credit balances).
SELECT account_code, sum(balance)::numeric AS amount
  FROM consumer_advances
 WHERE tenant_id = @tenant_id AND balance <> 0
 GROUP BY account_code
 ORDER BY account_code;

-- name: ControlPartySubLedger :many
-- Per detailed head from first_major up to (not including) after_major
-- ("340", "342": the deposit heads 340 and 341): the credit balance of its
-- voucher lines that name a party (the parties' sub-ledger) and of all its
-- lines (what the ledger holds), both over all time.
SELECT l.account_code,
       coalesce(sum(l.credit - l.debit) FILTER (WHERE l.party <> ''), 0)::numeric AS parties,
       sum(l.credit - l.debit)::numeric AS total
  FROM voucher_lines l
 WHERE l.tenant_id = @tenant_id
   -- A range of codes, so the lines' account index finds them.
   AND l.account_code >= @first_major::text AND l.account_code < @after_major::text
 GROUP BY l.account_code
 ORDER BY l.account_code;

-- name: ControlBalancesUnder :many
-- Ledger balances (credit positive) of the detailed heads whose codes
-- start with prefix, over all periods; heads never posted are left out.
SELECT account_code, sum(credit - debit)::numeric AS balance
  FROM balances
 WHERE tenant_id = @tenant_id AND starts_with(account_code, @prefix::text)
 GROUP BY account_code
 ORDER BY account_code;

-- name: ControlPeriods :many
-- Every period of every fiscal year the tenant opened, up to as_of's year.
SELECT fiscal_year, period, starts_on, ends_on, closed
  FROM periods
 WHERE tenant_id = @tenant_id AND starts_on <= @as_of::date
 ORDER BY fiscal_year, period;
