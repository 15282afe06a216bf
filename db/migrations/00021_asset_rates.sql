-- Asset classes may depreciate at a yearly rate (a percentage of the
-- depreciable amount, straight line) instead of over a useful life, never
-- both; and a class may give neither, taking the terms its state sets for
-- the class code (asset_class_state_defaults), else the built-in defaults
-- of shared/reference/tariffs.md that the assets package carries.
--
-- asset_class_state_defaults is state master data, the one kind of table
-- keyed by state rather than tenant: a state's ULBs read it, none owns it,
-- so it is not under the tenant policy. Only a state-wide administrator
-- (a "uk.*" scope) writes a state's rows.

-- +goose Up
ALTER TABLE asset_classes
    ADD COLUMN rate_percent numeric(6,3) NOT NULL DEFAULT 0 CHECK (rate_percent >= 0 AND rate_percent <= 100);
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_depreciable_heads;
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_depreciable_heads CHECK (
    (depreciable AND accumulated_account IS NOT NULL AND depreciation_account IS NOT NULL)
 OR (NOT depreciable AND useful_life_years IS NULL AND rate_percent = 0));
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_life_or_rate CHECK (useful_life_years IS NULL OR rate_percent = 0);

CREATE TABLE asset_class_state_defaults (
    state             text NOT NULL CHECK (state ~ '^[a-z]{2}$'),
    class_code        text NOT NULL CHECK (class_code ~ '^[A-Z][A-Z0-9_]{0,39}$'),
    useful_life_years integer CHECK (useful_life_years BETWEEN 1 AND 200),
    rate_percent      numeric(6,3) NOT NULL DEFAULT 0 CHECK (rate_percent >= 0 AND rate_percent <= 100),
    updated_by        text NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (state, class_code),
    CONSTRAINT asset_class_state_defaults_life_or_rate CHECK ((useful_life_years IS NULL) <> (rate_percent = 0))
);

-- +goose Down
DROP TABLE asset_class_state_defaults;
-- A class on a rate gets back the life the rate comes to (100 / rate); a
-- class that followed a default has no life to get back, so the old check
-- returns NOT VALID (checked on rows written from now on, not these).
UPDATE asset_classes SET useful_life_years = greatest(1, round(100 / rate_percent))::integer WHERE rate_percent > 0;
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_life_or_rate;
ALTER TABLE asset_classes DROP CONSTRAINT asset_classes_depreciable_heads;
ALTER TABLE asset_classes DROP COLUMN rate_percent;
ALTER TABLE asset_classes ADD CONSTRAINT asset_classes_depreciable_heads CHECK (
    (depreciable AND accumulated_account IS NOT NULL AND depreciation_account IS NOT NULL AND useful_life_years IS NOT NULL)
 OR NOT depreciable) NOT VALID;
