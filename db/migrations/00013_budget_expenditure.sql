-- Budget and the expenditure it controls.
--
-- Budget: lines (a head or group of heads x function x fund, with the
-- department that holds them) per fiscal year; estimates (BE, RE and
-- supplementary provisions), each drafted, submitted and approved by
-- another person; re-appropriations between lines; commitments (work and
-- purchase orders) that reserve budget; and charges, the expenditure
-- counted against each line.
--
-- A line's running totals (be, re, supplementary, reappropriated,
-- committed, actual) are what the appropriation check reads under the
-- line's row lock. They move only with the records that explain them:
-- approved estimates, re-appropriations, commitments and charges, which are
-- never edited (a released charge is a negative charge).
--
-- Expenditure: the parties paid (suppliers and contractors), their bills
-- (lines by expense or asset head, deductions to liability heads), each
-- approved by another person, which posts its journal with the budget
-- check in one transaction, and payments against approved bills.

-- +goose Up
CREATE TABLE budget_lines (
    tenant_id      text NOT NULL REFERENCES tenants,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    fiscal_year    integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    -- A detailed head (7 digits) or a group: a minor (5) or major (3) head;
    -- a group covers every detailed head whose code starts with it.
    head_code      text NOT NULL CHECK (head_code ~ '^([0-9]{3}|[0-9]{5}|[0-9]{7})$'),
    function_code  text NOT NULL,
    fund_code      text NOT NULL,
    department     text NOT NULL DEFAULT '',
    name           text NOT NULL CHECK (btrim(name) <> ''),
    -- none: tracked only; warn: commit and flag; block: refuse a shortfall.
    control        text NOT NULL CHECK (control IN ('none', 'warn', 'block')),
    be             numeric(18,2) NOT NULL DEFAULT 0 CHECK (be >= 0),
    -- Once a revised estimate is approved (has_re), re replaces be.
    re             numeric(18,2) NOT NULL DEFAULT 0 CHECK (re >= 0),
    has_re         boolean NOT NULL DEFAULT false,
    supplementary  numeric(18,2) NOT NULL DEFAULT 0 CHECK (supplementary >= 0),
    -- Re-appropriated in less re-appropriated out.
    reappropriated numeric(18,2) NOT NULL DEFAULT 0,
    committed      numeric(18,2) NOT NULL DEFAULT 0 CHECK (committed >= 0),
    actual         numeric(18,2) NOT NULL DEFAULT 0,
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT budget_lines_key_unique UNIQUE (tenant_id, fiscal_year, head_code, function_code, fund_code),
    FOREIGN KEY (tenant_id, head_code) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, function_code) REFERENCES functions (tenant_id, code),
    FOREIGN KEY (tenant_id, fund_code) REFERENCES funds (tenant_id, code)
);
CREATE INDEX budget_lines_by_dimensions ON budget_lines (tenant_id, fiscal_year, function_code, fund_code);

-- A budget document: the year's BE, its RE, or a supplementary provision.
CREATE TABLE budget_estimates (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    fiscal_year  integer NOT NULL CHECK (fiscal_year BETWEEN 2000 AND 2100),
    kind         text NOT NULL CHECK (kind IN ('be', 're', 'supplementary')),
    -- The council or standing-committee resolution, or why a supplement.
    reference    text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'rejected')),
    drafted_by   text NOT NULL,
    drafted_at   timestamptz NOT NULL DEFAULT now(),
    submitted_by text,
    submitted_at timestamptz,
    decided_by   text,
    decided_at   timestamptz,
    decision_note text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT budget_estimates_decider_not_maker CHECK (decided_by IS NULL OR (decided_by <> drafted_by AND decided_by <> submitted_by)),
    CONSTRAINT budget_estimates_states CHECK (
        (status = 'draft' AND submitted_by IS NULL AND decided_by IS NULL)
     OR (status = 'submitted' AND submitted_by IS NOT NULL AND decided_by IS NULL)
     OR (status IN ('approved', 'rejected') AND submitted_by IS NOT NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL))
);
-- One live BE and one live RE per year; supplements are many.
CREATE UNIQUE INDEX budget_estimates_one_live ON budget_estimates (tenant_id, fiscal_year, kind)
    WHERE kind IN ('be', 're') AND status <> 'rejected';

