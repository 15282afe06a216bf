-- name: DemandIDsNext :many
-- Reserves ids for a batch of demands before their rows are copied in.
SELECT nextval(pg_get_serial_sequence('demands', 'id'))::bigint AS id FROM generate_series(1, @count::integer);

-- name: DemandInsertMany :copyfrom
INSERT INTO demands (tenant_id, id, service, consumer_code, ward, period_from, period_to, fiscal_year, demand_date,
                     due_date, total, source, idempotency_key, request_hash, voucher_id, created_by)
VALUES (@tenant_id, @id, @service, @consumer_code, @ward, @period_from, @period_to, @fiscal_year, @demand_date,
        @due_date, @total, @source, @idempotency_key, @request_hash, @voucher_id, @created_by);

-- name: DemandLineInsertMany :copyfrom
INSERT INTO demand_lines (tenant_id, demand_id, line_no, head_code, amount)
VALUES (@tenant_id, @demand_id, @line_no, @head_code, @amount);

-- name: DemandByIdempotencyKeys :many
SELECT id, idempotency_key, request_hash
  FROM demands
 WHERE tenant_id = @tenant_id AND idempotency_key = ANY(@keys::text[]);

-- name: DemandExisting :many
-- Which of the given consumer-periods already have a demand.
SELECT d.service, d.consumer_code, d.period_from, d.id
  FROM (SELECT unnest(@services::text[]) AS service, unnest(@consumer_codes::text[]) AS consumer_code,
               unnest(@periods_from::date[]) AS period_from) q
  JOIN demands d ON d.tenant_id = @tenant_id::text AND d.service = q.service
               AND d.consumer_code = q.consumer_code AND d.period_from = q.period_from;

-- name: DemandGetMany :many
-- in_arrears: a year-end close has moved the demand's fiscal year to
-- arrears (arrears_years), or the demand is an opening arrear (brought in
-- by the opening balances on the arrears head), so its receivable is the
-- head's arrears account.
SELECT d.tenant_id, d.id, d.service, d.consumer_code, d.ward, d.period_from, d.period_to, d.fiscal_year, d.demand_date, d.due_date,
       d.total, d.source, d.idempotency_key, d.voucher_id, d.created_by, d.created_at,
       (d.source = 'opening'
        OR EXISTS (SELECT 1 FROM arrears_years y WHERE y.tenant_id = d.tenant_id AND y.fiscal_year = d.fiscal_year))::boolean AS in_arrears
  FROM demands d
 WHERE d.tenant_id = @tenant_id AND d.id = ANY(@ids::bigint[])
 ORDER BY d.id;

-- name: DemandLinesOf :many
-- Lines raised with the demand first, then penalty and interest charged
-- on it later (those carry charged_through and their own voucher).
SELECT l.demand_id, l.line_no, l.head_code, l.amount, l.adjusted, l.collected, l.charged_through,
       coalesce(l.voucher_id, 0)::bigint AS charge_voucher_id
  FROM demand_lines l
 WHERE l.tenant_id = @tenant_id AND l.demand_id = ANY(@demand_ids::bigint[])
 ORDER BY l.demand_id, l.line_no;

-- name: DemandOutstanding :many
-- A consumer's demands with something left to pay, oldest period first.
SELECT d.id
  FROM demands d
 WHERE d.tenant_id = @tenant_id AND d.consumer_code = @consumer_code
   AND (@service::text = '' OR d.service = @service::text)
   AND EXISTS (SELECT 1 FROM demand_lines l
                WHERE l.tenant_id = d.tenant_id AND l.demand_id = d.id AND l.amount + l.adjusted <> l.collected)
 ORDER BY d.period_from, d.service, d.id;

-- name: DcbRegister :many
-- Demand, adjustments (approved amendments), collection and balance by
-- ward, service, head and fiscal year, with arrears (years before
-- current_fy) apart from current demand.
SELECT d.ward, d.service, l.head_code, d.fiscal_year,
       (d.fiscal_year < @current_fy::integer)::boolean AS arrears,
       sum(l.amount)::numeric AS demand, sum(l.adjusted)::numeric AS adjustments,
       sum(l.collected)::numeric AS collection,
       sum(l.amount + l.adjusted - l.collected)::numeric AS balance
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
 WHERE d.tenant_id = @tenant_id AND (@service::text = '' OR d.service = @service::text)
 GROUP BY d.ward, d.service, l.head_code, d.fiscal_year
 ORDER BY d.ward, d.service, l.head_code, d.fiscal_year;

-- name: DcbByReceivable :many
-- The demand register's balance per receivable account: what the ledger's
-- control accounts must hold.
SELECT h.receivable_account, sum(l.amount + l.adjusted - l.collected)::numeric AS balance
  FROM demands d
  JOIN demand_lines l ON l.tenant_id = d.tenant_id AND l.demand_id = d.id
  JOIN tax_heads h ON h.tenant_id = d.tenant_id AND h.service = d.service AND h.code = l.head_code
 WHERE d.tenant_id = @tenant_id
 GROUP BY h.receivable_account
 ORDER BY h.receivable_account;

-- name: DemandLinesLockForAmendment :many
-- A demand's lines with what their heads post to, locked in line order, so
-- that amendments (and collections) of one demand take turns and each sees
-- the balances the previous one left.
SELECT l.line_no, l.head_code, l.amount, l.adjusted, l.collected, h.category, h.rounding,
       h.income_account, a.kind AS income_kind, h.receivable_account, h.fund_code, h.function_code
  FROM demand_lines l
  JOIN demands d ON d.tenant_id = l.tenant_id AND d.id = l.demand_id
  JOIN tax_heads h ON h.tenant_id = d.tenant_id AND h.service = d.service AND h.code = l.head_code
  JOIN accounts a ON a.tenant_id = h.tenant_id AND a.code = h.income_account
 WHERE l.tenant_id = @tenant_id AND l.demand_id = @demand_id
 ORDER BY l.line_no
   FOR UPDATE OF l;

-- name: DemandLineAdjust :exec
-- Adds an approved amendment's deltas to its demand's lines.
UPDATE demand_lines l
   SET adjusted = l.adjusted + c.delta
  FROM (SELECT unnest(@line_nos::smallint[]) AS line_no, unnest(@deltas::numeric[]) AS delta) c
 WHERE l.tenant_id = @tenant_id AND l.demand_id = @demand_id AND l.line_no = c.line_no;

-- name: BalanceOfAccounts :many
-- Ledger balances (debit positive) of the given accounts over all periods.
SELECT a.code::text AS account_code, coalesce(sum(b.debit - b.credit), 0)::numeric AS balance
  FROM unnest(@codes::text[]) AS a(code)
  LEFT JOIN balances b ON b.tenant_id = @tenant_id AND b.account_code = a.code
 GROUP BY a.code
 ORDER BY a.code;

-- name: DemandConsumersRaised :many
-- The demands of the service the consumers have for periods starting from
-- @from to @to.
SELECT consumer_code, period_from
  FROM demands
 WHERE tenant_id = @tenant_id AND service = @service AND consumer_code = ANY(@consumer_codes::text[])
   AND period_from BETWEEN @from_date::date AND @to_date::date;
