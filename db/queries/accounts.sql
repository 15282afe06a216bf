-- name: AccountInsertMany :copyfrom
INSERT INTO accounts (tenant_id, code, name, kind, level, parent_code, postable)
VALUES (@tenant_id, @code, @name, @kind, @level, @parent_code, @postable);

-- name: AccountInsert :one
INSERT INTO accounts (tenant_id, code, name, kind, level, parent_code, postable)
VALUES (@tenant_id, @code, @name, @kind, @level, @parent_code, @postable)
RETURNING tenant_id, code, name, kind, level, parent_code, postable, created_at;

-- name: AccountGet :one
SELECT tenant_id, code, name, kind, level, parent_code, postable, created_at
  FROM accounts
 WHERE tenant_id = @tenant_id AND code = @code;

-- name: AccountList :many
SELECT tenant_id, code, name, kind, level, parent_code, postable, created_at
  FROM accounts
 WHERE tenant_id = @tenant_id
   AND code > @after_code
   AND (@code_prefix::text = '' OR code LIKE @code_prefix || '%')
   AND (NOT @postable_only::boolean OR postable)
 ORDER BY code
 LIMIT @row_limit;

-- name: AccountNames :many
SELECT code, name, postable FROM accounts WHERE tenant_id = @tenant_id;