CREATE TABLE budget_estimate_amounts (
    tenant_id   text NOT NULL,
    estimate_id bigint NOT NULL,
    line_id     bigint NOT NULL,
    amount      numeric(18,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (tenant_id, estimate_id, line_id),
    FOREIGN KEY (tenant_id, estimate_id) REFERENCES budget_estimates (tenant_id, id),
    FOREIGN KEY (tenant_id, line_id) REFERENCES budget_lines (tenant_id, id)
);

-- Re-appropriation: budget moved from one line to another of the same year
-- and fund, under a sanction. Recorded once sanctioned; kept for ever.
CREATE TABLE budget_reappropriations (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    fiscal_year     integer NOT NULL,
    from_line_id    bigint NOT NULL,
    to_line_id      bigint NOT NULL,
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    sanction_number text NOT NULL CHECK (btrim(sanction_number) <> ''),
    sanction_date   date NOT NULL,
    reason          text NOT NULL CHECK (btrim(reason) <> ''),
    sanctioned_by   text NOT NULL,
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT budget_reappropriations_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT budget_reappropriations_two_lines CHECK (from_line_id <> to_line_id),
    FOREIGN KEY (tenant_id, from_line_id) REFERENCES budget_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, to_line_id) REFERENCES budget_lines (tenant_id, id)
);

-- A commitment (encumbrance): a sanctioned work or purchase order reserving
-- budget on a line until bills consume it or it is cancelled.
CREATE TABLE budget_commitments (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    line_id         bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('work_order', 'purchase_order')),
    -- The order's number, e.g. "WO/2026/14".
    reference       text NOT NULL CHECK (btrim(reference) <> ''),
    party           text NOT NULL DEFAULT '',
    order_date      date NOT NULL,
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    consumed        numeric(18,2) NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    cancelled_by    text,
    cancelled_at    timestamptz,
    cancel_reason   text NOT NULL DEFAULT '',
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT budget_commitments_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT budget_commitments_consumed_within CHECK (consumed BETWEEN 0 AND amount),
    FOREIGN KEY (tenant_id, line_id) REFERENCES budget_lines (tenant_id, id)
);
CREATE INDEX budget_commitments_by_line ON budget_commitments (tenant_id, line_id, id);

-- Expenditure counted against a line, dated, with what it drew from a
-- commitment. A release (a cancelled bill) is a negative charge naming the
-- charge it releases.
CREATE TABLE budget_charges (
    tenant_id        text NOT NULL REFERENCES tenants,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    line_id          bigint NOT NULL,
    charge_date      date NOT NULL,
    -- What spent it, e.g. "BILL/12".
    source_ref       text NOT NULL CHECK (source_ref <> ''),
    amount           numeric(18,2) NOT NULL CHECK (amount <> 0),
    commitment_id    bigint,
    from_commitment  numeric(18,2) NOT NULL DEFAULT 0,
    -- The line's available balance was short by this much (warn mode).
    shortfall        numeric(18,2) NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
    releases_id      bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, line_id) REFERENCES budget_lines (tenant_id, id),
    FOREIGN KEY (tenant_id, commitment_id) REFERENCES budget_commitments (tenant_id, id),
    FOREIGN KEY (tenant_id, releases_id) REFERENCES budget_charges (tenant_id, id)
);
CREATE INDEX budget_charges_by_line ON budget_charges (tenant_id, line_id, charge_date);
CREATE INDEX budget_charges_by_source ON budget_charges (tenant_id, source_ref);
CREATE UNIQUE INDEX budget_charges_released_once ON budget_charges (tenant_id, releases_id) WHERE releases_id IS NOT NULL;

CREATE TRIGGER budget_reappropriations_immutable BEFORE UPDATE OR DELETE ON budget_reappropriations
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER budget_charges_immutable BEFORE UPDATE OR DELETE ON budget_charges
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['budget_lines', 'budget_estimates', 'budget_estimate_amounts', 'budget_reappropriations',
    'budget_commitments', 'budget_charges']);

