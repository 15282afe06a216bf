-- +goose Up

-- Online payments through a gateway (Razorpay). A gateway transaction is
-- one checkout: our reference, the gateway's order, the consumers' dues it
-- was opened for, and where it stands. Each payment the gateway reports
-- against its order is kept, captured ones with the one receipt they made.

-- Receipts learn a mode for money captured at a gateway.
ALTER TABLE receipts DROP CONSTRAINT receipts_mode_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_mode_check CHECK (mode IN ('cash', 'cheque', 'dd', 'card', 'neft', 'online'));

CREATE TABLE gateway_transactions (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    -- reference is ours, sent as the order's receipt (at most 40 characters).
    reference       text NOT NULL CHECK (reference <> '' AND length(reference) <= 40),
    gateway         text NOT NULL DEFAULT 'razorpay' CHECK (gateway = 'razorpay'),
    order_id        text CHECK (order_id <> ''),
    amount          numeric(18,2) NOT NULL CHECK (amount > 0),
    status          text NOT NULL DEFAULT 'created' CHECK (status IN ('created', 'pending', 'success', 'failed', 'refunded')),
    payer_name      text NOT NULL DEFAULT '',
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- The poller's backoff: how often the gateway was asked, and when next.
    poll_attempts   integer NOT NULL DEFAULT 0,
    next_poll_at    timestamptz,
    last_error      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT gateway_transactions_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT gateway_transactions_reference_unique UNIQUE (tenant_id, reference),
    CONSTRAINT gateway_transactions_order_unique UNIQUE (tenant_id, order_id),
    CONSTRAINT gateway_transactions_ordered CHECK (status = 'created' OR order_id IS NOT NULL)
);
CREATE INDEX gateway_transactions_open ON gateway_transactions (tenant_id, next_poll_at) WHERE status IN ('created', 'pending');

-- The state machine, in the database: CREATED -> PENDING -> SUCCESS |
-- FAILED, SUCCESS -> REFUNDED. A failed attempt may be followed by a
-- captured one on the same order, so FAILED -> PENDING | SUCCESS; nothing
-- leaves SUCCESS but a refund, and nothing returns to CREATED.
-- +goose StatementBegin
CREATE FUNCTION gateway_transactions_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.id, NEW.reference, NEW.gateway, NEW.amount, NEW.idempotency_key, NEW.request_hash,
        NEW.created_by, NEW.created_at) IS DISTINCT FROM
       (OLD.tenant_id, OLD.id, OLD.reference, OLD.gateway, OLD.amount, OLD.idempotency_key, OLD.request_hash,
        OLD.created_by, OLD.created_at)
       OR (OLD.order_id IS NOT NULL AND NEW.order_id IS DISTINCT FROM OLD.order_id) THEN
        RAISE EXCEPTION 'a gateway transaction''s particulars cannot change' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status <> OLD.status AND NOT (OLD.status, NEW.status) IN (
        ('created', 'pending'), ('created', 'success'), ('created', 'failed'),
        ('pending', 'success'), ('pending', 'failed'),
        ('failed', 'pending'), ('failed', 'success'),
        ('success', 'refunded')) THEN
        RAISE EXCEPTION 'a gateway transaction cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'gateway_transactions_transition';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER gateway_transactions_transition BEFORE UPDATE ON gateway_transactions
    FOR EACH ROW EXECUTE FUNCTION gateway_transactions_transition();
