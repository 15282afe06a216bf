-- Counter collections: receipts (gapless numbers per tenant, series and
-- fiscal year), the consumers and demand lines each one paid, advances held
-- for consumers, cheque deposits and cash remittances, and each service's
-- collection settings. A receipt commits with its receipt voucher and the
-- demand lines' collected amounts in one transaction (package receipts);
-- advances are billing's (applied when a demand is raised).

-- +goose Up

-- How a service takes payment. A licence fee may refuse part payment; a
-- service may refuse advances. The advance account is the liability an
-- excess is held on (3504101 property tax, 3504103 licence, ...).
CREATE TABLE collection_settings (
    tenant_id        text NOT NULL REFERENCES tenants,
    service          text NOT NULL CHECK (service ~ '^[a-z][a-z0-9_]{1,39}$'),
    partial_allowed  boolean NOT NULL DEFAULT true,
    advance_allowed  boolean NOT NULL DEFAULT true,
    advance_account  text NOT NULL,
    -- The receipt book a payment for the service is numbered in by default.
    series           text NOT NULL CHECK (series ~ '^[A-Z][A-Z0-9]{0,9}$'),
    -- A dishonoured cheque raises a demand of this amount under this head
    -- (a fee head of the service); zero raises none.
    dishonour_charge numeric(18,2) NOT NULL DEFAULT 0 CHECK (dishonour_charge >= 0),
    dishonour_head   text NOT NULL DEFAULT '',
    updated_by       text NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service),
    FOREIGN KEY (tenant_id, advance_account) REFERENCES accounts (tenant_id, code),
    CONSTRAINT collection_settings_dishonour_head CHECK (dishonour_charge = 0 OR dishonour_head <> '')
);

-- Gapless numbering: the last receipt number taken per tenant, series and
-- fiscal year, advanced inside the transaction that commits the receipt.
CREATE TABLE receipt_series (
    tenant_id   text NOT NULL REFERENCES tenants,
    series      text NOT NULL,
    fiscal_year integer NOT NULL,
    last_number bigint NOT NULL CHECK (last_number > 0),
    PRIMARY KEY (tenant_id, series, fiscal_year)
);

-- A consumer's advance for a service: money received beyond its dues, held
-- on the advance account until billing applies it to the next demand. The
-- row doubles as the consumer's collection lock (see billing.LockConsumers).
CREATE TABLE consumer_advances (
    tenant_id     text NOT NULL REFERENCES tenants,
    service       text NOT NULL,
    consumer_code text NOT NULL,
    balance       numeric(18,2) NOT NULL DEFAULT 0 CHECK (balance >= 0),
    -- Where the balance is held: set with the first advance.
    account_code  text NOT NULL DEFAULT '',
    fund_code     text NOT NULL DEFAULT '',
    function_code text NOT NULL DEFAULT '',
    ward          text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, service, consumer_code),
    CONSTRAINT consumer_advances_held_somewhere CHECK (balance = 0 OR account_code <> '')
);
-- A demand run asks, per batch, which of its consumers hold an advance:
-- usually none, so the index holds only the few that do.
CREATE INDEX consumer_advances_positive ON consumer_advances (tenant_id, service, consumer_code) WHERE balance > 0;

-- Every change of an advance, with what caused it. Append-only.
CREATE TABLE advance_movements (
    tenant_id     text NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    service       text NOT NULL,
    consumer_code text NOT NULL,
    -- Positive: received; negative: applied to a demand, or a receipt undone.
    amount        numeric(18,2) NOT NULL CHECK (amount <> 0),
    reason        text NOT NULL CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured')),
    -- The receipt (received, cancelled, dishonoured) or demand (applied).
    receipt_id    bigint,
    demand_id     bigint,
    voucher_id    bigint,
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT advance_movements_cause CHECK ((receipt_id IS NULL) <> (demand_id IS NULL))
);
CREATE INDEX advance_movements_by_consumer ON advance_movements (tenant_id, service, consumer_code, id);

