-- name: AdvanceLockMany :many
-- Takes the consumers' collection locks, in the order given (callers sort
-- by service then consumer code): each consumer's advance row, made on
-- first use. Payments for one consumer then take turns, and each sees the
-- dues and advance the one before left.
INSERT INTO consumer_advances (tenant_id, service, consumer_code)
SELECT @tenant_id::text, unnest(@services::text[]), unnest(@consumer_codes::text[])
    ON CONFLICT (tenant_id, service, consumer_code) DO UPDATE SET balance = consumer_advances.balance
RETURNING service, consumer_code, balance, account_code, fund_code, function_code, ward;

-- name: AdvanceLockPositive :many
-- The advances held for any of the consumers (pairs of service and consumer
-- code), locked in key order: a demand run's batch asks once for its
-- consumers, and almost always gets nothing back.
SELECT a.service, a.consumer_code, a.balance, a.account_code, a.fund_code, a.function_code, a.ward
  FROM consumer_advances a
 WHERE a.tenant_id = @tenant_id AND a.balance > 0
   AND (a.service, a.consumer_code) IN (SELECT unnest(@services::text[]), unnest(@consumer_codes::text[]))
 ORDER BY a.service, a.consumer_code
   FOR UPDATE;

-- name: AdvanceMove :exec
-- Moves a consumer's advance by delta (locked by the caller), naming where
-- it is held when it is first received.
UPDATE consumer_advances
   SET balance = balance + @delta::numeric,
       account_code = CASE WHEN balance = 0 AND @delta::numeric > 0 THEN @account_code::text ELSE account_code END,
       fund_code = CASE WHEN balance = 0 AND @delta::numeric > 0 THEN @fund_code::text ELSE fund_code END,
       function_code = CASE WHEN balance = 0 AND @delta::numeric > 0 THEN @function_code::text ELSE function_code END,
       ward = CASE WHEN balance = 0 AND @delta::numeric > 0 THEN @ward::text ELSE ward END
 WHERE tenant_id = @tenant_id AND service = @service AND consumer_code = @consumer_code;

-- name: AdvanceMovementInsert :exec
INSERT INTO advance_movements (tenant_id, service, consumer_code, amount, reason, receipt_id, demand_id, voucher_id)
VALUES (@tenant_id, @service, @consumer_code, @amount, @reason, sqlc.narg(receipt_id), sqlc.narg(demand_id), sqlc.narg(voucher_id));

-- name: AdvanceGet :one
SELECT service, consumer_code, balance, account_code, fund_code, function_code, ward
  FROM consumer_advances
 WHERE tenant_id = @tenant_id AND service = @service AND consumer_code = @consumer_code;

-- name: AdvanceApplicationsOf :many
-- The demands a consumer's advance was applied to, with the journal and
-- amount of each, the most recent first: the order a dishonour reinstates
-- them in.
SELECT demand_id::bigint AS demand_id, voucher_id::bigint AS voucher_id, (-amount)::numeric AS amount
  FROM advance_movements
 WHERE tenant_id = @tenant_id AND service = @service AND consumer_code = @consumer_code AND reason = 'applied'
 ORDER BY id DESC;

-- name: AdvanceAllocationInsert :exec
-- Records what an advance application settled (or a reinstatement took
-- off) on a demand's lines, in the order given.
INSERT INTO advance_allocations (tenant_id, demand_id, line_no, kind, amount, voucher_id)
SELECT @tenant_id::text, @demand_id::bigint, unnest(@line_nos::smallint[]), @kind::text, unnest(@amounts::numeric[]), @voucher_id::bigint;

-- name: AdvanceAllocationsOf :many
SELECT line_no, kind, amount
  FROM advance_allocations
 WHERE tenant_id = @tenant_id AND demand_id = @demand_id
 ORDER BY id;
