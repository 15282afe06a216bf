-- +goose Up

-- Settlement reconciliation: what the gateway paid into the bank, item by
-- item, matched to our payments; and the exceptions shown until resolved.

CREATE TABLE gateway_settlements (
    tenant_id     text NOT NULL REFERENCES tenants,
    settlement_id text NOT NULL CHECK (settlement_id <> ''),
    utr           text NOT NULL,
    settled_on    date NOT NULL,
    gross         numeric(18,2) NOT NULL CHECK (gross >= 0), -- payments settled
    fee           numeric(18,2) NOT NULL CHECK (fee >= 0),
    tax           numeric(18,2) NOT NULL CHECK (tax >= 0),
    refunds       numeric(18,2) NOT NULL CHECK (refunds >= 0),
    net           numeric(18,2) NOT NULL,
    unknown       numeric(18,2) NOT NULL DEFAULT 0, -- of gross and refunds net, not ours
    voucher_id    bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, settlement_id),
    CONSTRAINT gateway_settlements_net CHECK (net = gross - fee - tax - refunds)
);
CREATE TRIGGER gateway_settlements_immutable BEFORE UPDATE OR DELETE ON gateway_settlements
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- An entity (payment or refund) is settled once.
CREATE TABLE gateway_settlement_items (
    tenant_id     text NOT NULL,
    entity_id     text NOT NULL,
    settlement_id text NOT NULL,
    type          text NOT NULL CHECK (type IN ('payment', 'refund')),
    payment_id    text NOT NULL DEFAULT '',
    amount        numeric(18,2) NOT NULL,
    fee           numeric(18,2) NOT NULL DEFAULT 0,
    tax           numeric(18,2) NOT NULL DEFAULT 0,
    known         boolean NOT NULL, -- matched to one of our payments
    PRIMARY KEY (tenant_id, entity_id),
    FOREIGN KEY (tenant_id, settlement_id) REFERENCES gateway_settlements
);
CREATE TRIGGER gateway_settlement_items_immutable BEFORE UPDATE OR DELETE ON gateway_settlement_items
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

ALTER TABLE gateway_payments ADD COLUMN settlement_id text;
-- The transition guard learns that a settlement, once set, stays.
-- +goose StatementBegin
CREATE FUNCTION gateway_payments_settled_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.settlement_id IS NOT NULL AND NEW.settlement_id IS DISTINCT FROM OLD.settlement_id THEN
        RAISE EXCEPTION 'a settled payment stays settled' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER gateway_payments_settled_once BEFORE UPDATE ON gateway_payments
    FOR EACH ROW EXECUTE FUNCTION gateway_payments_settled_once();

-- Exceptions, one per kind and reference, open until resolved.
CREATE TABLE payment_exceptions (
    tenant_id      text NOT NULL REFERENCES tenants,
    id             bigint GENERATED ALWAYS AS IDENTITY,
    kind           text NOT NULL CHECK (kind IN ('captured_not_receipted', 'receipted_not_captured', 'amount_mismatch',
                       'settled_unknown', 'refund_pending', 'duplicate_payment', 'settlement_missing')),
    reference      text NOT NULL CHECK (reference <> ''),
    transaction_id bigint,
    amount         numeric(18,2) NOT NULL DEFAULT 0,
    detail         text NOT NULL,
    raised_at      timestamptz NOT NULL,
    resolved_at    timestamptz,
    resolved_by    text,
    resolution     text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT payment_exceptions_once UNIQUE (tenant_id, kind, reference),
    CONSTRAINT payment_exceptions_resolved CHECK ((resolved_at IS NULL) = (resolved_by IS NULL)
        AND (resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX payment_exceptions_open ON payment_exceptions (tenant_id, raised_at) WHERE resolved_at IS NULL;
-- An exception is resolved once, and otherwise never changes.
-- +goose StatementBegin
CREATE FUNCTION payment_exceptions_resolve_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.resolved_at IS NOT NULL OR (NEW.tenant_id, NEW.id, NEW.kind, NEW.reference, NEW.transaction_id, NEW.amount,
        NEW.detail, NEW.raised_at) IS DISTINCT FROM (OLD.tenant_id, OLD.id, OLD.kind, OLD.reference, OLD.transaction_id,
        OLD.amount, OLD.detail, OLD.raised_at) THEN
        RAISE EXCEPTION 'an exception is resolved once and otherwise never changes' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER payment_exceptions_resolve_once BEFORE UPDATE ON payment_exceptions
    FOR EACH ROW EXECUTE FUNCTION payment_exceptions_resolve_once();
CREATE TRIGGER payment_exceptions_no_delete BEFORE DELETE ON payment_exceptions FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Refunds of online payments, maker-checker: proposed by one, approved
-- (and sent to the gateway) by another. A refund returns a consumer's
-- advance: the advance Dr, the clearing account Cr.
CREATE TABLE gateway_refunds (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    payment_id      text NOT NULL,
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    reason          text NOT NULL CHECK (reason <> ''),
    service         text NOT NULL,
    consumer_code   text NOT NULL,
    receipt_id      bigint NOT NULL,
    status          text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'processed', 'failed')),
    refund_id       text CHECK (refund_id <> ''),
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    proposed_by     text NOT NULL,
    proposed_at     timestamptz NOT NULL,
    approved_by     text,
    approved_at     timestamptz,
    voucher_id      bigint,
    failure         text NOT NULL DEFAULT '',
    settlement_id   text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, payment_id) REFERENCES gateway_payments,
    CONSTRAINT gateway_refunds_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT gateway_refunds_refund_unique UNIQUE (tenant_id, refund_id),
    CONSTRAINT gateway_refunds_four_eyes CHECK (approved_by IS NULL OR approved_by <> proposed_by),
    CONSTRAINT gateway_refunds_booked CHECK ((status = 'processed') = (voucher_id IS NOT NULL))
);
-- +goose StatementBegin
CREATE FUNCTION gateway_refunds_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.payment_id, NEW.amount, NEW.reason, NEW.service, NEW.consumer_code, NEW.receipt_id,
        NEW.idempotency_key, NEW.request_hash, NEW.proposed_by, NEW.proposed_at) IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.payment_id, OLD.amount, OLD.reason, OLD.service, OLD.consumer_code, OLD.receipt_id,
        OLD.idempotency_key, OLD.request_hash, OLD.proposed_by, OLD.proposed_at)
       OR (OLD.settlement_id IS NOT NULL AND NEW.settlement_id IS DISTINCT FROM OLD.settlement_id)
       OR (NEW.status <> OLD.status AND NOT (OLD.status, NEW.status) IN
           (('proposed', 'approved'), ('approved', 'processed'), ('approved', 'failed'))) THEN
        RAISE EXCEPTION 'a refund moves only forward: proposed, approved, processed or failed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER gateway_refunds_transition BEFORE UPDATE ON gateway_refunds
    FOR EACH ROW EXECUTE FUNCTION gateway_refunds_transition();
