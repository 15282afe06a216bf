-- name: GatewayPaymentInsert :one
-- Records a payment the first time we hear of it; an existing row is
-- returned untouched (its caller moves it with GatewayPaymentUpdate).
INSERT INTO gateway_payments (tenant_id, payment_id, transaction_id, amount, status, method, seen_via)
VALUES (@tenant_id, @payment_id, @transaction_id, @amount, 'created', @method, @seen_via)
ON CONFLICT (tenant_id, payment_id) DO UPDATE SET payment_id = EXCLUDED.payment_id
RETURNING *;

-- name: GatewayPaymentUpdate :exec
UPDATE gateway_payments SET status = @status, amount = @amount, fee = @fee, tax = @tax, amount_refunded = @amount_refunded,
    error_code = @error_code, error_text = @error_text, receipt_id = sqlc.narg(receipt_id),
    captured_at = sqlc.narg(captured_at), updated_at = now()
WHERE tenant_id = @tenant_id AND payment_id = @payment_id;

-- name: GatewayPaymentsOf :many
SELECT * FROM gateway_payments
WHERE tenant_id = @tenant_id AND transaction_id = ANY(@transaction_ids::bigint[])
ORDER BY transaction_id, created_at, payment_id;

-- name: GatewayPaymentGet :one
SELECT * FROM gateway_payments WHERE tenant_id = @tenant_id AND payment_id = @payment_id;

-- name: GatewayWebhookEventInsert :execrows
-- Takes an event once: zero rows when its id was seen before.
INSERT INTO gateway_webhook_events (tenant_id, event_id, event, payment_id)
VALUES (@tenant_id, @event_id, @event, @payment_id)
ON CONFLICT DO NOTHING;
