-- The fixed-asset register: asset classes with their heads and lives;
-- assets (CWIP, in use, disposed) with their cost, accumulated depreciation
-- and revaluation; the voucher lines that built each asset's cost; every
-- event of an asset with its voucher; depreciation runs; and opening
-- imports waiting for approval.
--
-- The register ties to the ledger: per head, the gross block of in-use
-- assets, their accumulated depreciation and the cost of assets in CWIP
-- equal the heads' balances. The running figures on assets move only with
-- the events that post the matching vouchers, in the same transaction.

-- +goose Up
CREATE TABLE asset_classes (
    tenant_id            text NOT NULL REFERENCES tenants,
    code                 text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
    name                 text NOT NULL CHECK (btrim(name) <> ''),
    gross_block_account  text NOT NULL,
    -- Accumulated depreciation and depreciation expense: NULL when not depreciable.
    accumulated_account  text,
    depreciation_account text,
    cwip_account         text NOT NULL,
    revaluation_account  text NOT NULL DEFAULT '3126001',
    method               text NOT NULL DEFAULT 'straight_line' CHECK (method = 'straight_line'),
    useful_life_years    integer CHECK (useful_life_years > 0),
    -- The residual value, as a percentage of cost, depreciation never passes.
    residual_percent     numeric(5,2) NOT NULL DEFAULT 0 CHECK (residual_percent BETWEEN 0 AND 100),
    depreciable          boolean NOT NULL,
    PRIMARY KEY (tenant_id, code),
    CONSTRAINT asset_classes_depreciable_heads CHECK (
        (depreciable AND accumulated_account IS NOT NULL AND depreciation_account IS NOT NULL AND useful_life_years IS NOT NULL)
     OR NOT depreciable),
    FOREIGN KEY (tenant_id, gross_block_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, accumulated_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, depreciation_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, cwip_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, revaluation_account) REFERENCES accounts (tenant_id, code)
);

CREATE TABLE assets (
    tenant_id          text NOT NULL REFERENCES tenants,
    id                 bigint GENERATED ALWAYS AS IDENTITY,
    code               text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$'),
    name               text NOT NULL CHECK (btrim(name) <> ''),
    class_code         text NOT NULL,
    location           text NOT NULL DEFAULT '',
    ward               text NOT NULL DEFAULT '',
    function_code      text NOT NULL,
    fund_code          text NOT NULL,
    funding_source     text NOT NULL CHECK (funding_source IN ('own', 'grant', 'loan')),
    scheme             text NOT NULL DEFAULT '',
    acquisition_mode   text NOT NULL CHECK (acquisition_mode IN ('construction', 'purchase', 'donation', 'transfer', 'opening')),
    acquired_on        date NOT NULL,
    put_to_use_on      date,
    quantity           text NOT NULL DEFAULT '',
    -- opening: imported, waiting for its opening voucher's approval.
    status             text NOT NULL CHECK (status IN ('opening', 'cwip', 'in_use', 'disposed')),
    -- Cost accumulated in CWIP, then the gross block at cost.
    cost               numeric(18,2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    revaluation        numeric(18,2) NOT NULL DEFAULT 0 CHECK (revaluation >= 0),
    residual_value     numeric(18,2) NOT NULL DEFAULT 0 CHECK (residual_value >= 0),
    accumulated        numeric(18,2) NOT NULL DEFAULT 0 CHECK (accumulated >= 0),
    -- Depreciation has been charged up to and including this day.
    depreciated_to     date,
    import_id          bigint,
    disposed_on        date,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT assets_code_unique UNIQUE (tenant_id, code),
    CONSTRAINT assets_accumulated_within_cost CHECK (accumulated <= cost + revaluation),
    CONSTRAINT assets_in_use_dated CHECK (status NOT IN ('in_use', 'disposed') OR put_to_use_on IS NOT NULL),
    FOREIGN KEY (tenant_id, class_code) REFERENCES asset_classes (tenant_id, code),
    FOREIGN KEY (tenant_id, function_code) REFERENCES functions (tenant_id, code),
    FOREIGN KEY (tenant_id, fund_code) REFERENCES funds (tenant_id, code)
);
CREATE INDEX assets_by_class ON assets (tenant_id, class_code, status);

-- The voucher lines that built an asset's cost: a contractor's bill on the
-- asset's CWIP head, a supplier's bill on its gross-block head. A line
-- builds one asset, once.
CREATE TABLE asset_cost_entries (
    tenant_id  text NOT NULL,
    voucher_id bigint NOT NULL,
    line_no    smallint NOT NULL,
    asset_id   bigint NOT NULL,
    source_ref text NOT NULL,
    amount     numeric(18,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, voucher_id, line_no),
    FOREIGN KEY (tenant_id, asset_id) REFERENCES assets (tenant_id, id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
CREATE INDEX asset_cost_entries_by_asset ON asset_cost_entries (tenant_id, asset_id);

-- Everything that happened to an asset, with the voucher it posted.
CREATE TABLE asset_events (
    tenant_id  text NOT NULL,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    asset_id   bigint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('cost', 'capitalised', 'depreciation', 'disposal', 'revaluation', 'transfer', 'opening')),
    event_date date NOT NULL,
    amount     numeric(18,2) NOT NULL DEFAULT 0,
    voucher_id bigint,
    detail     text NOT NULL DEFAULT '',
    actor      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, asset_id) REFERENCES assets (tenant_id, id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
CREATE INDEX asset_events_by_asset ON asset_events (tenant_id, asset_id, id);

-- A depreciation run charges every depreciable asset in use up to its
-- through date. One run per through date: a rerun returns the first.
CREATE TABLE depreciation_runs (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    through_date date NOT NULL,
    total        numeric(18,2) NOT NULL DEFAULT 0,
    assets       integer NOT NULL DEFAULT 0,
    voucher_id   bigint,
    run_by       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT depreciation_runs_through_unique UNIQUE (tenant_id, through_date),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);

-- An opening register imported from CSV, waiting for another person to
-- approve its opening-balance voucher.
CREATE TABLE asset_imports (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    as_of        date NOT NULL,
    status       text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved')),
    assets       integer NOT NULL,
    gross        numeric(18,2) NOT NULL,
    accumulated  numeric(18,2) NOT NULL,
    imported_by  text NOT NULL,
    approved_by  text,
    voucher_id   bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT asset_imports_checker_not_maker CHECK (approved_by IS NULL OR approved_by <> imported_by),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
ALTER TABLE assets ADD FOREIGN KEY (tenant_id, import_id) REFERENCES asset_imports (tenant_id, id);

CREATE TRIGGER asset_events_immutable BEFORE UPDATE OR DELETE ON asset_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER asset_cost_entries_immutable BEFORE UPDATE OR DELETE ON asset_cost_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['asset_classes', 'assets', 'asset_cost_entries', 'asset_events', 'depreciation_runs', 'asset_imports']);

-- +goose Down
DROP TABLE depreciation_runs, asset_events, asset_cost_entries, assets, asset_imports, asset_classes;
