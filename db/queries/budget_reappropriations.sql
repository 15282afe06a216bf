-- name: BudgetReappropriationInsert :one
INSERT INTO budget_reappropriations (tenant_id, fiscal_year, from_line_id, to_line_id, amount, sanction_number,
                                     sanction_date, reason, sanctioned_by, idempotency_key, request_hash)
VALUES (@tenant_id, @fiscal_year, @from_line_id, @to_line_id, @amount, @sanction_number,
        @sanction_date, @reason, @sanctioned_by, @idempotency_key, @request_hash)
RETURNING *;

-- name: BudgetReappropriationByKey :one
SELECT *
  FROM budget_reappropriations
 WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: BudgetReappropriationList :many
-- A year's re-appropriations, oldest first; line_id 0 for all, else those
-- to or from the line.
SELECT *
  FROM budget_reappropriations
 WHERE tenant_id = @tenant_id AND fiscal_year = @fiscal_year
   AND (@line_id::bigint = 0 OR from_line_id = @line_id::bigint OR to_line_id = @line_id::bigint)
 ORDER BY id;
