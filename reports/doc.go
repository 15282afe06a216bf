// Package reports owns the financial statements of a ULB drawn from the
// ledger on the NMAM layout: the balance sheet and the income and
// expenditure statement with their schedules (one per major head), the
// receipts and payments account, the cash flow statement, their
// previous-year comparatives, the drill from a figure to the accounts and
// vouchers behind it, the registers (day, cash and bank books, DCB,
// receivables ageing, advances, deposits, creditors, budget variance, asset
// register, bank reconciliation) each tied to its control heads, their
// exports (XLSX, CSV, PDF), a state's consolidation (the same statements
// over every ULB of the state and a table of the ULBs' key figures), and
// the Connect handler of munim.reports.v1 (GetAuditControls serves package
// controls' report, CloseYear package yearend's close).
//
// A statement figure is computed from the ledger's maintained balances
// (table balances, per account, fund, function and period), never from
// voucher lines, so a statement costs the same for a ULB with ten million
// lines as for one with ten thousand. Two reads are of lines, by nature:
// the receipts and payments account (only the vouchers touching cash and
// bank in its range, through the lines' account index) and the drill to
// vouchers (through ledger.AccountStatement), and so are the books and the
// deposit and advance registers. It never posts. The registers kept by
// other domains (billing's DCB, expenditure's creditors, budget's variance,
// assets' register, payments' reconciliation) are read through those
// packages' services, wired in with WithSources, never re-derived here, and
// the opening balances its handler serves are the opening package's;
// nothing but cmd imports reports, so it may import them.
package reports
