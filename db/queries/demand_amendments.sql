-- name: AmendmentInsert :one
-- Records a proposal; returns no row when its idempotency key is taken
-- (the caller then compares the request with the first one).
INSERT INTO demand_amendments (tenant_id, demand_id, kind, reason, reference, amendment_date, idempotency_key,
                               request_hash, proposed_by)
VALUES (@tenant_id, @demand_id, @kind, @reason, @reference, @amendment_date, @idempotency_key,
        @request_hash, @proposed_by)
ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
RETURNING id;

-- name: AmendmentLineInsertMany :exec
INSERT INTO demand_amendment_lines (tenant_id, amendment_id, demand_id, line_no, delta)
SELECT @tenant_id::text, @amendment_id::bigint, @demand_id::bigint, unnest(@line_nos::smallint[]),
       unnest(@deltas::numeric[]);

-- name: AmendmentByIdempotencyKey :one
SELECT id, request_hash
  FROM demand_amendments
 WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: AmendmentGetForUpdate :one
-- Reads an amendment and holds it until the transaction ends, so two
-- checkers cannot decide it at once.
SELECT tenant_id, id, demand_id, kind, reason, reference, amendment_date, status, idempotency_key, request_hash,
       proposed_by, proposed_at, decided_by, decided_at, decision_note, voucher_id
  FROM demand_amendments
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: AmendmentGetMany :many
SELECT tenant_id, id, demand_id, kind, reason, reference, amendment_date, status, idempotency_key, request_hash,
       proposed_by, proposed_at, decided_by, decided_at, decision_note, voucher_id
  FROM demand_amendments
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: AmendmentList :many
-- Amendments in id order, optionally of one demand and in one status, after
-- the id of the previous page's last.
SELECT tenant_id, id, demand_id, kind, reason, reference, amendment_date, status, idempotency_key, request_hash,
       proposed_by, proposed_at, decided_by, decided_at, decision_note, voucher_id
  FROM demand_amendments
 WHERE tenant_id = @tenant_id
   AND (@demand_id::bigint = 0 OR demand_id = @demand_id::bigint)
   AND (@status::text = '' OR status = @status::text)
   AND id > @after_id::bigint
 ORDER BY id
 LIMIT @row_limit::integer;

-- name: AmendmentLinesOf :many
SELECT al.amendment_id, al.line_no, l.head_code, al.delta
  FROM demand_amendment_lines al
  JOIN demand_lines l ON l.tenant_id = al.tenant_id AND l.demand_id = al.demand_id AND l.line_no = al.line_no
 WHERE al.tenant_id = @tenant_id AND al.amendment_id = ANY(@amendment_ids::bigint[])
 ORDER BY al.amendment_id, al.line_no;

-- name: AmendmentDecide :execrows
-- Approves (with its voucher) or rejects a proposed amendment; no row is
-- changed once it is decided.
UPDATE demand_amendments
   SET status = @status, decided_by = @decided_by::text, decided_at = now(), decision_note = @decision_note,
       voucher_id = sqlc.narg(voucher_id)
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'proposed';
