-- name: PaymentExceptionRaise :exec
-- Raises an exception once per kind and reference.
INSERT INTO payment_exceptions (tenant_id, kind, reference, transaction_id, amount, detail, raised_at)
VALUES (@tenant_id, @kind, @reference, sqlc.narg(transaction_id), @amount, @detail, @raised_at)
ON CONFLICT (tenant_id, kind, reference) DO NOTHING;

-- name: PaymentExceptionResolve :execrows
UPDATE payment_exceptions SET resolved_at = @resolved_at, resolved_by = @resolved_by, resolution = @resolution
WHERE tenant_id = @tenant_id AND id = @id AND resolved_at IS NULL;

-- name: PaymentExceptionResolveByRef :exec
UPDATE payment_exceptions SET resolved_at = @resolved_at, resolved_by = @resolved_by, resolution = @resolution
WHERE tenant_id = @tenant_id AND kind = @kind AND reference = @reference AND resolved_at IS NULL;

-- name: PaymentExceptionGet :one
SELECT * FROM payment_exceptions WHERE tenant_id = @tenant_id AND id = @id;

-- name: PaymentExceptionList :many
-- Exceptions oldest first: open ones, or all.
SELECT * FROM payment_exceptions
WHERE tenant_id = @tenant_id AND (NOT @open_only::boolean OR resolved_at IS NULL)
  AND (@kind::text = '' OR kind = @kind)
ORDER BY raised_at, id LIMIT @max_rows;
