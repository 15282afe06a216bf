-- name: TenantInsert :exec
INSERT INTO tenants (tenant_id, name) VALUES (@tenant_id, @name);

-- name: TenantGet :one
SELECT tenant_id, name, state_code, created_at FROM tenants WHERE tenant_id = @tenant_id;

-- name: TenantList :many
SELECT tenant_id, name, state_code, created_at
  FROM tenants
 WHERE (@state_code::text = '' OR state_code = @state_code)
   AND tenant_id > @after_tenant_id
 ORDER BY tenant_id
 LIMIT @row_limit;
