-- name: AssetEventInsert :exec
INSERT INTO asset_events (tenant_id, asset_id, kind, event_date, amount, voucher_id, detail, actor)
VALUES (@tenant_id, @asset_id, @kind, @event_date, @amount, @voucher_id, @detail, @actor);

-- name: AssetEventInsertMany :exec
INSERT INTO asset_events (tenant_id, asset_id, kind, event_date, amount, voucher_id, detail, actor)
SELECT @tenant_id::text, unnest(@asset_ids::bigint[]), @kind::text, @event_date::date, unnest(@amounts::numeric[]),
       nullif(@voucher_id::bigint, 0), @detail::text, @actor::text;

-- name: AssetEventsOf :many
SELECT *
  FROM asset_events
 WHERE tenant_id = @tenant_id AND asset_id = @asset_id
 ORDER BY id;

-- name: AssetCostEntryInsertMany :exec
INSERT INTO asset_cost_entries (tenant_id, voucher_id, line_no, asset_id, source_ref, amount)
SELECT @tenant_id::text, @voucher_id::bigint, unnest(@line_nos::smallint[]), @asset_id::bigint, @source_ref::text,
       unnest(@amounts::numeric[]);

-- name: AssetCostEntriesOfVoucher :many
SELECT *
  FROM asset_cost_entries
 WHERE tenant_id = @tenant_id AND voucher_id = @voucher_id
 ORDER BY line_no;

-- name: DepreciationRunByDate :one
SELECT *
  FROM depreciation_runs
 WHERE tenant_id = @tenant_id AND through_date = @through_date;

-- name: DepreciationRunInsert :one
INSERT INTO depreciation_runs (tenant_id, through_date, total, assets, voucher_id, run_by)
VALUES (@tenant_id, @through_date, @total, @assets, @voucher_id, @run_by)
RETURNING *;

-- name: DepreciationRunLock :exec
-- Serialises a tenant's depreciation runs (and asset changes that must
-- not interleave with one).
SELECT pg_advisory_xact_lock(hashtextextended('depreciation:' || @tenant_id::text, 0));

-- name: AssetImportInsert :one
INSERT INTO asset_imports (tenant_id, as_of, assets, gross, accumulated, imported_by)
VALUES (@tenant_id, @as_of, @assets, @gross, @accumulated, @imported_by)
RETURNING *;

-- name: AssetImportGetForUpdate :one
SELECT *
  FROM asset_imports
 WHERE tenant_id = @tenant_id AND id = @id
   FOR UPDATE;

-- name: AssetImportApprove :exec
UPDATE asset_imports
   SET status = 'approved', approved_by = @approved_by, voucher_id = @voucher_id
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'proposed';

-- name: AssetImportOpeningLines :many
-- What an import's opening voucher posts: by class heads, fund and function.
SELECT c.gross_block_account, c.accumulated_account, a.fund_code, a.function_code,
       sum(a.cost)::numeric AS gross, sum(a.accumulated)::numeric AS accumulated
  FROM assets a JOIN asset_classes c ON c.tenant_id = a.tenant_id AND c.code = a.class_code
 WHERE a.tenant_id = @tenant_id AND a.import_id = @import_id
 GROUP BY c.gross_block_account, c.accumulated_account, a.fund_code, a.function_code
 ORDER BY 1, 3, 4;
