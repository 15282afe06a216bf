-- What an advance applied to a demand settled, line by line, and what of it
-- was reinstated when the receipt that brought the advance was dishonoured.
-- A cheque that bounces after a demand run has taken its advance is still a
-- fact to record: the dishonour un-collects exactly the lines the advance
-- settled (package billing, TakeBackAdvance), which the applying journal's
-- receivable totals alone cannot say.

-- +goose Up
CREATE TABLE advance_allocations (
    tenant_id  text NOT NULL,
    id         bigint GENERATED ALWAYS AS IDENTITY,
    demand_id  bigint NOT NULL,
    line_no    smallint NOT NULL,
    -- applied: the advance settled amount on the line; reinstated: that
    -- much of it was taken off the line again. Amounts carry the line's
    -- sign (negative on a round-off line), the same for both kinds.
    kind       text NOT NULL CHECK (kind IN ('applied', 'reinstated')),
    amount     numeric(18,2) NOT NULL CHECK (amount <> 0),
    -- The advance-adjustment journal, or the journal reversing part of it.
    voucher_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, demand_id, line_no) REFERENCES demand_lines (tenant_id, demand_id, line_no)
);
CREATE INDEX advance_allocations_by_demand ON advance_allocations (tenant_id, demand_id, id);

CALL munim_isolate(ARRAY['advance_allocations']);
CREATE TRIGGER advance_allocations_immutable BEFORE UPDATE OR DELETE ON advance_allocations FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER advance_allocations_no_truncate BEFORE TRUNCATE ON advance_allocations FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- An advance a demand took is given back to the advance (reinstated, with
-- the demand as cause) before a dishonoured receipt takes it back.
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured', 'reinstated'));

-- +goose Down
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured'));
DROP TABLE advance_allocations;
