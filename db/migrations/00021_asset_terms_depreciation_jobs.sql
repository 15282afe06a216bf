-- Asset classes may depreciate at a yearly rate (a percentage of the
-- depreciable amount, straight line) instead of over a useful life, never
-- both; and a class may give neither, taking the terms its state sets for
-- the class code (asset_class_state_defaults), else the built-in defaults
-- of shared/reference/tariffs.md that the assets package carries.
--
-- asset_class_state_defaults is state master data: its tenant_id is the
-- state's scope ("uk.*"), which no ULB owns (on Citus, a small reference
-- table). Its tenant policy lets every ULB of the state read the rows and
-- only a transaction scoped to the whole state (or everything) write them.
--
-- depreciation_jobs are depreciation runs asked for over the API and done
-- by a River job: queued, running, then done (naming the depreciation run
-- it made, or found already made through the date) or failed (why).

-- +goose Up
ALTER TABLE asset_classes
    ADD COLUMN rate_percent numeric(6,3) NOT NULL DEFAULT 0 CHECK (rate_percent >= 0 AND rate_percent <= 100);
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_depreciable_heads;
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_depreciable_heads CHECK (
    (depreciable AND accumulated_account IS NOT NULL AND depreciation_account IS NOT NULL)
 OR (NOT depreciable AND useful_life_years IS NULL AND rate_percent = 0));
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_life_or_rate CHECK (useful_life_years IS NULL OR rate_percent = 0);

CREATE TABLE asset_class_state_defaults (
    tenant_id         text NOT NULL CHECK (tenant_id ~ '^[a-z]{2}\.\*$'),
    class_code        text NOT NULL CHECK (class_code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
    useful_life_years integer CHECK (useful_life_years BETWEEN 1 AND 200),
    rate_percent      numeric(6,3) NOT NULL DEFAULT 0 CHECK (rate_percent >= 0 AND rate_percent <= 100),
    updated_by        text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, class_code),
    CONSTRAINT asset_class_state_defaults_life_or_rate CHECK ((useful_life_years IS NULL) <> (rate_percent = 0))
);
ALTER TABLE asset_class_state_defaults ENABLE ROW LEVEL SECURITY;
ALTER TABLE asset_class_state_defaults FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON asset_class_state_defaults
    USING (tenant_id = split_part(current_setting('munim.tenant', true), '.', 1) || '.*' OR munim_visible(tenant_id))
    WITH CHECK (munim_visible(tenant_id));

CREATE TABLE depreciation_jobs (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    through_date date NOT NULL,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- The assets in use of depreciable classes when the job was queued.
    expected     integer NOT NULL CHECK (expected >= 0),
    run_id       bigint,
    -- The run through the date existed before the job: it posted nothing.
    replayed     boolean NOT NULL DEFAULT false,
    error        text NOT NULL DEFAULT '',
    job_id       bigint NOT NULL DEFAULT 0,
    requested_by text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, run_id) REFERENCES depreciation_runs (tenant_id, id),
    CONSTRAINT depreciation_jobs_done_run CHECK ((status = 'done') = (run_id IS NOT NULL))
);
-- One live job per date: asking again while it is queued returns it.
CREATE UNIQUE INDEX depreciation_jobs_one_live ON depreciation_jobs (tenant_id, through_date)
    WHERE status IN ('queued', 'running');

CALL munim_isolate(ARRAY['depreciation_jobs']);

-- +goose Down
DROP TABLE depreciation_jobs;
DROP TABLE asset_class_state_defaults;
-- A class on a rate gets back the life the rate comes to (100 / rate); a
-- class that followed a default has no life to get back, so the old check
-- returns NOT VALID (checked on rows written from now on, not these).
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_life_or_rate;
UPDATE asset_classes SET useful_life_years = greatest(1, round(100 / rate_percent))::integer WHERE rate_percent > 0;
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_depreciable_heads;
ALTER TABLE asset_classes DROP COLUMN rate_percent;
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_depreciable_heads CHECK (
    (depreciable AND accumulated_account IS NOT NULL AND depreciation_account IS NOT NULL AND useful_life_years IS NOT NULL)
 OR NOT depreciable) NOT VALID;
