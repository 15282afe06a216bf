-- name: ReceiptSeriesNext :one
-- Takes the next number of a series for a fiscal year, in the committing
-- transaction: the row stays locked until it commits, and a rollback gives
-- the number back, so numbers have no gaps.
INSERT INTO receipt_series (tenant_id, series, fiscal_year, last_number)
VALUES (@tenant_id, @series, @fiscal_year, 1)
    ON CONFLICT (tenant_id, series, fiscal_year) DO UPDATE SET last_number = receipt_series.last_number + 1
RETURNING last_number;

-- name: ReceiptInsert :one
INSERT INTO receipts (tenant_id, series, fiscal_year, serial, number, receipt_date, mode, amount, fund_code,
                      debit_account, payer_name, instrument_no, instrument_date, bank_name, branch, voucher_id,
                      rebate_voucher_id, idempotency_key, request_hash, collected_by, cheque_status)
VALUES (@tenant_id, @series, @fiscal_year, @serial, @number, @receipt_date, @mode, @amount, @fund_code,
        @debit_account, @payer_name, @instrument_no, sqlc.narg(instrument_date), @bank_name, @branch, @voucher_id,
        sqlc.narg(rebate_voucher_id), @idempotency_key, @request_hash, @collected_by, sqlc.narg(cheque_status))
RETURNING id;

-- name: ReceiptItemInsertMany :exec
INSERT INTO receipt_items (tenant_id, receipt_id, item_no, service, consumer_code, amount, rebate, advance)
SELECT @tenant_id::text, @receipt_id::bigint, unnest(@item_nos::smallint[]), unnest(@services::text[]),
       unnest(@consumer_codes::text[]), unnest(@amounts::numeric[]), unnest(@rebates::numeric[]),
       unnest(@advances::numeric[]);

-- name: ReceiptAllocationInsertMany :exec
INSERT INTO receipt_allocations (tenant_id, receipt_id, demand_id, line_no, kind, amount)
SELECT @tenant_id::text, @receipt_id::bigint, unnest(@demand_ids::bigint[]), unnest(@line_nos::smallint[]),
       unnest(@kinds::text[]), unnest(@amounts::numeric[]);

-- name: ReceiptByKey :one
SELECT id, request_hash FROM receipts WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: ReceiptIDByNumber :one
SELECT id FROM receipts WHERE tenant_id = @tenant_id AND number = @number;

-- name: ReceiptGetMany :many
SELECT * FROM receipts WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[]) ORDER BY id;

-- name: ReceiptItemsOf :many
SELECT * FROM receipt_items WHERE tenant_id = @tenant_id AND receipt_id = ANY(@receipt_ids::bigint[])
 ORDER BY receipt_id, item_no;

-- name: ReceiptAllocationsOf :many
-- A receipt's allocations with the demand and head they settle.
SELECT a.receipt_id, a.demand_id, a.line_no, a.kind, a.amount, l.head_code, d.service, d.consumer_code,
       d.period_from, d.period_to
  FROM receipt_allocations a
  JOIN demand_lines l ON l.tenant_id = a.tenant_id AND l.demand_id = a.demand_id AND l.line_no = a.line_no
  JOIN demands d ON d.tenant_id = a.tenant_id AND d.id = a.demand_id
 WHERE a.tenant_id = @tenant_id AND a.receipt_id = ANY(@receipt_ids::bigint[])
 ORDER BY a.receipt_id, d.period_from, a.demand_id, a.line_no, a.kind;

-- name: ReceiptList :many
-- Receipts newest first, optionally of one day range, consumer, cashier or
-- status, a page after the cursor (an id).
SELECT r.id
  FROM receipts r
 WHERE r.tenant_id = @tenant_id
   AND r.receipt_date BETWEEN @from_date::date AND @to_date::date
   AND (@collected_by::text = '' OR r.collected_by = @collected_by::text)
   AND (@status::text = '' OR r.status = @status::text)
   AND (@consumer_code::text = '' OR EXISTS (SELECT 1 FROM receipt_items i
                                             WHERE i.tenant_id = r.tenant_id AND i.receipt_id = r.id
                                               AND i.consumer_code = @consumer_code::text))
   AND (@before_id::bigint = 0 OR r.id < @before_id::bigint)
 ORDER BY r.id DESC
 LIMIT @page_size::integer;

