-- name: FundInsertMany :copyfrom
INSERT INTO funds (tenant_id, code, name) VALUES (@tenant_id, @code, @name);

-- name: FundList :many
SELECT code, name FROM funds WHERE tenant_id = @tenant_id ORDER BY code;

-- name: FunctionInsertMany :copyfrom
INSERT INTO functions (tenant_id, code, name) VALUES (@tenant_id, @code, @name);

-- name: FunctionList :many
SELECT code, name FROM functions WHERE tenant_id = @tenant_id ORDER BY code;