CREATE TRIGGER gateway_refunds_no_delete BEFORE DELETE ON gateway_refunds FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- An advance may now leave by refund.
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured', 'refunded'));

-- Bank statements as the bank sent them, line by line, each matched to the
-- voucher that put the same money through the bank account in the books.
CREATE TABLE bank_statement_imports (
    tenant_id    text NOT NULL REFERENCES tenants,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    bank_account text NOT NULL CHECK (bank_account ~ '^4502[0-9]{3}$'),
    file_hash    bytea NOT NULL,
    lines        integer NOT NULL,
    duplicates   integer NOT NULL,
    imported_by  text NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE TRIGGER bank_statement_imports_immutable BEFORE UPDATE OR DELETE ON bank_statement_imports
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE bank_statement_lines (
    tenant_id       text NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    bank_account    text NOT NULL,
    import_id       bigint NOT NULL,
    txn_date        date NOT NULL,
    narration       text NOT NULL,
    reference       text NOT NULL,
    debit           numeric(18,2) NOT NULL CHECK (debit >= 0),
    credit          numeric(18,2) NOT NULL CHECK (credit >= 0),
    balance         numeric(18,2) NOT NULL,
    -- The voucher of the books this line is; null until matched.
    matched_voucher_id bigint,
    matched_by      text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, import_id) REFERENCES bank_statement_imports,
    -- Statements overlap: a line imported twice is one line.
    CONSTRAINT bank_statement_lines_once UNIQUE (tenant_id, bank_account, txn_date, reference, debit, credit, balance),
    CONSTRAINT bank_statement_lines_matched_voucher_unique UNIQUE (tenant_id, bank_account, matched_voucher_id),
    CONSTRAINT bank_statement_lines_one_side CHECK ((debit > 0) <> (credit > 0))
);
-- A line's particulars never change; a match, once made, stays.
-- +goose StatementBegin
CREATE FUNCTION bank_statement_lines_match_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.bank_account, NEW.import_id, NEW.txn_date, NEW.narration, NEW.reference, NEW.debit,
        NEW.credit, NEW.balance) IS DISTINCT FROM (OLD.tenant_id, OLD.id, OLD.bank_account, OLD.import_id, OLD.txn_date,
        OLD.narration, OLD.reference, OLD.debit, OLD.credit, OLD.balance)
       OR OLD.matched_voucher_id IS NOT NULL THEN
        RAISE EXCEPTION 'a bank statement line never changes, and its match stays' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER bank_statement_lines_match_once BEFORE UPDATE ON bank_statement_lines
    FOR EACH ROW EXECUTE FUNCTION bank_statement_lines_match_once();
CREATE TRIGGER bank_statement_lines_no_delete BEFORE DELETE ON bank_statement_lines FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['gateway_settlements', 'gateway_settlement_items', 'payment_exceptions', 'gateway_refunds',
    'bank_statement_imports', 'bank_statement_lines']);

-- +goose Down
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured'));
DROP TABLE bank_statement_lines, bank_statement_imports;
DROP FUNCTION bank_statement_lines_match_once();
DROP TABLE gateway_refunds;
DROP FUNCTION gateway_refunds_transition();
DROP TABLE payment_exceptions, gateway_settlement_items, gateway_settlements;
DROP TRIGGER gateway_payments_settled_once ON gateway_payments;
DROP FUNCTION gateway_payments_settled_once(), payment_exceptions_resolve_once();
ALTER TABLE gateway_payments DROP COLUMN settlement_id;
