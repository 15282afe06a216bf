-- Provision for doubtful receivables (issue 8): the rate each tenant
-- provides per age band of a demand's due date, and each provisions run.
-- A tenant with no rate for a band uses the default (yearend.DefaultRates).

-- +goose Up
CREATE TABLE provision_rates (
    tenant_id  text NOT NULL REFERENCES tenants,
    -- 1: due under 1 year before the year end; 2: 1-2 years; 3: 2-3 years; 4: over 3 years.
    band       smallint NOT NULL CHECK (band BETWEEN 1 AND 4),
    rate       numeric(5,4) NOT NULL CHECK (rate BETWEEN 0 AND 1),
    set_by     text NOT NULL CHECK (set_by <> ''),
    set_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, band)
);

-- One row per run: what was required, what was held before, and the
-- voucher that moved the provision by the difference (none when it was
-- already right).
CREATE TABLE provision_runs (
    tenant_id   text NOT NULL,
    fiscal_year integer NOT NULL,
    run_no      integer NOT NULL CHECK (run_no > 0),
    required    numeric(18,2) NOT NULL,
    held_before numeric(18,2) NOT NULL,
    voucher_id  bigint,
    run_by      text NOT NULL CHECK (run_by <> ''),
    run_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, fiscal_year, run_no),
    FOREIGN KEY (tenant_id, fiscal_year) REFERENCES fiscal_years,
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
CREATE TRIGGER provision_runs_immutable BEFORE UPDATE OR DELETE ON provision_runs
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['provision_rates', 'provision_runs']);

-- +goose Down
DROP TABLE provision_runs, provision_rates;
