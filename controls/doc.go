// Package controls owns the audit controls report: the one page an auditor
// opens first to learn whether a ULB's books can be relied on. It checks
// that receipt and voucher numbers run without gaps (listing cancelled
// receipts and reversing vouchers), that every sub-ledger equals its
// control accounts (the DCB, the cash book, the asset register, the
// consumers' advances, the parties' deposits, all as ledger.Tie), which
// bank and gateway items are unreconciled and which cash is unremitted,
// with their ages, that the hash chain is intact, which periods are closed,
// and that no approval was given by its own maker.
//
// The package only reads. It never corrects what it finds: a failed check
// names the receipts, vouchers, accounts or consumers to look at, and the
// correction is a reversing voucher or an amendment made elsewhere.
package controls
