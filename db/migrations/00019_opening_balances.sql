-- Opening balances of a ULB moving onto Munim: its opening trial balance,
-- imported from CSV or XLSX by one person (pending) and approved by
-- another, whose approval posts it as one opening journal voucher and
-- turns its receivable rows into arrear demands whose accrual is that
-- voucher (demands.source 'opening').

-- +goose Up
CREATE TABLE opening_imports (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    as_of           date NOT NULL,
    format          text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    -- SHA-256 of the file as sent, and of the whole request (as of,
    -- format, file) that the idempotency key stands for.
    content_hash    bytea NOT NULL,
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    row_count       integer NOT NULL CHECK (row_count > 0),
    total_debit     numeric(18,2) NOT NULL,
    total_credit    numeric(18,2) NOT NULL,
    imported_by     text NOT NULL,
    decided_by      text,
    decided_at      timestamptz,
    reason          text NOT NULL DEFAULT '',
    voucher_id      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT opening_imports_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT opening_imports_balanced CHECK (total_debit = total_credit),
    CONSTRAINT opening_imports_checker_not_maker CHECK (decided_by IS NULL OR decided_by <> imported_by),
    CONSTRAINT opening_imports_decided CHECK ((status = 'pending') = (decided_by IS NULL)),
    CONSTRAINT opening_imports_posted CHECK ((status = 'approved') = (voucher_id IS NOT NULL)),
    FOREIGN KEY (tenant_id, voucher_id) REFERENCES vouchers (tenant_id, id)
);
-- A tenant's books open once.
CREATE UNIQUE INDEX opening_imports_one_posted ON opening_imports (tenant_id) WHERE status = 'approved';

-- The rows of an import as checked, in file order; row_no is the row as a
-- spreadsheet numbers it (the header is row 1). A receivable row carries
-- the consumer's service, ward and the tax head its arrear demand is
-- raised under.
CREATE TABLE opening_import_lines (
    tenant_id     text NOT NULL,
    import_id     bigint NOT NULL,
    row_no        integer NOT NULL CHECK (row_no > 1),
    account_code  text NOT NULL,
    fund_code     text NOT NULL,
    function_code text NOT NULL,
    party         text NOT NULL DEFAULT '',
    service       text NOT NULL DEFAULT '',
    head_code     text NOT NULL DEFAULT '',
    ward          text NOT NULL DEFAULT '',
    debit         numeric(18,2) NOT NULL CHECK (debit >= 0),
    credit        numeric(18,2) NOT NULL CHECK (credit >= 0),
    PRIMARY KEY (tenant_id, import_id, row_no),
    CONSTRAINT opening_import_lines_one_side CHECK ((debit > 0) <> (credit > 0)),
    CONSTRAINT opening_import_lines_demand_head CHECK ((service = '') = (head_code = '')),
    FOREIGN KEY (tenant_id, import_id) REFERENCES opening_imports (tenant_id, id),
    FOREIGN KEY (tenant_id, account_code) REFERENCES accounts (tenant_id, code),
    FOREIGN KEY (tenant_id, fund_code) REFERENCES funds (tenant_id, code),
    FOREIGN KEY (tenant_id, function_code) REFERENCES functions (tenant_id, code)
);

-- An import's rows never change; an import changes only from pending to
-- decided, once.
-- +goose StatementBegin
CREATE FUNCTION opening_imports_decide_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.status <> 'pending'
       OR (NEW.tenant_id, NEW.id, NEW.as_of, NEW.format, NEW.content_hash, NEW.idempotency_key, NEW.request_hash,
           NEW.row_count, NEW.total_debit, NEW.total_credit, NEW.imported_by, NEW.created_at)
          IS DISTINCT FROM
          (OLD.tenant_id, OLD.id, OLD.as_of, OLD.format, OLD.content_hash, OLD.idempotency_key, OLD.request_hash,
           OLD.row_count, OLD.total_debit, OLD.total_credit, OLD.imported_by, OLD.created_at) THEN
        RAISE EXCEPTION 'opening import %: only a pending import changes, and only by its decision', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER opening_imports_decide_once BEFORE UPDATE OR DELETE ON opening_imports
    FOR EACH ROW EXECUTE FUNCTION opening_imports_decide_once();
CREATE TRIGGER opening_import_lines_immutable BEFORE UPDATE OR DELETE ON opening_import_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

CALL munim_isolate(ARRAY['opening_imports', 'opening_import_lines']);

-- Arrears an opening voucher brought in are demands of their own source.
ALTER TABLE demands DROP CONSTRAINT demands_source_check;
ALTER TABLE demands ADD CONSTRAINT demands_source_check CHECK (source IN ('run', 'department', 'manual', 'opening'));

-- +goose Down
-- Refused (the check fails) while opening arrears exist: demands are never
-- deleted, and a demand is not to change its source.
ALTER TABLE demands DROP CONSTRAINT demands_source_check;
ALTER TABLE demands ADD CONSTRAINT demands_source_check CHECK (source IN ('run', 'department', 'manual'));
DROP TABLE opening_import_lines, opening_imports;
DROP FUNCTION opening_imports_decide_once();
