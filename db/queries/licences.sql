-- name: TradeLicenceUpsert :exec
INSERT INTO trade_licences (tenant_id, consumer_code, holder_name, trade_name, address, ward, commenced_on,
                            valid_from, valid_to, status, created_by)
VALUES (@tenant_id, @consumer_code, @holder_name, @trade_name, @address, @ward, @commenced_on,
        @valid_from, @valid_to, @status, @created_by)
ON CONFLICT (tenant_id, consumer_code) DO UPDATE
   SET holder_name = excluded.holder_name, trade_name = excluded.trade_name, address = excluded.address,
       ward = excluded.ward, commenced_on = excluded.commenced_on, valid_from = excluded.valid_from,
       valid_to = excluded.valid_to, status = excluded.status, updated_at = now();

-- name: TradeLicenceUnitsClear :exec
DELETE FROM trade_licence_units WHERE tenant_id = @tenant_id AND consumer_code = ANY(@consumer_codes::text[]);

-- name: TradeLicenceUnitInsertMany :exec
INSERT INTO trade_licence_units (tenant_id, consumer_code, unit_no, trade, size)
SELECT @tenant_id::text, unnest(@consumer_codes::text[]), unnest(@unit_nos::smallint[]), unnest(@trades::text[]),
       unnest(@sizes::integer[]);

-- name: TradeLicencePage :many
-- Licences in consumer-code order after a cursor, optionally of one ward or
-- just one licence, of a status (any when empty), expiring from
-- @expiring_from to @expiring_to.
SELECT consumer_code, holder_name, trade_name, address, ward, commenced_on, valid_from, valid_to, status
  FROM trade_licences
 WHERE tenant_id = @tenant_id AND consumer_code > @after_code
   AND (@ward::text = '' OR ward = @ward::text)
   AND (@only_code::text = '' OR consumer_code = @only_code::text)
   AND (@status::text = '' OR status = @status::text)
   AND valid_to BETWEEN @expiring_from::date AND @expiring_to::date
 ORDER BY consumer_code
 LIMIT @row_limit;

-- name: TradeLicenceUnitsOfMany :many
SELECT consumer_code, unit_no, trade, size
  FROM trade_licence_units
 WHERE tenant_id = @tenant_id AND consumer_code = ANY(@consumer_codes::text[])
 ORDER BY consumer_code, unit_no;
