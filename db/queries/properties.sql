-- name: PropertyUpsertMany :exec
-- Creates or replaces a batch of properties in one statement.
INSERT INTO properties (tenant_id, consumer_code, owner_name, owner_phone, owner_email, address, ward, category, created_by)
SELECT @tenant_id::text, unnest(@consumer_codes::text[]), unnest(@owner_names::text[]), unnest(@owner_phones::text[]),
       unnest(@owner_emails::text[]), unnest(@addresses::text[]), unnest(@wards::text[]), unnest(@categories::text[]),
       @created_by::text
ON CONFLICT (tenant_id, consumer_code) DO UPDATE
   SET owner_name = excluded.owner_name, owner_phone = excluded.owner_phone, owner_email = excluded.owner_email,
       address = excluded.address, ward = excluded.ward, category = excluded.category, updated_at = now();

-- name: PropertyUnitsClear :exec
DELETE FROM property_units WHERE tenant_id = @tenant_id AND consumer_code = ANY(@consumer_codes::text[]);

-- name: PropertyUnitInsertMany :exec
INSERT INTO property_units (tenant_id, consumer_code, unit_no, label, area_m2, use, structure, occupancy, year_built)
SELECT @tenant_id::text, unnest(@consumer_codes::text[]), unnest(@unit_nos::smallint[]), unnest(@labels::text[]),
       unnest(@areas::numeric[]), unnest(@uses::text[]), unnest(@structures::text[]), unnest(@occupancies::text[]),
       unnest(@years_built::integer[]);

-- name: PropertyPage :many
-- Properties in consumer-code order after a cursor, optionally of one ward
-- or just one property.
SELECT tenant_id, consumer_code, owner_name, owner_phone, owner_email, address, ward, category, created_by, updated_at
  FROM properties
 WHERE tenant_id = @tenant_id AND consumer_code > @after_code
   AND (@ward::text = '' OR ward = @ward::text)
   AND (@only_code::text = '' OR consumer_code = @only_code::text)
 ORDER BY consumer_code
 LIMIT @row_limit;

-- name: PropertyUnitsOfMany :many
SELECT consumer_code, unit_no, label, area_m2, use, structure, occupancy, year_built
  FROM property_units
 WHERE tenant_id = @tenant_id AND consumer_code = ANY(@consumer_codes::text[])
 ORDER BY consumer_code, unit_no;

-- name: RateMasterSave :exec
INSERT INTO rate_masters (tenant_id, service, fiscal_year, method, body, created_by)
VALUES (@tenant_id, @service, @fiscal_year, @method, @body, @created_by)
ON CONFLICT (tenant_id, service, fiscal_year, method) DO UPDATE
   SET body = excluded.body, created_by = excluded.created_by, updated_at = now();

-- name: RateMasterGet :one
SELECT body FROM rate_masters
 WHERE tenant_id = @tenant_id AND service = @service AND fiscal_year = @fiscal_year AND method = @method;

-- name: RateMastersOfYear :many
-- A service's masters for a year, one per method.
SELECT method, body FROM rate_masters
 WHERE tenant_id = @tenant_id AND service = @service AND fiscal_year = @fiscal_year
 ORDER BY method;

-- name: RateMasterDeleteOtherMethods :exec
-- A year's property tax has one method: saving one master drops the others
-- of @methods (the tariff methods; the year's late-payment master stays).
DELETE FROM rate_masters
 WHERE tenant_id = @tenant_id AND service = @service AND fiscal_year = @fiscal_year AND method <> @method
   AND method = ANY(@methods::text[]);
