// Package opening owns the opening balances of a ULB moving onto Munim:
// its opening trial balance, imported from a CSV file or the first sheet
// of an XLSX workbook by the accountant, checked in full (every problem
// reported at once, by row and column), kept pending with a hash of the
// file, and approved by another person, whose approval posts it as one
// opening journal voucher dated the first day of the books on Munim.
//
// The receivables it carries (rows on the property-tax, cess and fee and
// user-charge receivables, and on any head a tax head accrues to) are
// each tied to a consumer of the registers, on the account its head keeps
// arrears on (property tax on 4311004: on the opening day every due is an
// arrear; billing.TaxHead.ReceivableFor); on approval they become arrear
// demands in billing whose accrual is the opening voucher itself, so the
// DCB register shows them as opening arrears and stays tied to the control
// accounts, and receipts collect them like any other demand.
//
// It must never post a second opening voucher for a tenant, never open
// books that already hold vouchers dated before the opening day, and never
// write half an import: an import and its rows, or an approval with its
// voucher and demands, commit in one transaction.
package opening
