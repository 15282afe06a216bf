-- name: DemandLinesLockOutstanding :many
-- Locks, in demand then line order, the lines of a consumer's demands of a
-- service that still have something to collect: what a payment may settle.
SELECT l.demand_id, l.line_no
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
 WHERE d.tenant_id = @tenant_id AND d.consumer_code = @consumer_code AND d.service = @service
   AND EXISTS (SELECT 1 FROM demand_lines o
                WHERE o.tenant_id = d.tenant_id AND o.demand_id = d.id AND o.amount + o.adjusted <> o.collected)
 ORDER BY l.demand_id, l.line_no
   FOR UPDATE OF l;

-- name: DemandLineCollect :exec
-- Adds collections (negative: reinstates) to demand lines; each line at
-- most once per call.
UPDATE demand_lines l
   SET collected = l.collected + c.amount
  FROM (SELECT unnest(@demand_ids::bigint[]) AS demand_id, unnest(@line_nos::smallint[]) AS line_no,
               unnest(@amounts::numeric[]) AS amount) c
 WHERE l.tenant_id = @tenant_id AND l.demand_id = c.demand_id AND l.line_no = c.line_no;
