-- name: GatewaySettlementExists :one
SELECT EXISTS (SELECT 1 FROM gateway_settlements WHERE tenant_id = @tenant_id AND settlement_id = @settlement_id);

-- name: GatewaySettlementInsert :exec
INSERT INTO gateway_settlements (tenant_id, settlement_id, utr, settled_on, gross, fee, tax, refunds, net, unknown, voucher_id)
VALUES (@tenant_id, @settlement_id, @utr, @settled_on, @gross, @fee, @tax, @refunds, @net, @unknown, @voucher_id);

-- name: GatewaySettlementItemInsert :exec
INSERT INTO gateway_settlement_items (tenant_id, entity_id, settlement_id, type, payment_id, amount, fee, tax, known)
VALUES (@tenant_id, @entity_id, @settlement_id, @type, @payment_id, @amount, @fee, @tax, @known);

-- name: GatewaySettlementsOn :many
SELECT * FROM gateway_settlements WHERE tenant_id = @tenant_id AND settled_on = @settled_on ORDER BY settlement_id;

-- name: GatewayPaymentSettle :exec
UPDATE gateway_payments SET settlement_id = @settlement_id, updated_at = now()
WHERE tenant_id = @tenant_id AND payment_id = @payment_id;

-- name: GatewayPaymentsUnsettledBefore :many
-- Captured payments not settled, captured before a time.
SELECT * FROM gateway_payments
WHERE tenant_id = @tenant_id AND status IN ('captured', 'refunded') AND settlement_id IS NULL
  AND captured_at < @before::timestamptz
ORDER BY captured_at;
