// Package receiptdoc owns the printed form of a receipt and its verification
// signature: the Document (everything a receipt shows), the layout that
// arranges it, the renderers that turn the layout into a file (a PDF made
// with maroto first), the amount in words in lakh and crore, the HMAC that
// lets anyone holding a receipt check it against the ULB's records through a
// public URL carried in its QR code, and the public verification page.
//
// The package is pure: it must never touch the database, read a clock or
// decide a receipt's status. Whether a receipt is valid, cancelled or
// dishonoured, and when, is the receipts domain's decision, passed in on the
// Document or the VerifyPage; this package only prints it, prominently.
// Money is decimal.Decimal to the paisa and never a float.
//
// Layout is kept apart from rendering so that a second renderer (text in
// Indian languages needs shaping that maroto does not do) can be added
// without changing what a receipt says or where: NewLayout turns a Document
// into rows of cells, and a Renderer draws those rows.
//
// Bad input is reported as *InputError naming the field and the rule.
package receiptdoc
