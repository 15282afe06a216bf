-- name: GatewayRefundInsert :one
INSERT INTO gateway_refunds (tenant_id, payment_id, amount, reason, service, consumer_code, receipt_id, idempotency_key,
                             request_hash, proposed_by, proposed_at)
VALUES (@tenant_id, @payment_id, @amount, @reason, @service, @consumer_code, @receipt_id, @idempotency_key,
        @request_hash, @proposed_by, @proposed_at)
RETURNING *;

-- name: GatewayRefundByKey :one
SELECT * FROM gateway_refunds WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: GatewayRefundLock :one
SELECT * FROM gateway_refunds WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GatewayRefundGet :one
SELECT * FROM gateway_refunds WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayRefundByRefundID :one
SELECT * FROM gateway_refunds WHERE tenant_id = @tenant_id AND refund_id = @refund_id;

-- name: GatewayRefundsOfPayment :one
-- What a payment's refunds take, proposed or done (failed ones aside).
SELECT coalesce(sum(amount) FILTER (WHERE status <> 'failed'), 0)::numeric AS claimed,
       coalesce(sum(amount) FILTER (WHERE status = 'processed'), 0)::numeric AS processed
FROM gateway_refunds WHERE tenant_id = @tenant_id AND payment_id = @payment_id;

-- name: GatewayRefundApprove :exec
UPDATE gateway_refunds SET status = 'approved', approved_by = @approved_by, approved_at = @approved_at
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayRefundProcessed :exec
UPDATE gateway_refunds SET status = 'processed', refund_id = sqlc.narg(refund_id), voucher_id = @voucher_id
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayRefundFailed :exec
UPDATE gateway_refunds SET status = 'failed', failure = @failure WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayRefundSettle :exec
UPDATE gateway_refunds SET settlement_id = @settlement_id WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayRefundUnidentified :one
-- A processed refund whose gateway id we never learnt (its reply was lost),
-- of a payment and amount: a settlement's refund item names it.
SELECT * FROM gateway_refunds
WHERE tenant_id = @tenant_id AND payment_id = @payment_id AND amount = @amount AND status = 'processed' AND refund_id IS NULL
ORDER BY id LIMIT 1;

-- name: GatewayRefundIdentify :exec
UPDATE gateway_refunds SET refund_id = @refund_id WHERE tenant_id = @tenant_id AND id = @id AND refund_id IS NULL;
