// Package expenditure owns what a ULB spends: its suppliers and
// contractors, their bills (lines by expense or asset/CWIP head with
// function and fund, deductions for TDS, retention money, security deposit
// and recoveries to their liability heads), the approval that posts a
// bill's journal (Dr expense or asset, Cr creditor and deductions) with the
// budget's appropriation check in the same transaction, payments against
// approved bills (Dr creditor, Cr bank) with their cheque or transfer
// reference, and the party sub-ledger balances and creditor ageing read
// from them.
//
// A bill's voucher, its budget charges and its approval commit together;
// so do a payment and its voucher. It posts only through ledger.PostTx and
// ledger.ReverseTx, checks budget only through budget.ChargeTx (called
// before posting, so the budget lines are locked before the ledger's chain
// head), never edits a posted voucher (a cancelled bill is reversed), and
// never lets its maker approve a bill.
package expenditure
