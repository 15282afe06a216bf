-- Billing: tax heads with their ledger mapping, and demands (one consumer,
-- one period, lines per head) whose accrual vouchers post in the same
-- transaction. Demand lines carry what has been collected against them, so
-- the demand register (DCB) ties to the receivable control accounts.

-- +goose Up
CREATE TABLE tax_heads (
    tenant_id          text NOT NULL REFERENCES tenants,
    service            text NOT NULL CHECK (service ~ '^[a-z][a-z0-9_]{1,39}$'),
    code               text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
    name               text NOT NULL CHECK (name <> ''),
    category           text NOT NULL CHECK (category IN ('tax', 'cess', 'rebate', 'penalty', 'interest', 'fee', 'advance', 'round_off')),
    -- Apportionment order within a period: lower first (interest, penalty, cess, tax).
    priority           integer NOT NULL CHECK (priority BETWEEN 1 AND 99),
    -- The head credited when a demand is raised (income, or a liability for
    -- cesses collected for the state), and the receivable debited.
    income_account     text NOT NULL,
    receivable_account text NOT NULL,
    fund_code          text NOT NULL,
    function_code      text NOT NULL,
    rounding           text NOT NULL DEFAULT 'paise' CHECK (rounding IN ('paise', 'rupee')),
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service, code),
    FOREIGN KEY (tenant_id, income_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, receivable_account) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, fund_code) REFERENCES funds (tenant_id, code),
    FOREIGN KEY (tenant_id, function_code) REFERENCES functions (tenant_id, code)
);

CREATE TABLE demands (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    service         text NOT NULL,
    consumer_code   text NOT NULL CHECK (consumer_code <> ''),
    ward            text NOT NULL DEFAULT '',
    period_from     date NOT NULL,
    period_to       date NOT NULL CHECK (period_to >= period_from),
    fiscal_year     integer NOT NULL,
    demand_date     date NOT NULL,
    due_date        date NOT NULL,
    total           numeric(18,2) NOT NULL CHECK (total > 0),
    source          text NOT NULL CHECK (source IN ('run', 'department', 'manual')),
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    voucher_id      bigint NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT demands_one_per_consumer_period UNIQUE (tenant_id, service, consumer_code, period_from),
    CONSTRAINT demands_idempotency_key_unique UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX demands_by_consumer ON demands (tenant_id, consumer_code, period_from);

CREATE TABLE demand_lines (
    tenant_id  text NOT NULL,
    demand_id  bigint NOT NULL,
    line_no    smallint NOT NULL CHECK (line_no > 0),
    head_code  text NOT NULL,
    amount     numeric(18,2) NOT NULL,
    -- Collected so far (issue 5 moves it); never more than the amount.
    collected  numeric(18,2) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, demand_id, line_no),
    FOREIGN KEY (tenant_id, demand_id) REFERENCES demands (tenant_id, id),
    CONSTRAINT demand_lines_collected_within_amount
        CHECK ((amount >= 0 AND collected BETWEEN 0 AND amount) OR (amount < 0 AND collected BETWEEN amount AND 0))
);

CALL munim_isolate(ARRAY['tax_heads', 'demands', 'demand_lines']);

-- +goose Down
DROP TABLE demand_lines, demands, tax_heads;
