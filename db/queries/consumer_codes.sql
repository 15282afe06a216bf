-- A consumer code names one consumer across all of a tenant's registers
-- (properties, water connections, trade licences), so dues, bills and
-- receipts never mix two consumers. Three tables cannot share one key:
-- a register save takes these locks and checks in its transaction.

-- name: ConsumerCodeLock :exec
-- Serialises saves of the same codes in any register until commit. Pass
-- the codes sorted, so two saves take their locks in one order.
SELECT pg_advisory_xact_lock(hashtextextended(@tenant_id::text || '/' || c.code, 0))
  FROM unnest(@consumer_codes::text[]) WITH ORDINALITY AS c(code, n)
 ORDER BY c.n;

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
