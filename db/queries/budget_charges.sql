-- name: BudgetChargeInsert :one
INSERT INTO budget_charges (tenant_id, line_id, charge_date, source_ref, amount, commitment_id, from_commitment,
                            shortfall, releases_id)
VALUES (@tenant_id, @line_id, @charge_date, @source_ref, @amount, @commitment_id, @from_commitment,
        @shortfall, @releases_id)
RETURNING id;

-- name: BudgetChargesOfSource :many
-- The charges a source made that no release has undone yet.
SELECT c.*
  FROM budget_charges c
 WHERE c.tenant_id = @tenant_id AND c.source_ref = @source_ref AND c.amount > 0
   AND NOT EXISTS (SELECT 1 FROM budget_charges r WHERE r.tenant_id = c.tenant_id AND r.releases_id = c.id)
 ORDER BY c.id;

-- name: BudgetChargeQuarterly :many
-- Net charges per line and quarter of the fiscal year (1: April-June).
SELECT c.line_id,
       ((extract(month FROM c.charge_date)::integer + 8) % 12) / 3 + 1 AS quarter,
       sum(c.amount)::numeric AS amount
  FROM budget_charges c
  JOIN budget_lines l ON l.tenant_id = c.tenant_id AND l.id = c.line_id
 WHERE c.tenant_id = @tenant_id AND l.fiscal_year = @fiscal_year
 GROUP BY c.line_id, quarter
 ORDER BY c.line_id, quarter;