-- Suppliers and contractors: the sub-ledger parties of the creditor heads.
CREATE TABLE expenditure_parties (
    tenant_id  text NOT NULL REFERENCES tenants,
    code       text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$'),
    name       text NOT NULL CHECK (btrim(name) <> ''),
    kind       text NOT NULL CHECK (kind IN ('supplier', 'contractor')),
    pan        text NOT NULL DEFAULT '',
    gstin      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE expenditure_bills (
    tenant_id         text NOT NULL REFERENCES tenants,
    id                bigint GENERATED ALWAYS AS IDENTITY,
    party_code        text NOT NULL,
    -- The party's own bill or invoice number.
    party_bill_number text NOT NULL CHECK (btrim(party_bill_number) <> ''),
    bill_date         date NOT NULL,
    -- The work or purchase order the bill is against, whose reservation it consumes.
    commitment_id     bigint,
    narration         text NOT NULL CHECK (btrim(narration) <> ''),
    fund_code         text NOT NULL,
    -- 3501001 suppliers or 3501002 contractors, by the party's kind.
    creditor_account  text NOT NULL,
    gross             numeric(18,2) NOT NULL CHECK (gross > 0),
    deductions        numeric(18,2) NOT NULL DEFAULT 0 CHECK (deductions >= 0),
    net               numeric(18,2) NOT NULL GENERATED ALWAYS AS (gross - deductions) STORED,
    paid              numeric(18,2) NOT NULL DEFAULT 0,
    status            text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected', 'cancelled')),
    idempotency_key   text NOT NULL CHECK (idempotency_key <> ''),
    request_hash      bytea NOT NULL,
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    decided_by        text,
    decided_at        timestamptz,
    decision_note     text NOT NULL DEFAULT '',
    voucher_id        bigint,
    cancel_voucher_id bigint,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT expenditure_bills_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT expenditure_bills_party_bill_unique UNIQUE (tenant_id, party_code, party_bill_number),
    CONSTRAINT expenditure_bills_net_positive CHECK (gross > deductions),
    CONSTRAINT expenditure_bills_paid_within CHECK (paid BETWEEN 0 AND gross - deductions),
    CONSTRAINT expenditure_bills_decider_not_maker CHECK (decided_by IS NULL OR decided_by <> created_by),
    CONSTRAINT expenditure_bills_states CHECK (
        (status = 'submitted' AND decided_by IS NULL AND voucher_id IS NULL AND paid = 0)
     OR (status = 'approved' AND decided_by IS NOT NULL AND voucher_id IS NOT NULL)
     OR (status = 'rejected' AND decided_by IS NOT NULL AND voucher_id IS NULL AND paid = 0)
     OR (status = 'cancelled' AND voucher_id IS NOT NULL AND cancel_voucher_id IS NOT NULL AND paid = 0)),
    FOREIGN KEY (tenant_id, party_code) REFERENCES expenditure_parties (tenant_id, code),
    FOREIGN KEY (tenant_id, commitment_id) REFERENCES budget_commitments (tenant_id, id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id),
    FOREIGN KEY (tenant_id, cancel_voucher_id) REFERENCES vouchers (tenant_id, id)
);
CREATE INDEX expenditure_bills_by_party ON expenditure_bills (tenant_id, party_code, bill_date, id);
CREATE INDEX expenditure_bills_by_status ON expenditure_bills (tenant_id, status, id);

-- What the bill charges: expense heads (2xx) or asset and CWIP heads (4xx).
CREATE TABLE expenditure_bill_lines (
    tenant_id     text NOT NULL,
    bill_id       bigint NOT NULL,
    line_no       smallint NOT NULL CHECK (line_no > 0),
    account_code  text NOT NULL,
    function_code text NOT NULL,
    description   text NOT NULL DEFAULT '',
    amount        numeric(18,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, bill_id, line_no),
    FOREIGN KEY (tenant_id, bill_id) REFERENCES expenditure_bills (tenant_id, id),
    FOREIGN KEY (tenant_id, account_code) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, function_code) REFERENCES functions (tenant_id, code)
);

-- What is kept back from the party: TDS, retention money, security
-- deposit, recoveries, each to its liability head.
CREATE TABLE expenditure_bill_deductions (
    tenant_id    text NOT NULL,
    bill_id      bigint NOT NULL,
    line_no      smallint NOT NULL CHECK (line_no > 0),
    kind         text NOT NULL CHECK (kind IN ('tds', 'retention', 'security_deposit', 'recovery')),
    account_code text NOT NULL,
    amount       numeric(18,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, bill_id, line_no),
    FOREIGN KEY (tenant_id, bill_id) REFERENCES expenditure_bills (tenant_id, id),
    FOREIGN KEY (tenant_id, account_code) REFERENCES accounts (tenant_id, code)
);

-- A payment against an approved bill: its payment voucher (Dr creditor, Cr bank).
CREATE TABLE expenditure_payments (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    bill_id         bigint NOT NULL,
    payment_date    date NOT NULL,
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    mode            text NOT NULL CHECK (mode IN ('cheque', 'neft', 'rtgs')),
    -- The cheque number, or the bank's UTR for a transfer.
    instrument_ref  text NOT NULL CHECK (btrim(instrument_ref) <> ''),
    bank_account    text NOT NULL,
    voucher_id      bigint NOT NULL,
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    paid_by         text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT expenditure_payments_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, bill_id) REFERENCES expenditure_bills (tenant_id, id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
CREATE INDEX expenditure_payments_by_bill ON expenditure_payments (tenant_id, bill_id, id);

CREATE TRIGGER expenditure_payments_immutable BEFORE UPDATE OR DELETE ON expenditure_payments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['expenditure_parties', 'expenditure_bills', 'expenditure_bill_lines', 'expenditure_bill_deductions',
    'expenditure_payments']);

-- +goose Down
DROP TABLE expenditure_payments, expenditure_bill_deductions, expenditure_bill_lines, expenditure_bills, expenditure_parties;
DROP TABLE budget_charges, budget_commitments, budget_reappropriations, budget_estimate_amounts, budget_estimates, budget_lines;
