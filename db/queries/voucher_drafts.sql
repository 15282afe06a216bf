-- name: DraftInsert :one
INSERT INTO voucher_drafts (tenant_id, idempotency_key, request_hash, body, maker)
VALUES (@tenant_id, @idempotency_key, @request_hash, @body, @maker)
RETURNING tenant_id, id, idempotency_key, request_hash, body, maker, created_at, status, checker, decided_at, decision_reason, voucher_id;

-- name: DraftByIdempotencyKeys :many
SELECT tenant_id, id, idempotency_key, request_hash, body, maker, created_at, status, checker, decided_at, decision_reason, voucher_id
  FROM voucher_drafts
 WHERE tenant_id = @tenant_id AND idempotency_key = ANY(@keys::text[]);

-- name: DraftGetForUpdate :one
SELECT tenant_id, id, idempotency_key, request_hash, body, maker, created_at, status, checker, decided_at, decision_reason, voucher_id
  FROM voucher_drafts
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: DraftGet :one
SELECT tenant_id, id, idempotency_key, request_hash, body, maker, created_at, status, checker, decided_at, decision_reason, voucher_id
  FROM voucher_drafts
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: DraftDecide :one
UPDATE voucher_drafts SET status = @status, checker = @checker, decided_at = now(),
       decision_reason = @decision_reason, voucher_id = @voucher_id
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'draft'
RETURNING tenant_id, id, idempotency_key, request_hash, body, maker, created_at, status, checker, decided_at, decision_reason, voucher_id;
