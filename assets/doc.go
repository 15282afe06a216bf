// Package assets owns the fixed-asset register: asset classes (their gross
// block, accumulated depreciation, depreciation expense, CWIP and
// revaluation heads, straight-line life or yearly rate and residual value,
// and whether they depreciate at all), the states' default terms per class
// code that classes without their own follow (else tariffs.md's built-in
// ones), assets from capital work in progress through use to disposal, the
// voucher lines that built each asset's cost, capitalisation, depreciation
// runs (also as River jobs), disposal, revaluation and transfer,
// the opening register imported from CSV, and the tie of the register to
// the ledger heads it mirrors.
//
// Every change to an asset's figures posts its voucher (ledger.PostTx) in
// the same transaction, so the register always ties. It reads vouchers the
// expenditure bills posted but never posts or edits a bill; it never edits
// a posted voucher, never depreciates land or any class marked not
// depreciable, and never takes an asset below its residual value.
package assets
