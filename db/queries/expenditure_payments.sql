-- name: ExpenditurePaymentInsert :one
INSERT INTO expenditure_payments (tenant_id, bill_id, payment_date, amount, mode, instrument_ref, bank_account, voucher_id,
                                  idempotency_key, request_hash, paid_by)
VALUES (@tenant_id, @bill_id, @payment_date, @amount, @mode, @instrument_ref, @bank_account, @voucher_id,
        @idempotency_key, @request_hash, @paid_by)
RETURNING *;

-- name: ExpenditurePaymentByKey :one
SELECT *
  FROM expenditure_payments
 WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: ExpenditurePaymentsOf :many
SELECT *
  FROM expenditure_payments
 WHERE tenant_id = @tenant_id AND bill_id = ANY(@bill_ids::bigint[])
 ORDER BY bill_id, id;
