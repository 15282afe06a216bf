-- name: ChainHeadInsert :exec
INSERT INTO chain_heads (tenant_id) VALUES (@tenant_id);

-- name: ChainHeadLock :one
-- Taken first by every posting transaction of a tenant: it orders the hash
-- chain and serialises the tenant's postings.
SELECT last_seq, last_hash FROM chain_heads WHERE tenant_id = @tenant_id FOR UPDATE;

-- name: ChainHeadSet :exec
UPDATE chain_heads SET last_seq = @last_seq, last_hash = @last_hash WHERE tenant_id = @tenant_id;

-- name: ChainHeadGet :one
SELECT last_seq, last_hash FROM chain_heads WHERE tenant_id = @tenant_id;