CREATE TRIGGER gateway_transactions_no_delete BEFORE DELETE ON gateway_transactions FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- What each consumer's dues the checkout was for.
CREATE TABLE gateway_transaction_items (
    tenant_id      text NOT NULL,
    transaction_id bigint NOT NULL,
    item_no        smallint NOT NULL CHECK (item_no > 0),
    service        text NOT NULL,
    consumer_code  text NOT NULL CHECK (consumer_code <> ''),
    amount         numeric(18,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, transaction_id, item_no),
    FOREIGN KEY (tenant_id, transaction_id) REFERENCES gateway_transactions
);
CREATE TRIGGER gateway_transaction_items_immutable BEFORE UPDATE OR DELETE ON gateway_transaction_items
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every payment the gateway reported against an order. A captured payment
-- has its receipt, and only one: the receipt's idempotency key is the
-- payment id, and receipt_id is unique.
CREATE TABLE gateway_payments (
    tenant_id      text NOT NULL,
    payment_id     text NOT NULL CHECK (payment_id <> ''),
    transaction_id bigint NOT NULL,
    amount         numeric(18,2) NOT NULL CHECK (amount > 0),
    status         text NOT NULL CHECK (status IN ('created', 'authorized', 'captured', 'refunded', 'failed')),
    method         text NOT NULL DEFAULT '',
    fee            numeric(18,2) NOT NULL DEFAULT 0 CHECK (fee >= 0),
    tax            numeric(18,2) NOT NULL DEFAULT 0 CHECK (tax >= 0),
    amount_refunded numeric(18,2) NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
    error_code     text NOT NULL DEFAULT '',
    error_text     text NOT NULL DEFAULT '',
    -- seen_via is how we first learnt of it: callback, webhook or poll.
    seen_via       text NOT NULL CHECK (seen_via IN ('callback', 'webhook', 'poll')),
    receipt_id     bigint,
    captured_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, payment_id),
    FOREIGN KEY (tenant_id, transaction_id) REFERENCES gateway_transactions,
    FOREIGN KEY (tenant_id, receipt_id) REFERENCES receipts,
    CONSTRAINT gateway_payments_receipt_unique UNIQUE (tenant_id, receipt_id),
    CONSTRAINT gateway_payments_captured_receipted CHECK ((status IN ('captured', 'refunded')) = (receipt_id IS NOT NULL))
);
CREATE INDEX gateway_payments_transaction ON gateway_payments (tenant_id, transaction_id);

-- A payment moves only forward: created -> authorized -> captured ->
-- refunded, or created | authorized -> failed; a failed payment may still
-- be captured (the gateway's last word wins). Its receipt never changes.
-- +goose StatementBegin
CREATE FUNCTION gateway_payments_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.payment_id, NEW.transaction_id, NEW.seen_via, NEW.created_at) IS DISTINCT FROM
       (OLD.tenant_id, OLD.payment_id, OLD.transaction_id, OLD.seen_via, OLD.created_at)
       OR (OLD.receipt_id IS NOT NULL AND NEW.receipt_id IS DISTINCT FROM OLD.receipt_id) THEN
        RAISE EXCEPTION 'a gateway payment''s particulars cannot change' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.status <> OLD.status AND NOT (OLD.status, NEW.status) IN (
        ('created', 'authorized'), ('created', 'captured'), ('created', 'failed'),
        ('authorized', 'captured'), ('authorized', 'failed'), ('failed', 'captured'),
        ('captured', 'refunded'), ('created', 'refunded'), ('authorized', 'refunded'), ('failed', 'refunded')) THEN
        RAISE EXCEPTION 'a gateway payment cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'integrity_constraint_violation', CONSTRAINT = 'gateway_payments_transition';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER gateway_payments_transition BEFORE UPDATE ON gateway_payments
    FOR EACH ROW EXECUTE FUNCTION gateway_payments_transition();
CREATE TRIGGER gateway_payments_no_delete BEFORE DELETE ON gateway_payments FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Webhook events taken, by the gateway's event id: a redelivery is seen
-- and answered without acting twice.
CREATE TABLE gateway_webhook_events (
    tenant_id   text NOT NULL,
    event_id    text NOT NULL CHECK (event_id <> ''),
    event       text NOT NULL,
    payment_id  text NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, event_id)
);
CREATE TRIGGER gateway_webhook_events_immutable BEFORE UPDATE OR DELETE ON gateway_webhook_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['gateway_transactions', 'gateway_transaction_items', 'gateway_payments', 'gateway_webhook_events']);

-- +goose Down
DROP TABLE gateway_webhook_events, gateway_payments, gateway_transaction_items, gateway_transactions;
DROP FUNCTION gateway_payments_transition();
DROP FUNCTION gateway_transactions_transition();
ALTER TABLE receipts DROP CONSTRAINT receipts_mode_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_mode_check CHECK (mode IN ('cash', 'cheque', 'dd', 'card', 'neft'));