CREATE TABLE cheque_deposits (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    deposit_date    date NOT NULL,
    bank_account    text NOT NULL,
    slip_no         text NOT NULL DEFAULT '',
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    voucher_id      bigint NOT NULL,
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    deposited_by    text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT cheque_deposits_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);

CREATE TABLE cash_remittances (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    remit_date      date NOT NULL,
    -- The cashier and the day whose cash this is.
    cashier         text NOT NULL,
    collected_on    date NOT NULL,
    bank_account    text NOT NULL,
    slip_no         text NOT NULL DEFAULT '',
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    voucher_id      bigint NOT NULL,
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    remitted_by     text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT cash_remittances_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);

CREATE TABLE receipts (
    tenant_id        text NOT NULL REFERENCES tenants,
    id               bigint GENERATED ALWAYS AS IDENTITY,
    series           text NOT NULL,
    fiscal_year      integer NOT NULL,
    serial           bigint NOT NULL CHECK (serial > 0),
    number           text NOT NULL,
    receipt_date     date NOT NULL,
    mode             text NOT NULL CHECK (mode IN ('cash', 'cheque', 'dd', 'card', 'neft')),
    amount           numeric(18,2) NOT NULL CHECK (amount > 0),
    -- The fund the receipt's cash or bank side is in.
    fund_code        text NOT NULL,
    -- The account debited: cash on hand, cheques in hand, cash in transit or a bank.
    debit_account    text NOT NULL,
    payer_name       text NOT NULL DEFAULT '',
    -- Cheque, DD, card slip or UTR.
    instrument_no    text NOT NULL DEFAULT '',
    instrument_date  date,
    bank_name        text NOT NULL DEFAULT '',
    branch           text NOT NULL DEFAULT '',
    voucher_id       bigint NOT NULL,
    rebate_voucher_id bigint,
    idempotency_key  text NOT NULL CHECK (idempotency_key <> ''),
    request_hash     bytea NOT NULL,
    collected_by     text NOT NULL,
    collected_at     timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'cancelled', 'dishonoured')),
    -- Cancellation (status cancelled) or dishonour (status dishonoured).
    undone_on        date,
    undone_by        text,
    undo_reason      text NOT NULL DEFAULT '',
    undo_voucher_id  bigint,
    -- A cheque or DD: in hand, deposited, realised or dishonoured.
    cheque_status    text CHECK (cheque_status IN ('in_hand', 'deposited', 'realised', 'dishonoured')),
    deposit_id       bigint,
    realised_on      date,
    -- A dishonoured cheque's charge, raised as a demand.
    dishonour_demand_id bigint,
    -- Cash, once remitted to the bank.
    remittance_id    bigint,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT receipts_number_unique UNIQUE (tenant_id, series, fiscal_year, serial),
    CONSTRAINT receipts_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id),
    FOREIGN KEY (tenant_id, rebate_voucher_id) REFERENCES vouchers (tenant_id, id),
    FOREIGN KEY (tenant_id, undo_voucher_id) REFERENCES vouchers (tenant_id, id),
    FOREIGN KEY (tenant_id, deposit_id) REFERENCES cheque_deposits (tenant_id, id),
    FOREIGN KEY (tenant_id, remittance_id) REFERENCES cash_remittances (tenant_id, id),
    CONSTRAINT receipts_cheque_status CHECK ((cheque_status IS NOT NULL) = (mode IN ('cheque', 'dd'))),
    CONSTRAINT receipts_cheque_needs_instrument CHECK (mode NOT IN ('cheque', 'dd')
        OR (instrument_no <> '' AND instrument_date IS NOT NULL AND bank_name <> '')),
    CONSTRAINT receipts_undone CHECK ((status = 'valid') = (undone_on IS NULL AND undone_by IS NULL AND undo_voucher_id IS NULL)
        AND (status = 'valid' OR undo_reason <> '')),
    CONSTRAINT receipts_dishonour_is_a_cheque CHECK (status <> 'dishonoured' OR cheque_status = 'dishonoured'),
    CONSTRAINT receipts_remitted_is_cash CHECK (remittance_id IS NULL OR mode = 'cash')
);
CREATE UNIQUE INDEX receipts_number_text_unique ON receipts (tenant_id, number);
CREATE INDEX receipts_by_date ON receipts (tenant_id, receipt_date, id);
CREATE INDEX receipts_unremitted_cash ON receipts (tenant_id, collected_by, receipt_date)
    WHERE mode = 'cash' AND remittance_id IS NULL AND status = 'valid';

