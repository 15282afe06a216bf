-- name: BudgetEstimateInsert :one
INSERT INTO budget_estimates (tenant_id, fiscal_year, kind, reference, drafted_by)
VALUES (@tenant_id, @fiscal_year, @kind, @reference, @drafted_by)
RETURNING *;

-- name: BudgetEstimateAmountUpsertMany :exec
-- Sets a draft's amounts, line by line.
INSERT INTO budget_estimate_amounts (tenant_id, estimate_id, line_id, amount)
SELECT @tenant_id::text, @estimate_id::bigint, unnest(@line_ids::bigint[]), unnest(@amounts::numeric[])
    ON CONFLICT (tenant_id, estimate_id, line_id) DO UPDATE SET amount = excluded.amount;

-- name: BudgetEstimateGetForUpdate :one
SELECT *
  FROM budget_estimates
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: BudgetEstimateGetMany :many
SELECT *
  FROM budget_estimates
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: BudgetEstimateList :many
SELECT *
  FROM budget_estimates
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year
 ORDER BY id;

-- name: BudgetEstimateAmountsOf :many
SELECT estimate_id, line_id, amount
  FROM budget_estimate_amounts
 WHERE tenant_id = @tenant_id AND estimate_id = ANY(@estimate_ids::bigint[])
 ORDER BY estimate_id, line_id;

-- name: BudgetEstimateSubmit :execrows
UPDATE budget_estimates
   SET status = 'submitted', submitted_by = @submitted_by, submitted_at = now()
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'draft';

-- name: BudgetEstimateDecide :execrows
UPDATE budget_estimates
   SET status = @status, decided_by = @decided_by, decided_at = now(), decision_note = @decision_note
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'submitted';
