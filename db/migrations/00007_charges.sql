-- Late-payment charges: a per-service, per-year master (rebate windows,
-- penalty and interest rules) kept in rate_masters as method 'late_payment',
-- and penalty / interest lines appended to the arrear's demand as they fall
-- due, each with the voucher that posted it.

-- +goose Up
-- The full list of methods, as 00005 (registers) also writes it, so the two
-- migrations agree whichever runs last.
ALTER TABLE rate_masters DROP CONSTRAINT IF EXISTS rate_masters_method_check;
ALTER TABLE rate_masters ADD CONSTRAINT rate_masters_method_check
    CHECK (method IN ('unit_area', 'arv', 'water_metered', 'water_flat', 'trade_licence', 'late_payment'));

-- charged_through is set on charge lines only: for a penalty, the due date
-- whose lapse it follows; for interest, the last day of the last month it
-- charges. A charge line carries the voucher that posted it; a line raised
-- with its demand carries neither (its voucher is the demand's).
ALTER TABLE demand_lines
    ADD COLUMN charged_through date,
    ADD COLUMN voucher_id bigint,
    ADD CONSTRAINT demand_lines_charge_has_voucher CHECK ((charged_through IS NULL) = (voucher_id IS NULL)),
    ADD CONSTRAINT demand_lines_charge_voucher FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id);

-- A charge is posted at most once: one line per demand, head and day charged through.
CREATE UNIQUE INDEX demand_lines_charge_once ON demand_lines (tenant_id, demand_id, head_code, charged_through)
    WHERE charged_through IS NOT NULL;

-- +goose Down
DROP INDEX demand_lines_charge_once;
ALTER TABLE demand_lines
    DROP CONSTRAINT demand_lines_charge_voucher,
    DROP CONSTRAINT demand_lines_charge_has_voucher,
    DROP COLUMN voucher_id,
    DROP COLUMN charged_through;
DELETE FROM rate_masters WHERE method = 'late_payment';
ALTER TABLE rate_masters DROP CONSTRAINT IF EXISTS rate_masters_method_check;
ALTER TABLE rate_masters ADD CONSTRAINT rate_masters_method_check
    CHECK (method IN ('unit_area', 'arv', 'water_metered', 'water_flat', 'trade_licence'));
