-- name: BankImportInsert :one
INSERT INTO bank_statement_imports (tenant_id, bank_account, file_hash, lines, duplicates, imported_by)
VALUES (@tenant_id, @bank_account, @file_hash, @lines, @duplicates, @imported_by)
RETURNING id;

-- name: BankLineInsert :execrows
-- Takes a statement line once; an overlapping statement's repeat is skipped.
INSERT INTO bank_statement_lines (tenant_id, bank_account, import_id, txn_date, narration, reference, debit, credit, balance)
VALUES (@tenant_id, @bank_account, @import_id, @txn_date, @narration, @reference, @debit, @credit, @balance)
ON CONFLICT ON CONSTRAINT bank_statement_lines_once DO NOTHING;

-- name: BankLinesUnmatched :many
SELECT * FROM bank_statement_lines
WHERE tenant_id = @tenant_id AND bank_account = @bank_account AND matched_voucher_id IS NULL
ORDER BY txn_date, id;

-- name: BankLinesUpTo :many
SELECT * FROM bank_statement_lines
WHERE tenant_id = @tenant_id AND bank_account = @bank_account AND txn_date <= @as_of
ORDER BY txn_date, id;

-- name: BankLineMatch :exec
UPDATE bank_statement_lines SET matched_voucher_id = @voucher_id, matched_by = @matched_by
WHERE tenant_id = @tenant_id AND id = @id;

-- name: BankMatchedVouchers :many
SELECT matched_voucher_id::bigint AS voucher_id, txn_date FROM bank_statement_lines
WHERE tenant_id = @tenant_id AND bank_account = @bank_account AND matched_voucher_id IS NOT NULL;

-- name: BankLastBalance :one
-- The bank's balance at the end of a day: the last line's on or before it.
SELECT balance FROM bank_statement_lines
WHERE tenant_id = @tenant_id AND bank_account = @bank_account AND txn_date <= @as_of
ORDER BY txn_date DESC, id DESC LIMIT 1;

-- name: GatewaySettlementByUTR :one
SELECT * FROM gateway_settlements WHERE tenant_id = @tenant_id AND utr = @utr;
