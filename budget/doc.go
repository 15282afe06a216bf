// Package budget owns a ULB's appropriations: budget lines (an account head
// or group of heads x function x fund, held by a department) for a fiscal
// year; their estimates (BE, RE and supplementary provisions), each drafted,
// submitted and approved by someone else; re-appropriations between lines;
// commitments (work and purchase orders) that reserve budget; and the
// appropriation check that expenditure passes in the transaction that
// commits it (ChargeTx), with the reports built on them (budget vs actual,
// quarterly variance).
//
// It reads the ledger (heads, balances) but never posts to it: the caller
// that spends (an expenditure bill) posts its own voucher in the same
// transaction as its ChargeTx, and vouchers posted straight to the ledger
// reach the check through VoucherCheck, the ledger.PostCheck the binary
// gives the ledger. It never edits a re-appropriation or a
// charge (a released charge is a negative charge), never lets money touch a
// float, and never moves budget from a capital line to a revenue line.
package budget
