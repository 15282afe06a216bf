// Package receipts owns money taken at the counter: receipts and their
// gapless numbers (per tenant, series and fiscal year), the consumers and
// demand lines each paid, payment instruments and the cheque lifecycle
// (in hand, deposited, realised or dishonoured), cancellations, the cash
// remitted to the bank, the cashier's day-end summary and cash-in-hand
// ageing, each service's collection settings, and the Connect handler of
// munim.receipts.v1.
//
// A receipt, its receipt voucher and the collected amounts of the demand
// lines it settles commit in one transaction; so do a cancellation or a
// dishonour and their reversing vouchers. It never moves a demand line or
// an advance itself: billing does that (Collect, Uncollect, MoveAdvance)
// in the transaction receipts passes it. It never posts to the ledger
// except through ledger.PostTx and ledger.ReverseTx, never changes a
// committed receipt's particulars (the database refuses it too), and never
// reuses or skips a receipt number.
package receipts
