-- name: ExpenditureBillInsert :one
-- Records a bill; returns no row when its idempotency key is taken.
INSERT INTO expenditure_bills (tenant_id, party_code, party_bill_number, bill_date, commitment_id, narration, fund_code,
                               creditor_account, gross, deductions, idempotency_key, request_hash, created_by)
VALUES (@tenant_id, @party_code, @party_bill_number, @bill_date, @commitment_id, @narration, @fund_code,
        @creditor_account, @gross, @deductions, @idempotency_key, @request_hash, @created_by)
    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING id;

-- name: ExpenditureBillByKey :one
SELECT id, request_hash
  FROM expenditure_bills
 WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: ExpenditureBillLineInsertMany :exec
INSERT INTO expenditure_bill_lines (tenant_id, bill_id, line_no, account_code, function_code, description, amount)
SELECT @tenant_id::text, @bill_id::bigint, unnest(@line_nos::smallint[]), unnest(@account_codes::text[]),
       unnest(@function_codes::text[]), unnest(@descriptions::text[]), unnest(@amounts::numeric[]);

-- name: ExpenditureBillDeductionInsertMany :exec
INSERT INTO expenditure_bill_deductions (tenant_id, bill_id, line_no, kind, account_code, amount)
SELECT @tenant_id::text, @bill_id::bigint, unnest(@line_nos::smallint[]), unnest(@kinds::text[]),
       unnest(@account_codes::text[]), unnest(@amounts::numeric[]);

-- name: ExpenditureBillGetForUpdate :one
SELECT *
  FROM expenditure_bills
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: ExpenditureBillGetMany :many
SELECT *
  FROM expenditure_bills
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: ExpenditureBillList :many
-- Bills in id order, optionally of one party and in one status.
SELECT *
  FROM expenditure_bills
 WHERE tenant_id = @tenant_id
   AND (@party_code::text = '' OR party_code = @party_code::text)
   AND (@status::text = '' OR status = @status::text)
   AND id > @after_id::bigint
 ORDER BY id
 LIMIT @row_limit::integer;

-- name: ExpenditureBillLinesOf :many
SELECT *
  FROM expenditure_bill_lines
 WHERE tenant_id = @tenant_id AND bill_id = ANY(@bill_ids::bigint[])
 ORDER BY bill_id, line_no;

-- name: ExpenditureBillDeductionsOf :many
SELECT *
  FROM expenditure_bill_deductions
 WHERE tenant_id = @tenant_id AND bill_id = ANY(@bill_ids::bigint[])
 ORDER BY bill_id, line_no;

-- name: ExpenditureBillDecide :execrows
UPDATE expenditure_bills
   SET status = @status, decided_by = @decided_by, decided_at = now(), decision_note = @decision_note, voucher_id = @voucher_id
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'submitted';

-- name: ExpenditureBillCancel :execrows
UPDATE expenditure_bills
   SET status = 'cancelled', cancel_voucher_id = @cancel_voucher_id, decision_note = @decision_note
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'approved' AND paid = 0;

-- name: ExpenditureBillAddPaid :exec
UPDATE expenditure_bills
   SET paid = paid + @amount::numeric
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: ExpenditureBillOutstanding :many
-- Approved bills with something unpaid as of a date, oldest first, for
-- creditor ageing.
SELECT b.id, b.party_code, b.bill_date, b.creditor_account,
       (b.net - coalesce((SELECT sum(x.amount) FROM expenditure_payments x
                           WHERE x.tenant_id = b.tenant_id AND x.bill_id = b.id AND x.payment_date <= @as_of::date), 0))::numeric AS outstanding
  FROM expenditure_bills b
 WHERE b.tenant_id = @tenant_id AND b.status = 'approved' AND b.bill_date <= @as_of::date
 ORDER BY b.bill_date, b.id;
