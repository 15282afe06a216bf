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

-- A run grows the demand tables by a million rows in minutes, faster than
-- autovacuum re-analyzes them; with stale statistics the planner would scan
-- them whole to find a page's raised demands. A run refreshes them as it
-- goes. ANALYZE needs the tables' owner, hence SECURITY DEFINER.
-- +goose StatementBegin
CREATE FUNCTION munim_refresh_billing_stats() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    ANALYZE demands;
    ANALYZE demand_lines;
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION munim_refresh_billing_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION munim_refresh_billing_stats() TO munim_app;

-- A demand's lines belong to a demand of the same tenant. A run writes
-- millions of lines, and a row-by-row foreign key (a locking look-up per
-- line) costs half of their insert; one check per statement over the new
-- rows proves the same, and demands and their lines are never deleted.
ALTER TABLE demand_lines DROP CONSTRAINT demand_lines_tenant_id_demand_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION check_demand_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan record;
BEGIN
    SELECT n.tenant_id, n.demand_id INTO orphan
      FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM demands d WHERE d.tenant_id = n.tenant_id AND d.id = n.demand_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'demand line of tenant % names demand %, which does not exist', orphan.tenant_id, orphan.demand_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'demand_lines_of_a_demand';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER demand_lines_of_a_demand AFTER INSERT ON demand_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_demand_lines();
CREATE TRIGGER demands_kept BEFORE DELETE ON demands FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER demands_no_truncate BEFORE TRUNCATE ON demands FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER demand_lines_kept BEFORE DELETE ON demand_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER demand_lines_no_truncate BEFORE TRUNCATE ON demand_lines FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TRIGGER demand_lines_no_truncate ON demand_lines;
DROP TRIGGER demand_lines_kept ON demand_lines;
DROP TRIGGER demands_no_truncate ON demands;
DROP TRIGGER demands_kept ON demands;
DROP TRIGGER demand_lines_of_a_demand ON demand_lines;
DROP FUNCTION check_demand_lines();
ALTER TABLE demand_lines ADD FOREIGN KEY (tenant_id, demand_id) REFERENCES demands (tenant_id, id);
DROP FUNCTION munim_refresh_billing_stats();
DROP TABLE demand_runs;
