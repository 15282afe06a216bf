-- The hash chain is read in chain order, not id order: a caller may reserve
-- voucher ids before it takes the chain-head lock (ledger.ReserveVoucherIDs),
-- so ids no longer follow the chain. One voucher per chain position.

-- +goose Up
CREATE UNIQUE INDEX vouchers_chain_seq_unique ON vouchers (tenant_id, chain_seq);

-- +goose Down
DROP INDEX vouchers_chain_seq_unique;
