-- name: APIKeyInsert :one
INSERT INTO api_keys (tenant_id, key_id, name, secret_hash, scopes, created_by)
VALUES (@tenant_id, @key_id, @name, @secret_hash, @scopes, @created_by)
RETURNING tenant_id, key_id, name, secret_hash, scopes, created_by, created_at, revoked_at, revoked_by, last_used_at;

-- name: APIKeyByKeyID :one
-- Authenticating a key: the tenant is not known until the key is found, so
-- this runs in a transaction scoped to every tenant.
SELECT tenant_id, key_id, name, secret_hash, scopes, created_by, created_at, revoked_at, revoked_by, last_used_at
  FROM api_keys
 WHERE key_id = @key_id;

-- name: APIKeyList :many
SELECT tenant_id, key_id, name, secret_hash, scopes, created_by, created_at, revoked_at, revoked_by, last_used_at
  FROM api_keys
 WHERE tenant_id = @tenant_id
 ORDER BY created_at, key_id;

-- name: APIKeyRevoke :one
UPDATE api_keys SET revoked_at = now(), revoked_by = @revoked_by
 WHERE tenant_id = @tenant_id AND key_id = @key_id
RETURNING tenant_id, key_id, name, secret_hash, scopes, created_by, created_at, revoked_at, revoked_by, last_used_at;

-- name: APIKeyTouch :exec
-- Records use, at most once a minute per key, so authentication does not
-- write on every request.
UPDATE api_keys SET last_used_at = now()
 WHERE tenant_id = @tenant_id AND key_id = @key_id
   AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
