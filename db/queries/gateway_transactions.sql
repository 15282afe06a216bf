-- name: GatewayTxnInsert :one
INSERT INTO gateway_transactions (tenant_id, reference, amount, payer_name, idempotency_key, request_hash, created_by, next_poll_at)
VALUES (@tenant_id, @reference, @amount, @payer_name, @idempotency_key, @request_hash, @created_by, @next_poll_at)
RETURNING *;

-- name: GatewayTxnItemInsertMany :exec
INSERT INTO gateway_transaction_items (tenant_id, transaction_id, item_no, service, consumer_code, amount)
SELECT @tenant_id::text, @transaction_id::bigint, unnest(@item_nos::smallint[]), unnest(@services::text[]),
       unnest(@consumer_codes::text[]), unnest(@amounts::numeric[]);

-- name: GatewayTxnSetOrder :exec
UPDATE gateway_transactions SET order_id = @order_id, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayTxnByKey :one
SELECT * FROM gateway_transactions WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: GatewayTxnGet :one
SELECT * FROM gateway_transactions WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayTxnLockByOrder :one
-- Locks the transaction of an order: callback, webhook and poller take
-- turns on one order.
SELECT * FROM gateway_transactions WHERE tenant_id = @tenant_id AND order_id = @order_id FOR UPDATE;

-- name: GatewayTxnLock :one
SELECT * FROM gateway_transactions WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: GatewayTxnSetStatus :exec
UPDATE gateway_transactions SET status = @status, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayTxnPolled :exec
UPDATE gateway_transactions SET poll_attempts = poll_attempts + 1, next_poll_at = @next_poll_at,
    last_error = @last_error, updated_at = now()
WHERE tenant_id = @tenant_id AND id = @id;

-- name: GatewayTxnList :many
-- A page of transactions, newest first, optionally of one status.
SELECT * FROM gateway_transactions
WHERE tenant_id = @tenant_id AND (@status::text = '' OR status = @status)
  AND (@before_id::bigint = 0 OR id < @before_id)
ORDER BY id DESC LIMIT @page_size;

-- name: GatewayTxnOpen :many
-- Transactions not final whose poll is due.
SELECT id FROM gateway_transactions
WHERE tenant_id = @tenant_id AND status IN ('created', 'pending') AND order_id IS NOT NULL
  AND (next_poll_at IS NULL OR next_poll_at <= @now::timestamptz)
ORDER BY next_poll_at NULLS FIRST LIMIT @max_rows;

-- name: GatewayTxnItems :many
SELECT * FROM gateway_transaction_items
WHERE tenant_id = @tenant_id AND transaction_id = ANY(@transaction_ids::bigint[])
ORDER BY transaction_id, item_no;

-- name: GatewayTxnByOrder :one
SELECT * FROM gateway_transactions WHERE tenant_id = @tenant_id AND order_id = @order_id;
