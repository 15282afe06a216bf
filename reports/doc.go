// Package reports owns the financial statements of a ULB drawn from the
// ledger on the NMAM layout: the balance sheet and the income and
// expenditure statement with their schedules (one per major head), the
// receipts and payments account, the cash flow statement, their
// previous-year comparatives, the drill from a figure to the accounts and
// vouchers behind it, their exports (XLSX, CSV, PDF), a state's
// consolidation (the same statements over every ULB of the state, read
// under the state's scope, and a table of the ULBs' key figures), and the
// Connect handler of munim.reports.v1 (GetAuditControls serves package
// controls' report).
//
// A statement figure is computed from the ledger's maintained balances
// (table balances, per account, fund, function and period), never from
// voucher lines, so a statement costs the same for a ULB with ten million
// lines as for one with ten thousand. Two reads are of lines, by nature:
// the receipts and payments account (only the vouchers touching cash and
// bank in its range, through the lines' account index) and the drill to
// vouchers (through ledger.AccountStatement). It never posts, and of the
// domain packages it imports only ledger and controls.
package reports
