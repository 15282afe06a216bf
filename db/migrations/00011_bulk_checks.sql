-- Checks once per statement, not once per row, on the rows a demand run
-- writes by the million: a row-by-row foreign key costs a locking look-up
-- per row. The masters they point at (tenants, periods) are never deleted,
-- so a check when the rows are written proves what the key proved. Like a
-- foreign key, the checks read the masters whatever the writer may read
-- (SECURITY DEFINER: COPY writes as munim_writer, which reads neither).

-- +goose Up
-- A demand's lines: one probe per demand, not per line.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION check_demand_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan record;
BEGIN
    SELECT n.tenant_id, n.demand_id INTO orphan
      FROM (SELECT DISTINCT tenant_id, demand_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM demands d WHERE d.tenant_id = n.tenant_id AND d.id = n.demand_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'demand line of tenant % names demand %, which does not exist', orphan.tenant_id, orphan.demand_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'demand_lines_of_a_demand';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- A voucher is dated in a period of its tenant's books.
ALTER TABLE vouchers DROP CONSTRAINT vouchers_tenant_id_fiscal_year_period_fkey;
-- +goose StatementBegin
CREATE FUNCTION check_voucher_periods() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.tenant_id, n.fiscal_year, n.period INTO bad
      FROM (SELECT DISTINCT tenant_id, fiscal_year, period FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM periods p
                        WHERE p.tenant_id = n.tenant_id AND p.fiscal_year = n.fiscal_year AND p.period = n.period)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'voucher of tenant % is in period % of %, which does not exist', bad.tenant_id, bad.period, bad.fiscal_year
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'vouchers_in_a_period';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER vouchers_in_a_period AFTER INSERT ON vouchers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_voucher_periods();

-- A demand is of a tenant that exists.
ALTER TABLE demands DROP CONSTRAINT demands_tenant_id_fkey;
-- +goose StatementBegin
CREATE FUNCTION check_demands_tenant() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    bad text;
BEGIN
    SELECT n.tenant_id INTO bad
      FROM (SELECT DISTINCT tenant_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM tenants t WHERE t.tenant_id = n.tenant_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'demand of tenant %, which does not exist', bad
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'demands_of_a_tenant';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER demands_of_a_tenant AFTER INSERT ON demands
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_demands_tenant();

-- Tenants and periods are never deleted (a period is closed instead).
CREATE TRIGGER tenants_kept BEFORE DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tenants_no_truncate BEFORE TRUNCATE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER periods_kept BEFORE DELETE ON periods FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER periods_no_truncate BEFORE TRUNCATE ON periods FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TRIGGER periods_no_truncate ON periods;
DROP TRIGGER periods_kept ON periods;
DROP TRIGGER tenants_no_truncate ON tenants;
DROP TRIGGER tenants_kept ON tenants;
DROP TRIGGER demands_of_a_tenant ON demands;
DROP FUNCTION check_demands_tenant();
ALTER TABLE demands ADD FOREIGN KEY (tenant_id) REFERENCES tenants;
DROP TRIGGER vouchers_in_a_period ON vouchers;
DROP FUNCTION check_voucher_periods();
ALTER TABLE vouchers ADD FOREIGN KEY (tenant_id, fiscal_year, period) REFERENCES periods;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION check_demand_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan record;
BEGIN
    SELECT n.tenant_id, n.demand_id INTO orphan
      FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM demands d WHERE d.tenant_id = n.tenant_id AND d.id = n.demand_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'demand line of tenant % names demand %, which does not exist', orphan.tenant_id, orphan.demand_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'demand_lines_of_a_demand';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
