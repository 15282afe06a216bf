-- Demand amendments: remission, court order, write-off and correction. An
-- amendment is proposed by one person and approved (or rejected) by
-- another; approval posts its own voucher and moves demand_lines.adjusted in
-- the same transaction. The demand and its lines' amounts stay as raised.

-- +goose Up
ALTER TABLE demand_lines ADD COLUMN adjusted numeric(18,2) NOT NULL DEFAULT 0;

-- What is due on a line is amount + adjusted. Collections stay between zero
-- and that, on the side of the line's sign (only a round-off line may be
-- negative), and an amendment never takes a line past zero.
ALTER TABLE demand_lines DROP CONSTRAINT demand_lines_collected_within_amount;
ALTER TABLE demand_lines ADD CONSTRAINT demand_lines_collected_within_amount
    CHECK ((amount >= 0 AND amount + adjusted >= 0 AND collected BETWEEN 0 AND amount + adjusted)
        OR (amount < 0 AND amount + adjusted <= 0 AND collected BETWEEN amount + adjusted AND 0));

CREATE TABLE demand_amendments (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    demand_id       bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('remission', 'court_order', 'write_off', 'correction')),
    reason          text NOT NULL CHECK (btrim(reason) <> ''),
    -- The order, resolution or file number behind the amendment.
    reference       text NOT NULL DEFAULT '',
    -- The accounting date of the voucher approval posts.
    amendment_date  date NOT NULL,
    status          text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'approved', 'rejected')),
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    proposed_by     text NOT NULL,
    proposed_at     timestamptz NOT NULL DEFAULT now(),
    decided_by      text,
    decided_at      timestamptz,
    decision_note   text NOT NULL DEFAULT '',
    voucher_id      bigint,
    PRIMARY KEY (tenant_id, id),
    -- For the lines' foreign key: a line amends a line of its amendment's demand.
    CONSTRAINT demand_amendments_id_demand_unique UNIQUE (tenant_id, id, demand_id),
    CONSTRAINT demand_amendments_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, demand_id) REFERENCES demands (tenant_id, id),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id),
    CONSTRAINT demand_amendments_court_order_reference CHECK (kind <> 'court_order' OR btrim(reference) <> ''),
    CONSTRAINT demand_amendments_decider_not_proposer CHECK (decided_by IS NULL OR decided_by <> proposed_by),
    CONSTRAINT demand_amendments_decision CHECK (
        (status = 'proposed' AND decided_by IS NULL AND decided_at IS NULL AND voucher_id IS NULL)
     OR (status = 'approved' AND decided_by IS NOT NULL AND decided_at IS NOT NULL AND voucher_id IS NOT NULL)
     OR (status = 'rejected' AND decided_by IS NOT NULL AND decided_at IS NOT NULL AND voucher_id IS NULL))
);
CREATE INDEX demand_amendments_by_demand ON demand_amendments (tenant_id, demand_id, id);
CREATE INDEX demand_amendments_by_status ON demand_amendments (tenant_id, status, id);

CREATE TABLE demand_amendment_lines (
    tenant_id    text NOT NULL,
    amendment_id bigint NOT NULL,
    demand_id    bigint NOT NULL,
    -- The demand line (one head) the amendment changes.
    line_no      smallint NOT NULL,
    -- Negative reduces what is due; positive (a correction only) adds to it.
    delta        numeric(18,2) NOT NULL CHECK (delta <> 0),
    PRIMARY KEY (tenant_id, amendment_id, line_no),
    FOREIGN KEY (tenant_id, amendment_id, demand_id) REFERENCES demand_amendments (tenant_id, id, demand_id),
    FOREIGN KEY (tenant_id, demand_id, line_no) REFERENCES demand_lines (tenant_id, demand_id, line_no)
);
CREATE INDEX demand_amendment_lines_by_demand_line ON demand_amendment_lines (tenant_id, demand_id, line_no);

CALL munim_isolate(ARRAY['demand_amendments', 'demand_amendment_lines']);

-- A demand line's head and amount are as raised, forever: what changes is
-- collected (receipts) and adjusted (approved amendments).
-- +goose StatementBegin
CREATE FUNCTION demand_lines_keep_amount() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.tenant_id <> OLD.tenant_id OR NEW.demand_id <> OLD.demand_id OR NEW.line_no <> OLD.line_no
       OR NEW.head_code <> OLD.head_code OR NEW.amount <> OLD.amount THEN
        RAISE EXCEPTION 'demand % line %: a raised line''s head and amount never change; amend the demand instead',
            OLD.demand_id, OLD.line_no USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER demand_lines_keep_amount BEFORE UPDATE ON demand_lines
    FOR EACH ROW EXECUTE FUNCTION demand_lines_keep_amount();

-- adjusted is, at every commit, the sum of the line's approved amendments:
-- nothing else may move it.
-- +goose StatementBegin
CREATE FUNCTION demand_lines_adjusted_by_amendments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    approved numeric;
BEGIN
    SELECT coalesce(sum(al.delta), 0) INTO approved
      FROM demand_amendment_lines al
      JOIN demand_amendments a ON a.tenant_id = al.tenant_id AND a.id = al.amendment_id
     WHERE al.tenant_id = NEW.tenant_id AND al.demand_id = NEW.demand_id AND al.line_no = NEW.line_no
       AND a.status = 'approved';
    IF NEW.adjusted <> approved THEN
        RAISE EXCEPTION 'demand % line %: adjusted % is not the sum (%) of its approved amendments',
            NEW.demand_id, NEW.line_no, NEW.adjusted, approved USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER demand_lines_adjusted_by_amendments AFTER UPDATE OF adjusted ON demand_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION demand_lines_adjusted_by_amendments();

-- +goose Down
DROP TRIGGER demand_lines_adjusted_by_amendments ON demand_lines;
DROP FUNCTION demand_lines_adjusted_by_amendments();
DROP TRIGGER demand_lines_keep_amount ON demand_lines;
DROP FUNCTION demand_lines_keep_amount();
DROP TABLE demand_amendment_lines, demand_amendments;
ALTER TABLE demand_lines DROP CONSTRAINT demand_lines_collected_within_amount;
ALTER TABLE demand_lines ADD CONSTRAINT demand_lines_collected_within_amount
    CHECK ((amount >= 0 AND collected BETWEEN 0 AND amount) OR (amount < 0 AND collected BETWEEN amount AND 0));
ALTER TABLE demand_lines DROP COLUMN adjusted;
