-- name: ChargeDemandsLock :many
-- Locks, in id order, a consumer's demands of a service that fell due
-- before as_of: two bills or payments at once then charge them one after
-- the other, and the second finds the first's lines.
SELECT id
  FROM demands
 WHERE tenant_id = @tenant_id AND consumer_code = @consumer_code AND service = @service
   AND due_date < @as_of::date
 ORDER BY id
   FOR UPDATE;

-- name: ChargeLineInsertMany :exec
-- Appends penalty and interest lines to demands, each with its voucher.
INSERT INTO demand_lines (tenant_id, demand_id, line_no, head_code, amount, charged_through, voucher_id)
SELECT @tenant_id::text, unnest(@demand_ids::bigint[]), unnest(@line_nos::smallint[]), unnest(@head_codes::text[]),
       unnest(@amounts::numeric[]), unnest(@charged_throughs::date[]), unnest(@voucher_ids::bigint[]);
