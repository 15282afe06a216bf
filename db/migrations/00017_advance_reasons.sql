-- An advance moves for every reason both 00015 (refunded: an online
-- payment's advance returned to the payer) and 00016 (reinstated: an
-- application undone for a dishonoured receipt) added; each of them
-- redefined the check from the list before it.

-- +goose Up
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured', 'reinstated', 'refunded'));

-- +goose Down
ALTER TABLE advance_movements DROP CONSTRAINT advance_movements_reason_check;
ALTER TABLE advance_movements ADD CONSTRAINT advance_movements_reason_check
    CHECK (reason IN ('received', 'applied', 'cancelled', 'dishonoured', 'reinstated'));
