// Package ledger owns Munim's double-entry books on the NMAM pattern: the
// chart of accounts, funds and functions, fiscal years and their periods,
// vouchers and their lines, maintained balances, the per-tenant hash chain,
// and the books read from them (trial balance, account statement, day book).
//
// Every other domain posts through this package, inside its own transaction
// when the posting must commit with its business record (PostTx), or through
// the group committer (Post) when it stands alone. Vouchers posted through
// the ledger's own API pass Config.Check (a PostCheck: the binary gives it
// the budget's appropriation check) in their posting transaction.
//
// It must never import another domain package, never edit or delete a posted
// voucher (corrections are reversals), and never let money touch a float.
package ledger
