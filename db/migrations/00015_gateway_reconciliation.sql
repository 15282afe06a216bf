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

CALL munim_isolate(ARRAY['gateway_settlements', 'gateway_settlement_items', 'payment_exceptions']);

-- +goose Down
DROP TABLE payment_exceptions, gateway_settlement_items, gateway_settlements;
DROP TRIGGER gateway_payments_settled_once ON gateway_payments;
DROP FUNCTION gateway_payments_settled_once(), payment_exceptions_resolve_once();
ALTER TABLE gateway_payments DROP COLUMN settlement_id;