-- name: ReceiptLock :one
SELECT * FROM receipts WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: ReceiptUndo :exec
-- Marks a receipt cancelled or dishonoured (the lifecycle trigger refuses
-- any other move).
UPDATE receipts
   SET status = @status, undone_on = @undone_on, undone_by = @undone_by, undo_reason = @undo_reason,
       undo_voucher_id = @undo_voucher_id,
       cheque_status = CASE WHEN @status::text = 'dishonoured' THEN 'dishonoured' ELSE cheque_status END,
       dishonour_demand_id = sqlc.narg(dishonour_demand_id)
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: ReceiptLockMany :many
SELECT * FROM receipts WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[]) ORDER BY id FOR UPDATE;

-- name: ReceiptDeposit :exec
UPDATE receipts SET cheque_status = 'deposited', deposit_id = @deposit_id
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[]);

-- name: ReceiptRealise :exec
UPDATE receipts SET cheque_status = 'realised', realised_on = @realised_on
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[]);

-- name: ReceiptCashUnremittedLock :many
-- A cashier's cash receipts of a day not yet remitted, locked in id order.
SELECT id, amount, fund_code
  FROM receipts
 WHERE tenant_id = @tenant_id AND collected_by = @collected_by AND receipt_date = @receipt_date
   AND mode = 'cash' AND status = 'valid' AND remittance_id IS NULL
 ORDER BY id
   FOR UPDATE;

-- name: ReceiptRemit :exec
UPDATE receipts SET remittance_id = @remittance_id WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[]);

-- name: ReceiptSummaryByMode :many
-- A day range's receipts by cashier, mode and status.
SELECT collected_by, mode, status, count(*)::integer AS receipts, sum(amount)::numeric AS amount
  FROM receipts
 WHERE tenant_id = @tenant_id AND receipt_date BETWEEN @from_date::date AND @to_date::date
   AND (@collected_by::text = '' OR collected_by = @collected_by::text)
 GROUP BY collected_by, mode, status
 ORDER BY collected_by, mode, status;

-- name: ReceiptCashUnremitted :many
-- Cash collected up to a day and not remitted (nor cancelled), by cashier
-- and day: the cash in hand, to age.
SELECT collected_by, receipt_date, count(*)::integer AS receipts, sum(amount)::numeric AS amount
  FROM receipts
 WHERE tenant_id = @tenant_id AND mode = 'cash' AND status = 'valid' AND remittance_id IS NULL
   AND receipt_date <= @as_of::date
   AND (@collected_by::text = '' OR collected_by = @collected_by::text)
 GROUP BY collected_by, receipt_date
 ORDER BY collected_by, receipt_date;

-- name: ReceiptCashBook :one
-- The cash book: cash receipts standing (not cancelled) less cash remitted;
-- and the cheques and drafts still in hand.
SELECT (coalesce((SELECT sum(amount) FROM receipts r
                   WHERE r.tenant_id = @tenant_id AND r.mode = 'cash' AND r.status = 'valid'), 0)
      - coalesce((SELECT sum(amount) FROM cash_remittances m WHERE m.tenant_id = @tenant_id), 0))::numeric AS cash,
       coalesce((SELECT sum(amount) FROM receipts r
                  WHERE r.tenant_id = @tenant_id AND r.cheque_status = 'in_hand' AND r.status = 'valid'), 0)::numeric AS cheques;

-- name: ChequeDepositInsert :one
INSERT INTO cheque_deposits (tenant_id, deposit_date, bank_account, slip_no, amount, voucher_id, idempotency_key,
                             request_hash, deposited_by)
VALUES (@tenant_id, @deposit_date, @bank_account, @slip_no, @amount, @voucher_id, @idempotency_key,
        @request_hash, @deposited_by)
RETURNING *;

-- name: ChequeDepositByKey :one
SELECT * FROM cheque_deposits WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: ChequeDepositGet :one
SELECT * FROM cheque_deposits WHERE tenant_id = @tenant_id AND id = @id;

-- name: CashRemittanceInsert :one
INSERT INTO cash_remittances (tenant_id, remit_date, cashier, collected_on, bank_account, slip_no, amount, voucher_id,
                              idempotency_key, request_hash, remitted_by)
VALUES (@tenant_id, @remit_date, @cashier, @collected_on, @bank_account, @slip_no, @amount, @voucher_id,
        @idempotency_key, @request_hash, @remitted_by)
RETURNING *;

-- name: CashRemittanceByKey :one
SELECT * FROM cash_remittances WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;
