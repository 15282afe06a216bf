-- Registers and rate masters: the properties a ULB taxes (with their units
-- or floors) and the tariffs that price them, per service and fiscal year.

-- +goose Up
CREATE TABLE properties (
    tenant_id     text NOT NULL REFERENCES tenants,
    consumer_code text NOT NULL CHECK (consumer_code <> ''),
    owner_name    text NOT NULL CHECK (owner_name <> ''),
    owner_phone   text NOT NULL DEFAULT '',
    owner_email   text NOT NULL DEFAULT '',
    address       text NOT NULL DEFAULT '',
    ward          text NOT NULL CHECK (ward <> ''),
    -- category is the colony / zone category the unit rates are set by (A, B, C...).
    category      text NOT NULL CHECK (category <> ''),
    created_by    text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, consumer_code)
);
CREATE INDEX properties_by_ward ON properties (tenant_id, ward, consumer_code);

CREATE TABLE property_units (
    tenant_id     text NOT NULL,
    consumer_code text NOT NULL,
    unit_no       smallint NOT NULL CHECK (unit_no > 0),
    label         text NOT NULL DEFAULT '',
    area_m2       numeric(12,2) NOT NULL CHECK (area_m2 > 0),
    use           text NOT NULL,
    structure     text NOT NULL,
    occupancy     text NOT NULL,
    year_built    integer NOT NULL CHECK (year_built BETWEEN 1800 AND 2200),
    PRIMARY KEY (tenant_id, consumer_code, unit_no),
    FOREIGN KEY (tenant_id, consumer_code) REFERENCES properties (tenant_id, consumer_code) ON DELETE CASCADE
);

-- A tariff as the calculators read it (JSON of billing/calc's masters),
-- checked by the calculator's own Validate when saved.
CREATE TABLE rate_masters (
    tenant_id   text NOT NULL REFERENCES tenants,
    service     text NOT NULL,
    fiscal_year integer NOT NULL,
    method      text NOT NULL CHECK (method IN ('unit_area')),
    body        jsonb NOT NULL,
    created_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, service, fiscal_year, method)
);

CALL munim_isolate(ARRAY['properties', 'property_units', 'rate_masters']);

-- +goose Down
DROP TABLE rate_masters, property_units, properties;
