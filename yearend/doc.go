// Package yearend owns the year-end close of a ULB's books, in one
// transaction and in this order: the provision for doubtful receivables by
// age band of the dues (RunProvisions, also run alone); the move of what
// the year's property-tax demands left unpaid to the arrears head
// (4311001 to 4311004, once per year; billing.TaxHead.ReceivableFor then
// routes everything that touches those demands there); closing every
// income and expenditure head to 3109000 (excess of income over
// expenditure) and 3109000 on to the municipal fund (3101001); locking the
// year's twelve periods and opening the next year. Reopening a closed year
// (by an approver, with a reason) reverses the two closing vouchers; the
// provision and the arrears stay, being true whatever the books' state, and
// a second close adjusts the one and moves nothing twice.
//
// How a closed year's income and expenditure still reads as earned: the
// closing vouchers are ordinary posted vouchers (so balances, the trial
// balance and the balance sheet carry the year's result into the municipal
// fund by themselves, and the next year opens with the balance-sheet heads
// only), and each is recorded in year_closing_vouchers with closing = true.
// The statements (package reports) subtract the lines of those vouchers, and
// of their reversals, from the year's movements when drawing the income and
// expenditure statement and the cash flow; the balance sheet keeps them.
//
// Rules: a year closes once (a second close is refused until it is
// reopened); a year closes only after every earlier opened year is closed,
// because the close brings the heads' cumulative balances to zero and would
// otherwise sweep an earlier year's result into this one; a year with
// journal drafts still waiting for approval does not close. A posted
// voucher is never edited: reopening reverses the closing vouchers.
//
// It never posts anything but its own closing vouchers and their reversals,
// and never touches a period outside the year it closes or reopens.
package yearend
