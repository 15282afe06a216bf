-- Year-end close (issue 8): one row per attempt at closing a fiscal year,
-- the vouchers each attempt posted, and an append-only trail of closes and
-- reopenings.
--
-- Rules kept by the schema itself:
--  * at most one standing ('closed') close per tenant and fiscal year;
--  * a closing voucher belongs to one close; the lines of the vouchers
--    marked closing (the I&E close, the transfer to the municipal fund and
--    their reversals) are what the income and expenditure statement leaves
--    out when it draws a closed year;
--  * year events refuse UPDATE and DELETE.

-- +goose Up
CREATE TABLE year_closings (
    tenant_id     text NOT NULL REFERENCES tenants,
    fiscal_year   integer NOT NULL,
    attempt       integer NOT NULL CHECK (attempt > 0),
    status        text NOT NULL DEFAULT 'closed' CHECK (status IN ('closed', 'reopened')),
    closed_by     text NOT NULL CHECK (closed_by <> ''),
    closed_at     timestamptz NOT NULL DEFAULT now(),
    -- Excess of income over expenditure carried to the municipal fund, all funds.
    surplus       numeric(18,2) NOT NULL,
    reopened_by   text,
    reopened_at   timestamptz,
    reopen_reason text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, fiscal_year, attempt),
    FOREIGN KEY (tenant_id, fiscal_year) REFERENCES fiscal_years,
    CONSTRAINT year_closings_reopened_with_reason CHECK (status = 'closed' OR (reopened_by <> '' AND reopen_reason <> ''))
);
CREATE UNIQUE INDEX year_closings_one_standing ON year_closings (tenant_id, fiscal_year) WHERE status = 'closed';

CREATE TABLE year_closing_vouchers (
    tenant_id   text NOT NULL,
    voucher_id  bigint NOT NULL,
    fiscal_year integer NOT NULL,
    attempt     integer NOT NULL,
    purpose     text NOT NULL CHECK (purpose IN ('close_income_expenditure', 'transfer_to_fund', 'reversal', 'arrears')),
    -- closing: the voucher's lines are left out of the income and
    -- expenditure statement (and the cash flow) of its year.
    closing     boolean NOT NULL,
    PRIMARY KEY (tenant_id, voucher_id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id),
    FOREIGN KEY (tenant_id, fiscal_year, attempt) REFERENCES year_closings
);
CREATE INDEX year_closing_vouchers_by_year ON year_closing_vouchers (tenant_id, fiscal_year) WHERE closing;

-- Who closed or reopened a year, when and why. Append-only.
CREATE TABLE year_events (
    tenant_id   text NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    fiscal_year integer NOT NULL,
    attempt     integer NOT NULL,
    action      text NOT NULL CHECK (action IN ('close', 'reopen')),
    actor       text NOT NULL CHECK (actor <> ''),
    reason      text NOT NULL CHECK (reason <> ''),
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, fiscal_year, attempt) REFERENCES year_closings
);
CREATE TRIGGER year_events_immutable BEFORE UPDATE OR DELETE ON year_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- The fiscal years whose demands are arrears. The first close of a year
-- moves what its demands leave unpaid to the heads' arrears accounts
-- (4311001 to 4311004) and adds the year here; from then on whatever
-- touches those demands posts to the arrears account (billing asks
-- through DemandGetMany.in_arrears). A reopening leaves the year here:
-- its dues are overdue whatever the state of the books, and a second
-- close moves nothing twice.
CREATE TABLE arrears_years (
    tenant_id   text NOT NULL REFERENCES tenants,
    fiscal_year integer NOT NULL,
    moved       numeric(18,2) NOT NULL,
    moved_by    text NOT NULL CHECK (moved_by <> ''),
    moved_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, fiscal_year),
    FOREIGN KEY (tenant_id, fiscal_year) REFERENCES fiscal_years
);
CREATE TRIGGER arrears_years_immutable BEFORE UPDATE OR DELETE ON arrears_years
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['year_closings', 'year_closing_vouchers', 'year_events', 'arrears_years']);

-- +goose Down
DROP TABLE arrears_years, year_events, year_closing_vouchers, year_closings;
