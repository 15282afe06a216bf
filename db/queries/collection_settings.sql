-- name: CollectionSettingsUpsert :one
INSERT INTO collection_settings (tenant_id, service, partial_allowed, advance_allowed, advance_account, series,
                                 dishonour_charge, dishonour_head, updated_by)
VALUES (@tenant_id, @service, @partial_allowed, @advance_allowed, @advance_account, @series,
        @dishonour_charge, @dishonour_head, @updated_by)
    ON CONFLICT (tenant_id, service) DO UPDATE
   SET partial_allowed = excluded.partial_allowed, advance_allowed = excluded.advance_allowed,
       advance_account = excluded.advance_account, series = excluded.series,
       dishonour_charge = excluded.dishonour_charge, dishonour_head = excluded.dishonour_head,
       updated_by = excluded.updated_by, updated_at = now()
RETURNING *;

-- name: CollectionSettingsList :many
SELECT * FROM collection_settings WHERE tenant_id = @tenant_id ORDER BY service;
