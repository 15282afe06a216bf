-- name: WaterConnectionUpsert :exec
INSERT INTO water_connections (tenant_id, consumer_code, property_code, holder_name, address, ward, kind, usage,
                               pipe_size_mm, connected_on, disconnected_on, meter_number, created_by)
VALUES (@tenant_id, @consumer_code, NULLIF(@property_code::text, ''), @holder_name, @address, @ward, @kind, @usage,
        @pipe_size_mm, @connected_on, @disconnected_on, @meter_number, @created_by)
ON CONFLICT (tenant_id, consumer_code) DO UPDATE
   SET property_code = excluded.property_code, holder_name = excluded.holder_name, address = excluded.address,
       ward = excluded.ward, kind = excluded.kind, usage = excluded.usage, pipe_size_mm = excluded.pipe_size_mm,
       connected_on = excluded.connected_on, disconnected_on = excluded.disconnected_on,
       meter_number = excluded.meter_number, updated_at = now();

-- name: WaterConnectionPage :many
-- Connections in consumer-code order after a cursor, optionally of one ward
-- or just one connection, live at some time from @live_from to @live_to.
SELECT consumer_code, coalesce(property_code, '')::text AS property_code, holder_name, address, ward, kind, usage,
       pipe_size_mm, connected_on, disconnected_on, meter_number
  FROM water_connections
 WHERE tenant_id = @tenant_id AND consumer_code > @after_code
   AND (@ward::text = '' OR ward = @ward::text)
   AND (@only_code::text = '' OR consumer_code = @only_code::text)
   AND connected_on <= @live_to::date AND (disconnected_on IS NULL OR disconnected_on >= @live_from::date)
 ORDER BY consumer_code
 LIMIT @row_limit;

-- name: WaterConnectionLockMany :many
-- Locks connections (in code order, so concurrent recorders cannot
-- deadlock) while their readings are checked and written.
SELECT consumer_code, kind, connected_on
  FROM water_connections
 WHERE tenant_id = @tenant_id AND consumer_code = ANY(@consumer_codes::text[])
 ORDER BY consumer_code
   FOR UPDATE;

-- name: MeterReadingsFrom :many
-- The connections' readings up to @until, from the last one before @since
-- (the reading a period or a new reading follows on from).
SELECT r.consumer_code, r.reading_date, r.reading, (r.old_final IS NOT NULL)::boolean AS replaced,
       coalesce(r.old_final, 0)::numeric AS old_final, coalesce(r.new_initial, 0)::numeric AS new_initial
  FROM meter_readings r
 WHERE r.tenant_id = @tenant_id AND r.consumer_code = ANY(@consumer_codes::text[])
   AND r.reading_date <= @until::date
   AND r.reading_date >= coalesce((SELECT max(p.reading_date) FROM meter_readings p
                                    WHERE p.tenant_id = r.tenant_id AND p.consumer_code = r.consumer_code
                                      AND p.reading_date < @since::date), @since::date)
 ORDER BY r.consumer_code, r.reading_date;

-- name: MeterReadingInsertMany :exec
INSERT INTO meter_readings (tenant_id, consumer_code, reading_date, reading, old_final, new_initial, recorded_by)
SELECT @tenant_id::text, r.consumer_code, r.reading_date, r.reading,
       CASE WHEN r.replaced THEN r.old_final END, CASE WHEN r.replaced THEN r.new_initial END, @recorded_by::text
  FROM (SELECT unnest(@consumer_codes::text[]) AS consumer_code, unnest(@reading_dates::date[]) AS reading_date,
               unnest(@readings::numeric[]) AS reading, unnest(@replaced::boolean[]) AS replaced,
               unnest(@old_finals::numeric[]) AS old_final, unnest(@new_initials::numeric[]) AS new_initial) r;
