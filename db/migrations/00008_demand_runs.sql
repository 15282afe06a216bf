-- Demand generation runs: one row per run, advanced in the same transaction
-- as each batch of demands it raises, so its progress is exactly what is in
-- the books and a run that crashed resumes after its last committed batch.
-- The work itself is a River job (schema "river", see db/migrate.go).

-- +goose Up
CREATE TABLE demand_runs (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    service      text NOT NULL,
    fiscal_year  integer NOT NULL,
    -- The period the run bills (a water run's months; else the fiscal
    -- year) and the day its demands are dated (a licence's late penalty
    -- runs to it).
    period_from  date NOT NULL,
    period_to    date NOT NULL CHECK (period_to >= period_from),
    as_of        date NOT NULL,
    ward         text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- The register entries to go through when the run was started.
    expected     integer NOT NULL CHECK (expected >= 0),
    -- The last consumer code done: the run resumes after it.
    cursor       text NOT NULL DEFAULT '',
    entries      integer NOT NULL DEFAULT 0,
    raised       integer NOT NULL DEFAULT 0,
    existing     integer NOT NULL DEFAULT 0,
    -- Entries that could not be billed yet (a meter not read in the
    -- period), with why; a later run bills them.
    skipped      integer NOT NULL DEFAULT 0,
    skips        jsonb NOT NULL DEFAULT '[]',
    total        numeric(18,2) NOT NULL DEFAULT 0,
    error        text NOT NULL DEFAULT '',
    job_id       bigint NOT NULL DEFAULT 0,
    requested_by text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    PRIMARY KEY (tenant_id, id)
);
-- One live run per service, period and ward: two would raise the same demands.
CREATE UNIQUE INDEX demand_runs_one_live ON demand_runs (tenant_id, service, period_from, ward)
    WHERE status IN ('queued', 'running');

CALL munim_isolate(ARRAY['demand_runs']);

-- +goose Down
DROP TABLE demand_runs;