-- The consumers (service and consumer code) a receipt paid for, and what
-- of each payment went to dues, rebate and advance.
CREATE TABLE receipt_items (
    tenant_id     text NOT NULL,
    receipt_id    bigint NOT NULL,
    item_no       smallint NOT NULL CHECK (item_no > 0),
    service       text NOT NULL,
    consumer_code text NOT NULL CHECK (consumer_code <> ''),
    amount        numeric(18,2) NOT NULL CHECK (amount > 0),
    rebate        numeric(18,2) NOT NULL DEFAULT 0 CHECK (rebate >= 0),
    advance       numeric(18,2) NOT NULL DEFAULT 0 CHECK (advance >= 0),
    PRIMARY KEY (tenant_id, receipt_id, item_no),
    CONSTRAINT receipt_items_consumer_once UNIQUE (tenant_id, receipt_id, service, consumer_code),
    FOREIGN KEY (tenant_id, receipt_id) REFERENCES receipts (tenant_id, id)
);
CREATE INDEX receipt_items_by_consumer ON receipt_items (tenant_id, consumer_code, receipt_id);

-- What a receipt put on each demand line: paid by the payment, or remitted
-- as the early-payment rebate it earned.
CREATE TABLE receipt_allocations (
    tenant_id  text NOT NULL,
    receipt_id bigint NOT NULL,
    demand_id  bigint NOT NULL,
    line_no    smallint NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('payment', 'rebate')),
    amount     numeric(18,2) NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (tenant_id, receipt_id, demand_id, line_no, kind),
    FOREIGN KEY (tenant_id, receipt_id) REFERENCES receipts (tenant_id, id),
    FOREIGN KEY (tenant_id, demand_id, line_no) REFERENCES demand_lines (tenant_id, demand_id, line_no)
);
CREATE INDEX receipt_allocations_by_demand ON receipt_allocations (tenant_id, demand_id, line_no);

CALL munim_isolate(ARRAY['collection_settings', 'receipt_series', 'consumer_advances', 'advance_movements',
    'cheque_deposits', 'cash_remittances', 'receipts', 'receipt_items', 'receipt_allocations']);

