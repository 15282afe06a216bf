-- Registers of the other services: water connections with their meter
-- readings, and trade licences with their trade units; and the rate-master
-- methods that price them (and the annual-rental-value method of property
-- tax). A consumer code names one consumer across all of a tenant's
-- registers; the billing domain enforces that when it saves (a property, a
-- connection and a licence live in three tables, so no one key can).

-- +goose Up
CREATE TABLE water_connections (
    tenant_id       text NOT NULL REFERENCES tenants,
    consumer_code   text NOT NULL CHECK (consumer_code <> ''),
    -- The property served, when it is in the property register.
    property_code   text,
    holder_name     text NOT NULL CHECK (holder_name <> ''),
    address         text NOT NULL DEFAULT '',
    ward            text NOT NULL CHECK (ward <> ''),
    kind            text NOT NULL CHECK (kind IN ('metered', 'non_metered')),
    -- usage is the tariff class (residential, non_residential, government):
    -- it picks the metered master's slabs, or the flat rate by usage.
    usage           text NOT NULL CHECK (usage <> ''),
    pipe_size_mm    integer NOT NULL CHECK (pipe_size_mm > 0),
    connected_on    date NOT NULL,
    disconnected_on date CHECK (disconnected_on >= connected_on),
    meter_number    text NOT NULL DEFAULT '',
    created_by      text NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, consumer_code),
    FOREIGN KEY (tenant_id, property_code) REFERENCES properties (tenant_id, consumer_code),
    CONSTRAINT water_connections_metered_has_meter CHECK (kind = 'non_metered' OR meter_number <> '')
);
CREATE INDEX water_connections_by_ward ON water_connections (tenant_id, ward, consumer_code);

-- A meter's readings in kilolitres, to the litre. A reading records a
-- replacement when the meter was changed since the previous reading: the
-- old meter's final reading and the new one's initial reading.
CREATE TABLE meter_readings (
    tenant_id     text NOT NULL,
    consumer_code text NOT NULL,
    reading_date  date NOT NULL,
    reading       numeric(14,3) NOT NULL CHECK (reading >= 0),
    old_final     numeric(14,3) CHECK (old_final >= 0),
    new_initial   numeric(14,3) CHECK (new_initial >= 0),
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, consumer_code, reading_date),
    FOREIGN KEY (tenant_id, consumer_code) REFERENCES water_connections (tenant_id, consumer_code),
    CONSTRAINT meter_readings_replacement_whole CHECK ((old_final IS NULL) = (new_initial IS NULL)),
    CONSTRAINT meter_readings_new_meter_not_past_reading CHECK (new_initial IS NULL OR reading >= new_initial)
);

CREATE TABLE trade_licences (
    tenant_id     text NOT NULL REFERENCES tenants,
    -- consumer_code is the licence number.
    consumer_code text NOT NULL CHECK (consumer_code <> ''),
    holder_name   text NOT NULL CHECK (holder_name <> ''),
    trade_name    text NOT NULL DEFAULT '',
    address       text NOT NULL DEFAULT '',
    ward          text NOT NULL CHECK (ward <> ''),
    -- The day the trade began, when known (the new-licence late penalty runs from it).
    commenced_on  date,
    valid_from    date NOT NULL,
    valid_to      date NOT NULL CHECK (valid_to >= valid_from),
    status        text NOT NULL CHECK (status IN ('active', 'suspended', 'cancelled', 'surrendered')),
    created_by    text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, consumer_code)
);
CREATE INDEX trade_licences_by_expiry ON trade_licences (tenant_id, valid_to, consumer_code);

-- The trades carried on under a licence, each graded by its size (workers,
-- horsepower, m2: whatever the trade category's fee bands count).
CREATE TABLE trade_licence_units (
    tenant_id     text NOT NULL,
    consumer_code text NOT NULL,
    unit_no       smallint NOT NULL CHECK (unit_no > 0),
    trade         text NOT NULL CHECK (trade <> ''),
    size          integer NOT NULL CHECK (size > 0),
    PRIMARY KEY (tenant_id, consumer_code, unit_no),
    FOREIGN KEY (tenant_id, consumer_code) REFERENCES trade_licences (tenant_id, consumer_code) ON DELETE CASCADE
);

ALTER TABLE rate_masters DROP CONSTRAINT rate_masters_method_check;
ALTER TABLE rate_masters ADD CONSTRAINT rate_masters_method_check
    CHECK (method IN ('unit_area', 'arv', 'water_metered', 'water_flat', 'trade_licence'));

CALL munim_isolate(ARRAY['water_connections', 'meter_readings', 'trade_licences', 'trade_licence_units']);

-- +goose Down
DELETE FROM rate_masters WHERE method <> 'unit_area';
ALTER TABLE rate_masters DROP CONSTRAINT rate_masters_method_check;
ALTER TABLE rate_masters ADD CONSTRAINT rate_masters_method_check CHECK (method IN ('unit_area'));
DROP TABLE trade_licence_units, trade_licences, meter_readings, water_connections;
