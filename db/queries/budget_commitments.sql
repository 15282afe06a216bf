-- name: BudgetCommitmentInsert :one
INSERT INTO budget_commitments (tenant_id, line_id, kind, reference, party, order_date, amount, created_by,
                                idempotency_key, request_hash)
VALUES (@tenant_id, @line_id, @kind, @reference, @party, @order_date, @amount, @created_by,
        @idempotency_key, @request_hash)
RETURNING *;

-- name: BudgetCommitmentByKey :one
SELECT *
  FROM budget_commitments
 WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: BudgetCommitmentGetMany :many
SELECT *
  FROM budget_commitments
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: BudgetCommitmentLockMany :many
-- Locked after their lines (lines first, then commitments, each in id order).
SELECT *
  FROM budget_commitments
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id
   FOR UPDATE;

-- name: BudgetCommitmentConsume :exec
-- Draws on an open commitment; it closes when wholly consumed. A negative
-- amount gives back what a released charge drew.
UPDATE budget_commitments
   SET consumed = consumed + @amount::numeric,
       status = CASE WHEN consumed + @amount::numeric = amount THEN 'closed' ELSE 'open' END
 WHERE tenant_id = @tenant_id AND id = @id AND status <> 'cancelled';

-- name: BudgetCommitmentCancel :execrows
UPDATE budget_commitments
   SET status = 'cancelled', cancelled_by = @cancelled_by, cancelled_at = now(), cancel_reason = @cancel_reason
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'open';

-- name: BudgetCommitmentList :many
SELECT c.*
  FROM budget_commitments c
  JOIN budget_lines l ON l.tenant_id = c.tenant_id AND l.id = c.line_id
 WHERE c.tenant_id = @tenant_id AND l.fiscal_year = @fiscal_year
   AND (@line_id::bigint = 0 OR c.line_id = @line_id::bigint)
 ORDER BY c.id;
