-- name: AssetInsert :one
INSERT INTO assets (tenant_id, code, name, class_code, location, ward, function_code, fund_code, funding_source, scheme,
                    acquisition_mode, acquired_on, put_to_use_on, quantity, status, cost, residual_value, accumulated,
                    depreciated_to, import_id, created_by)
VALUES (@tenant_id, @code, @name, @class_code, @location, @ward, @function_code, @fund_code, @funding_source, @scheme,
        @acquisition_mode, @acquired_on, @put_to_use_on, @quantity, @status, @cost, @residual_value, @accumulated,
        @depreciated_to, @import_id, @created_by)
RETURNING id;

-- name: AssetGetForUpdate :one
SELECT *
  FROM assets
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: AssetGetMany :many
SELECT *
  FROM assets
 WHERE tenant_id = @tenant_id AND id = ANY(@ids::bigint[])
 ORDER BY id;

-- name: AssetList :many
-- The register in code order, optionally of one class and one status.
SELECT *
  FROM assets
 WHERE tenant_id = @tenant_id
   AND (@class_code::text = '' OR class_code = @class_code::text)
   AND (@status::text = '' OR status = @status::text)
 ORDER BY code;

-- name: AssetAddCost :exec
UPDATE assets SET cost = cost + @amount::numeric WHERE tenant_id = @tenant_id AND id = @id;

-- name: AssetCapitalise :exec
UPDATE assets
   SET status = 'in_use', put_to_use_on = @put_to_use_on, residual_value = @residual_value
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'cwip';

-- name: AssetDepreciateMany :exec
-- Adds each asset's charge and marks the day it is charged to.
UPDATE assets a
   SET accumulated = a.accumulated + d.amount, depreciated_to = @through_date::date
  FROM (SELECT unnest(@ids::bigint[]) AS id, unnest(@amounts::numeric[]) AS amount) d
 WHERE a.tenant_id = @tenant_id AND a.id = d.id;

-- name: AssetDispose :exec
UPDATE assets
   SET status = 'disposed', disposed_on = @disposed_on, accumulated = @accumulated, depreciated_to = @disposed_on
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'in_use';

-- name: AssetRevalue :exec
UPDATE assets SET revaluation = revaluation + @amount::numeric WHERE tenant_id = @tenant_id AND id = @id;

-- name: AssetTransfer :exec
UPDATE assets
   SET location = @location, ward = @ward, function_code = @function_code
 WHERE tenant_id = @tenant_id AND id = @id;

-- name: AssetDepreciableLock :many
-- Assets in use of depreciable classes, put to use by the through date and
-- not yet charged to it, locked in id order, with their class's terms.
SELECT a.id, a.code, a.fund_code, a.function_code, a.put_to_use_on, a.depreciated_to, a.cost, a.revaluation, a.residual_value,
       a.accumulated, a.class_code, c.useful_life_years, c.rate_percent, c.accumulated_account, c.depreciation_account
  FROM assets a
  JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id AND a.status = 'in_use' AND c.depreciable
   AND a.put_to_use_on <= @through_date::date
   AND (a.depreciated_to IS NULL OR a.depreciated_to < @through_date::date)
 ORDER BY a.id
   FOR UPDATE OF a;

-- name: AssetActivateImport :execrows
UPDATE assets SET status = 'in_use' WHERE tenant_id = @tenant_id AND import_id = @import_id AND status = 'opening';

-- name: AssetRegisterTotals :many
-- The register's figure for each head it keeps: the gross block (cost and
-- revaluation) and accumulated depreciation of assets in use, and the cost
-- of assets in CWIP.
SELECT c.gross_block_account AS account_code, 'gross'::text AS kind, sum(a.cost + a.revaluation)::numeric AS amount
  FROM assets a JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id::text AND a.status = 'in_use'
 GROUP BY c.gross_block_account
UNION ALL
SELECT c.accumulated_account, 'accumulated', sum(a.accumulated)::numeric
  FROM assets a JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id::text AND a.status = 'in_use' AND c.accumulated_account IS NOT NULL
 GROUP BY c.accumulated_account
UNION ALL
SELECT c.cwip_account, 'cwip', sum(a.cost)::numeric
  FROM assets a JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id::text AND a.status = 'cwip'
 GROUP BY c.cwip_account;

-- name: AssetClassHeads :many
-- Every head the classes keep, so that a head with a ledger balance and no
-- asset still shows in the tie.
SELECT gross_block_account AS account_code, 'gross'::text AS kind FROM asset_classes WHERE tenant_id = @tenant_id::text
UNION
SELECT accumulated_account, 'accumulated' FROM asset_classes WHERE tenant_id = @tenant_id::text AND accumulated_account IS NOT NULL
UNION
SELECT cwip_account, 'cwip' FROM asset_classes WHERE tenant_id = @tenant_id::text
ORDER BY 1, 2;

-- name: AssetDepreciableCount :one
-- The assets in use of depreciable classes, put to use by the date.
SELECT count(*)::integer
  FROM assets a
  JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id AND a.status = 'in_use' AND c.depreciable AND a.put_to_use_on <= @through_date::date;
