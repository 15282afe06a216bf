-- name: ScopeSet :exec
-- Declares, for the rest of the transaction, which tenants it may see
-- (munim.tenants: ids, "<state>.*" or "*") and the one tenant it may write
-- (munim.tenant, empty when the scope is wider than one tenant). Row-level
-- security and the bulk-insert checks read them.
SELECT set_config('munim.tenants', @tenants::text, true),
       set_config('munim.tenant', @tenant::text, true);

-- name: RoleWriterBegin :exec
-- Switches the transaction to munim_writer, which may COPY into the ledger
-- tables (PostgreSQL refuses COPY FROM where row-level security applies).
-- Its rows are checked against munim.tenant by statement triggers instead.
SET LOCAL ROLE munim_writer;

-- name: RoleWriterEnd :exec
SET LOCAL ROLE munim_app;
