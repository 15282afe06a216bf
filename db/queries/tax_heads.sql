-- name: TaxHeadUpsert :one
INSERT INTO tax_heads (tenant_id, service, code, name, category, priority, income_account, receivable_account,
                       fund_code, function_code, rounding, created_by)
VALUES (@tenant_id, @service, @code, @name, @category, @priority, @income_account, @receivable_account,
        @fund_code, @function_code, @rounding, @created_by)
ON CONFLICT (tenant_id, service, code) DO UPDATE
   SET name = excluded.name, category = excluded.category, priority = excluded.priority,
       income_account = excluded.income_account, receivable_account = excluded.receivable_account,
       fund_code = excluded.fund_code, function_code = excluded.function_code, rounding = excluded.rounding
RETURNING tenant_id, service, code, name, category, priority, income_account, receivable_account,
          fund_code, function_code, rounding, created_by, created_at;

-- name: TaxHeadList :many
SELECT tenant_id, service, code, name, category, priority, income_account, receivable_account,
       fund_code, function_code, rounding, created_by, created_at
  FROM tax_heads
 WHERE tenant_id = @tenant_id AND (@service::text = '' OR service = @service::text)
 ORDER BY service, priority, code;
