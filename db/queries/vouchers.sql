-- name: VoucherSeriesTake :one
-- Takes the next count numbers of a series inside the posting transaction;
-- a rollback gives them back, so the series has no gaps.
INSERT INTO voucher_series AS s (tenant_id, fiscal_year, voucher_type, last_number)
VALUES (@tenant_id, @fiscal_year, @voucher_type, @count::bigint)
ON CONFLICT (tenant_id, fiscal_year, voucher_type)
DO UPDATE SET last_number = s.last_number + excluded.last_number
RETURNING last_number;

-- name: VoucherIDsNext :many
-- Reserves ids for a batch before its rows are copied in.
SELECT nextval(pg_get_serial_sequence('vouchers', 'id'))::bigint AS id FROM generate_series(1, @count::integer);

-- name: VoucherInsertMany :copyfrom
INSERT INTO vouchers (tenant_id, id, voucher_type, fiscal_year, period, serial, number, voucher_date,
                      narration, source_ref, idempotency_key, reverses_id, reversal_reason,
                      total, line_count, posted_by, posted_at, chain_seq, hash)
VALUES (@tenant_id, @id, @voucher_type, @fiscal_year, @period, @serial, @number, @voucher_date,
        @narration, @source_ref, @idempotency_key, @reverses_id, @reversal_reason,
        @total, @line_count, @posted_by, @posted_at, @chain_seq, @hash);

-- name: VoucherLineInsertMany :copyfrom
INSERT INTO voucher_lines (tenant_id, voucher_id, line_no, account_code, fund_code, function_code,
                           field_code, party, debit, credit, voucher_date)
VALUES (@tenant_id, @voucher_id, @line_no, @account_code, @fund_code, @function_code,
        @field_code, @party, @debit, @credit, @voucher_date);

-- name: VoucherKeyClaim :one
-- Records the idempotency keys of vouchers about to be written and counts
-- the keys that were new. Fewer than given means a replay or a conflict.
WITH claimed AS (
    INSERT INTO voucher_keys (tenant_id, idempotency_key, voucher_id, request_hash)
    SELECT @tenant_id::text, unnest(@keys::text[]), unnest(@voucher_ids::bigint[]), unnest(@request_hashes::bytea[])
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM claimed;

-- name: VoucherByIdempotencyKeys :many
-- One primary-key probe per key.
SELECT k.voucher_id AS id, k.idempotency_key, k.request_hash
  FROM unnest(@keys::text[]) AS q(key)
  JOIN voucher_keys k ON k.tenant_id = @tenant_id AND k.idempotency_key = q.key;

-- name: VoucherReversalsOf :many
-- For each given voucher, the voucher that reverses it, if any.
SELECT reverses_id::bigint AS reversed_id, id AS reversal_id, number
  FROM vouchers
 WHERE tenant_id = @tenant_id AND reverses_id = ANY(@ids::bigint[]);

-- name: VoucherGetMany :many
SELECT v.tenant_id, v.id, v.voucher_type, v.fiscal_year, v.period, v.serial, v.number, v.voucher_date,
       v.narration, v.source_ref, v.idempotency_key, v.reverses_id, v.reversal_reason, v.total,
       v.line_count, v.posted_by, v.posted_at, v.chain_seq, v.hash,
       r.id AS reversed_by_id
  FROM vouchers v
  LEFT JOIN vouchers r ON r.tenant_id = v.tenant_id AND r.reverses_id = v.id
 WHERE v.tenant_id = @tenant_id AND v.id = ANY(@ids::bigint[])
 ORDER BY v.id;

-- name: VoucherLinesOf :many
SELECT voucher_id, line_no, account_code, fund_code, function_code, field_code, party, debit, credit
  FROM voucher_lines
 WHERE tenant_id = @tenant_id AND voucher_id = ANY(@voucher_ids::bigint[])
 ORDER BY voucher_id, line_no;

-- name: VoucherList :many
-- Vouchers in date order after a keyset cursor, optionally of one type or
-- touching one account.
SELECT v.id
  FROM vouchers v
 WHERE v.tenant_id = @tenant_id
   AND v.voucher_date BETWEEN @from_date AND @to_date
   AND (v.voucher_date, v.id) > (@after_date::date, @after_id::bigint)
   AND (@voucher_type::text = '' OR v.voucher_type = @voucher_type::text)
   AND (@account_code::text = '' OR EXISTS (
        SELECT 1 FROM voucher_lines l
         WHERE l.tenant_id = v.tenant_id AND l.voucher_id = v.id AND l.account_code = @account_code::text))
 ORDER BY v.voucher_date, v.id
 LIMIT @row_limit;

-- name: VoucherChainPage :many
-- A tenant's vouchers in chain order, for verification.
SELECT id, chain_seq
  FROM vouchers
 WHERE tenant_id = @tenant_id AND chain_seq > @after_seq
 ORDER BY chain_seq
 LIMIT @row_limit;

-- name: VoucherSeriesCheck :many
-- Per series: how many vouchers, the highest serial, and the series counter.
-- A gapless series has count = max_serial = last_number.
SELECT s.fiscal_year, s.voucher_type, s.last_number,
       count(v.id)::bigint AS voucher_count, coalesce(max(v.serial), 0)::bigint AS max_serial
  FROM voucher_series s
  LEFT JOIN vouchers v ON v.tenant_id = s.tenant_id AND v.fiscal_year = s.fiscal_year AND v.voucher_type = s.voucher_type
 WHERE s.tenant_id = @tenant_id
 GROUP BY s.fiscal_year, s.voucher_type, s.last_number
 ORDER BY s.fiscal_year, s.voucher_type;
