-- A consumer code names one consumer across all of a tenant's registers
-- (properties, water connections, trade licences), so dues, bills and
-- receipts never mix two consumers. Three tables cannot share one key:
-- a register save takes these locks and checks in its transaction.

-- name: ConsumerCodeLock :exec
-- Serialises a tenant's register saves until commit, so no two can check
-- the same new code in different registers at once. One lock per tenant,
-- not per code: a batch of a thousand codes would otherwise take a
-- thousand slots of the server's shared lock table.
SELECT pg_advisory_xact_lock(hashtextextended('munim.consumer_codes/' || @tenant_id::text, 0));

-- name: ConsumerCodeRegisters :many
-- Which registers hold the given codes.
SELECT consumer_code, 'property'::text AS register
  FROM properties WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[])
UNION ALL
SELECT consumer_code, 'water_connection'::text
  FROM water_connections WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[])
UNION ALL
SELECT consumer_code, 'trade_licence'::text
  FROM trade_licences WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[]);

-- name: ConsumerCodeWards :many
-- The register and ward of each of the given codes.
SELECT consumer_code, 'property'::text AS register, ward
  FROM properties WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[])
UNION ALL
SELECT consumer_code, 'water_connection'::text, ward
  FROM water_connections WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[])
UNION ALL
SELECT consumer_code, 'trade_licence'::text, ward
  FROM trade_licences WHERE tenant_id = @tenant_id::text AND consumer_code = ANY(@consumer_codes::text[]);
