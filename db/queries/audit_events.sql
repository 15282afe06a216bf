-- name: AuditEventInsertMany :exec
-- Appends one tenant's queued events in one statement (COPY is refused
-- under row-level security). Each event's roles travel as a JSON array, as
-- an array of arrays cannot be unnested row by row. n keeps ids in the
-- order the events were queued.
INSERT INTO audit_events (tenant_id, at, principal, roles, procedure, request_id, idempotency_key, code, detail, client_ip)
SELECT @tenant_id::text, e.at, e.principal, ARRAY(SELECT jsonb_array_elements_text(e.roles::jsonb)),
       e.procedure, e.request_id, e.idempotency_key, e.code, e.detail, e.client_ip
  FROM (SELECT unnest(@at::timestamptz[]) AS at, unnest(@principal::text[]) AS principal,
               unnest(@roles::text[]) AS roles, unnest(@procedure::text[]) AS procedure,
               unnest(@request_id::text[]) AS request_id, unnest(@idempotency_key::text[]) AS idempotency_key,
               unnest(@code::text[]) AS code, unnest(@detail::text[]) AS detail,
               unnest(@client_ip::text[]) AS client_ip, generate_series(1, cardinality(@at::timestamptz[])) AS n) e
 ORDER BY e.n;

-- name: AuditEventList :many
-- One page of a tenant's events in [from_at, to_at), newest first, after
-- the keyset cursor before_id. Empty principal, procedure or code match all.
SELECT tenant_id, id, at, principal, roles, procedure, request_id, idempotency_key, code, detail, client_ip
  FROM audit_events
 WHERE tenant_id = @tenant_id
   AND at >= @from_at::timestamptz AND at < @to_at::timestamptz
   AND (@principal::text = '' OR principal = @principal::text)
   AND (@procedure::text = '' OR procedure = @procedure::text)
   AND (@code::text = '' OR code = @code::text)
   AND id < @before_id::bigint
 ORDER BY id DESC
 LIMIT @row_limit::int;
