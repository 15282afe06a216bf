-- Who may do what: department apps' API keys, the audit log, voucher
-- drafts awaiting a checker, and row-level security keyed to the tenants a
-- transaction declares (munim.tenants to read, munim.tenant to write, both
-- SET LOCAL), enforced on the role the application runs as (munim_app),
-- which owns nothing.
--
-- PostgreSQL refuses COPY FROM into a table with row-level security, and
-- the ledger writes lines with COPY. Bulk writes therefore switch, for the
-- COPY statements only, to munim_writer (BYPASSRLS, INSERT and SELECT only),
-- and a statement trigger on each such table refuses any row whose tenant is
-- not the transaction's munim.tenant: the same rule, checked once per
-- statement instead of once per row.

-- +goose Up
CREATE TABLE api_keys (
    tenant_id    text NOT NULL REFERENCES tenants,
    key_id       text NOT NULL CHECK (key_id ~ '^[a-z0-9]{16}$'),
    name         text NOT NULL CHECK (name <> ''),
    -- SHA-256 of the key's secret part; the key itself is shown once and never stored.
    secret_hash  bytea NOT NULL,
    -- What the key may do, e.g. {ledger.post, ledger.read}.
    scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    revoked_by   text,
    last_used_at timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);
-- Keys arrive as "mk_<key_id>_<secret>": the lookup by key id comes before the tenant is known.
CREATE INDEX api_keys_by_key_id ON api_keys (key_id);

-- Every mutating call, allowed, failed or denied. Append-only. tenant_id is
-- '-' for calls that named no tenant.
CREATE TABLE audit_events (
    tenant_id       text NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    at              timestamptz NOT NULL DEFAULT now(),
    principal       text NOT NULL,
    roles           text[] NOT NULL,
    procedure       text NOT NULL,
    request_id      text NOT NULL,
    idempotency_key text NOT NULL DEFAULT '',
    code            text NOT NULL,
    detail          text NOT NULL DEFAULT '',
    client_ip       text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_by_time ON audit_events (tenant_id, at);

CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Journal vouchers entered by people wait here for a checker. A draft is
-- not in the books: approving it posts a voucher (with the draft's
-- idempotency key) and links it; rejecting it keeps it, marked.
CREATE TABLE voucher_drafts (
    tenant_id       text NOT NULL REFERENCES tenants,
    id              bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('vouchers', 'id')),
    idempotency_key text NOT NULL CHECK (idempotency_key <> ''),
    request_hash    bytea NOT NULL,
    -- The voucher as entered: type, date, narration, source_ref and lines.
    body            jsonb NOT NULL,
    maker           text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'posted', 'rejected')),
    checker         text,
    decided_at      timestamptz,
    decision_reason text NOT NULL DEFAULT '',
    voucher_id      bigint,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT voucher_drafts_idempotency_key_unique UNIQUE (tenant_id, idempotency_key),
    CONSTRAINT voucher_drafts_checker_not_maker CHECK (checker IS NULL OR checker <> maker)
);

-- The application's role owns no table, so row-level security binds it.
-- The login role the server connects as must be a member of both roles
-- (a superuser is). Creating a BYPASSRLS role needs a superuser: run this
-- migration as one, or create the roles beforehand.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE ROLE munim_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
DO $$
BEGIN
    CREATE ROLE munim_writer NOLOGIN BYPASSRLS;
EXCEPTION WHEN duplicate_object THEN
    NULL;
END;
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO munim_app, munim_writer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO munim_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO munim_app, munim_writer;
GRANT SELECT, INSERT ON accounts, funds, functions, periods, vouchers, voucher_lines TO munim_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO munim_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO munim_app;

-- munim_visible says whether a transaction may see a tenant's rows: the
-- setting munim.tenants lists tenant ids, whole states ("uk.*") or "*".
-- Unset, it matches nothing. A single SELECT with no FROM, so the planner
-- inlines it into each policy.
CREATE FUNCTION munim_visible(t text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT t = ANY (string_to_array(current_setting('munim.tenants', true), ','))
        OR split_part(t, '.', 1) || '.*' = ANY (string_to_array(current_setting('munim.tenants', true), ','))
        OR '*' = ANY (string_to_array(current_setting('munim.tenants', true), ','))
$$;

-- munim_isolate puts tables under the tenant policy. Every later migration
-- that adds a tenant table calls it, so all tables share one rule.
-- +goose StatementBegin
CREATE PROCEDURE munim_isolate(tables text[]) LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY tables LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- The single-tenant test first: it is cheap, and true for almost
        -- every transaction, so the OR rarely reaches munim_visible.
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = current_setting(''munim.tenant'', true) OR munim_visible(tenant_id))'
            ' WITH CHECK (tenant_id = current_setting(''munim.tenant'', true))', t);
    END LOOP;
END;
$$;
-- +goose StatementEnd

CALL munim_isolate(ARRAY['tenants', 'funds', 'functions', 'accounts', 'fiscal_years', 'periods',
    'period_events', 'voucher_series', 'chain_heads', 'vouchers', 'voucher_keys', 'voucher_lines',
    'balances', 'api_keys', 'audit_events', 'voucher_drafts']);

-- Rows written by COPY (as munim_writer) must belong to the transaction's tenant.
-- +goose StatementBegin
CREATE FUNCTION check_rows_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    stray text;
BEGIN
    SELECT tenant_id INTO stray FROM new_rows
     WHERE tenant_id IS DISTINCT FROM current_setting('munim.tenant', true)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a % row of tenant % written outside that tenant''s scope', TG_TABLE_NAME, stray
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['accounts', 'funds', 'functions', 'periods', 'vouchers', 'voucher_lines'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION check_rows_tenant()', t || '_in_scope', t);
    END LOOP;
END;
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['tenants', 'funds', 'functions', 'accounts', 'fiscal_years', 'periods',
        'period_events', 'voucher_series', 'chain_heads', 'vouchers', 'voucher_keys', 'voucher_lines',
        'balances'] LOOP
        EXECUTE format('DROP POLICY tenant_isolation ON %I', t);
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END;
$$;
-- +goose StatementEnd
DROP TRIGGER accounts_in_scope ON accounts;
DROP TRIGGER funds_in_scope ON funds;
DROP TRIGGER functions_in_scope ON functions;
DROP TRIGGER periods_in_scope ON periods;
DROP TRIGGER vouchers_in_scope ON vouchers;
DROP TRIGGER voucher_lines_in_scope ON voucher_lines;
DROP FUNCTION check_rows_tenant();
DROP TABLE voucher_drafts, audit_events, api_keys;
DROP PROCEDURE munim_isolate(text[]);
DROP FUNCTION munim_visible(text);
