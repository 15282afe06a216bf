-- name: AssetClassUpsert :one
INSERT INTO asset_classes (tenant_id, code, name, gross_block_account, accumulated_account, depreciation_account, cwip_account,
                           revaluation_account, useful_life_years, rate_percent, residual_percent, depreciable)
VALUES (@tenant_id, @code, @name, @gross_block_account, @accumulated_account, @depreciation_account, @cwip_account,
        @revaluation_account, @useful_life_years, @rate_percent, @residual_percent, @depreciable)
    ON CONFLICT (tenant_id, code) DO UPDATE
   SET name = excluded.name, gross_block_account = excluded.gross_block_account, accumulated_account = excluded.accumulated_account,
       depreciation_account = excluded.depreciation_account, cwip_account = excluded.cwip_account,
       revaluation_account = excluded.revaluation_account, useful_life_years = excluded.useful_life_years, rate_percent = excluded.rate_percent,
       residual_percent = excluded.residual_percent, depreciable = excluded.depreciable
RETURNING *;

-- name: AssetClassList :many
SELECT *
  FROM asset_classes
 WHERE tenant_id = @tenant_id
 ORDER BY code;

-- name: AssetClassInUse :one
-- Whether any asset (other than one still in CWIP) is of the class: its
-- heads then stay as they are, or the register would stop tying.
SELECT EXISTS (SELECT 1 FROM assets WHERE tenant_id = @tenant_id AND class_code = @class_code)::boolean;

-- name: AssetClassGet :one
SELECT *
  FROM asset_classes
 WHERE tenant_id = @tenant_id AND code = @code;

-- name: AssetStateDefaultUpsert :one
-- A state's defaults are kept under the state's scope ("uk.*").
INSERT INTO asset_class_state_defaults (tenant_id, class_code, useful_life_years, rate_percent, updated_by)
VALUES (@state::text || '.*', @class_code, @useful_life_years, @rate_percent, @updated_by)
    ON CONFLICT (tenant_id, class_code) DO UPDATE
   SET useful_life_years = excluded.useful_life_years, rate_percent = excluded.rate_percent,
       updated_by = excluded.updated_by, updated_at = now()
RETURNING *;

-- name: AssetStateDefaultList :many
-- A state's own depreciation terms per class code.
SELECT *
  FROM asset_class_state_defaults
 WHERE tenant_id = @state::text || '.*'
 ORDER BY class_code;
