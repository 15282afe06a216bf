-- name: OpeningImportInsert :one
INSERT INTO opening_imports (tenant_id, as_of, format, content_hash, idempotency_key, request_hash, row_count,
                             total_debit, total_credit, imported_by)
VALUES (@tenant_id, @as_of, @format, @content_hash, @idempotency_key, @request_hash, @row_count,
        @total_debit, @total_credit, @imported_by)
RETURNING *;

-- name: OpeningImportLineInsertMany :exec
INSERT INTO opening_import_lines (tenant_id, import_id, row_no, account_code, fund_code, function_code, party,
                                  service, head_code, ward, debit, credit)
SELECT @tenant_id::text, @import_id::bigint, unnest(@row_nos::integer[]), unnest(@account_codes::text[]),
       unnest(@fund_codes::text[]), unnest(@function_codes::text[]), unnest(@parties::text[]),
       unnest(@services::text[]), unnest(@head_codes::text[]), unnest(@wards::text[]),
       unnest(@debits::numeric[]), unnest(@credits::numeric[]);

-- name: OpeningImportByKey :one
SELECT * FROM opening_imports WHERE tenant_id = @tenant_id AND idempotency_key = @idempotency_key;

-- name: OpeningImportGet :one
SELECT * FROM opening_imports WHERE tenant_id = @tenant_id AND id = @id;

-- name: OpeningImportGetForUpdate :one
SELECT * FROM opening_imports WHERE tenant_id = @tenant_id AND id = @id FOR UPDATE;

-- name: OpeningImportPosted :one
-- The import that opened the tenant's books, if one has.
SELECT * FROM opening_imports WHERE tenant_id = @tenant_id AND status = 'approved';

-- name: OpeningImportDecide :exec
UPDATE opening_imports
   SET status = @status, decided_by = @decided_by, decided_at = now(), reason = @reason, voucher_id = @voucher_id
 WHERE tenant_id = @tenant_id AND id = @id AND status = 'pending';

-- name: OpeningImportLinesOf :many
SELECT * FROM opening_import_lines WHERE tenant_id = @tenant_id AND import_id = @import_id ORDER BY row_no;

-- name: OpeningAccounts :many
-- The chart as an opening trial balance is checked against: whether each
-- head takes postings and what kind it is (I, E, L, A).
SELECT code, kind, postable FROM accounts WHERE tenant_id = @tenant_id;

-- name: OpeningFirstVoucherBefore :one
-- The earliest voucher dated before the opening day, if any: books that
-- already run before it cannot be opened on it.
SELECT id, number, voucher_date FROM vouchers
 WHERE tenant_id = @tenant_id AND voucher_date < @as_of
 ORDER BY voucher_date, id
 LIMIT 1;

-- name: OpeningImportLock :exec
-- Serialises the decisions on a tenant's opening imports until commit, so
-- that an approval sees any approval committed before it.
SELECT pg_advisory_xact_lock(hashtextextended('munim.opening/' || @tenant_id::text, 0));