-- What a receipt says never changes once it commits: its number, amount,
-- mode, instrument, voucher, payer and who took it. What moves is its status
-- and its cheque's, forward along their lifecycles only, and the deposit,
-- realisation, remittance and dishonour charge, each set once.
-- +goose StatementBegin
CREATE FUNCTION receipts_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.series, NEW.fiscal_year, NEW.serial, NEW.number, NEW.receipt_date, NEW.mode,
        NEW.amount, NEW.fund_code, NEW.debit_account, NEW.payer_name, NEW.instrument_no, NEW.instrument_date,
        NEW.bank_name, NEW.branch, NEW.voucher_id, NEW.rebate_voucher_id, NEW.idempotency_key, NEW.request_hash,
        NEW.collected_by, NEW.collected_at)
       IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.series, OLD.fiscal_year, OLD.serial, OLD.number, OLD.receipt_date, OLD.mode,
        OLD.amount, OLD.fund_code, OLD.debit_account, OLD.payer_name, OLD.instrument_no, OLD.instrument_date,
        OLD.bank_name, OLD.branch, OLD.voucher_id, OLD.rebate_voucher_id, OLD.idempotency_key, OLD.request_hash,
        OLD.collected_by, OLD.collected_at) THEN
        RAISE EXCEPTION 'receipt %: a committed receipt''s particulars never change', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status <> 'valid' AND (NEW.status, NEW.undone_on, NEW.undone_by, NEW.undo_reason, NEW.undo_voucher_id)
        IS DISTINCT FROM (OLD.status, OLD.undone_on, OLD.undone_by, OLD.undo_reason, OLD.undo_voucher_id) THEN
        RAISE EXCEPTION 'receipt % is % already', OLD.number, OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.cheque_status IS DISTINCT FROM OLD.cheque_status AND NOT (
           (OLD.cheque_status = 'in_hand' AND NEW.cheque_status IN ('deposited', 'dishonoured'))
        OR (OLD.cheque_status = 'deposited' AND NEW.cheque_status IN ('realised', 'dishonoured'))) THEN
        RAISE EXCEPTION 'receipt %: a cheque cannot go from % to %', OLD.number, OLD.cheque_status, NEW.cheque_status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (OLD.deposit_id IS NOT NULL AND NEW.deposit_id IS DISTINCT FROM OLD.deposit_id)
       OR (OLD.realised_on IS NOT NULL AND NEW.realised_on IS DISTINCT FROM OLD.realised_on)
       OR (OLD.remittance_id IS NOT NULL AND NEW.remittance_id IS DISTINCT FROM OLD.remittance_id)
       OR (OLD.dishonour_demand_id IS NOT NULL AND NEW.dishonour_demand_id IS DISTINCT FROM OLD.dishonour_demand_id) THEN
        RAISE EXCEPTION 'receipt %: a deposit, realisation, remittance or dishonour charge is recorded once', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER receipts_lifecycle BEFORE UPDATE ON receipts FOR EACH ROW EXECUTE FUNCTION receipts_lifecycle();

-- Receipts and what they paid are kept forever.
CREATE TRIGGER receipts_kept BEFORE DELETE ON receipts FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipts_no_truncate BEFORE TRUNCATE ON receipts FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipt_items_immutable BEFORE UPDATE OR DELETE ON receipt_items FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipt_items_no_truncate BEFORE TRUNCATE ON receipt_items FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipt_allocations_immutable BEFORE UPDATE OR DELETE ON receipt_allocations FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER receipt_allocations_no_truncate BEFORE TRUNCATE ON receipt_allocations FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER advance_movements_immutable BEFORE UPDATE OR DELETE ON advance_movements FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER advance_movements_no_truncate BEFORE TRUNCATE ON advance_movements FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cheque_deposits_immutable BEFORE UPDATE OR DELETE ON cheque_deposits FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cash_remittances_immutable BEFORE UPDATE OR DELETE ON cash_remittances FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Water charges and other services have no advance-collection head of
-- their own in the NMAM chart; new tenants get these from
-- munim-additions.tsv, existing ones here.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT tenant_id FROM accounts WHERE code = '35041' LOOP
        PERFORM set_config('munim.tenant', t, true);
        INSERT INTO accounts (tenant_id, code, name, kind, level, parent_code, postable)
        VALUES (t, '3504105', 'Advance Collection of Revenues-Water Charges', 'L', 'detailed', '35041', true),
               (t, '3504109', 'Advance Collection of Revenues-Other Fees and Charges', 'L', 'detailed', '35041', true)
        ON CONFLICT DO NOTHING;
    END LOOP;
    PERFORM set_config('munim.tenant', '', true);
END;
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE receipt_allocations, receipt_items, receipts, cash_remittances, cheque_deposits, advance_movements,
    consumer_advances, receipt_series, collection_settings;
DROP FUNCTION receipts_lifecycle();
