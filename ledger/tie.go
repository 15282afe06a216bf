package ledger

import "github.com/shopspring/decimal"

// Tie compares a control account's balance in the ledger with the
// sub-ledger that must explain it: the DCB register against a receivable,
// the receipts' cash book against cash in hand, the asset register against
// gross block, accumulated depreciation or CWIP, the consumers' advances
// against an advance head, the parties' deposits against a deposit head.
// Every package that keeps a sub-ledger reports its agreement in this one
// shape, so the audit controls read them all alike.
type Tie struct {
	Account string
	// Kind says which sub-ledger, or which side of it (for the asset
	// register: gross, accumulated or cwip).
	Kind string
	// SubLedger is what the sub-ledger says the account should hold, on the
	// account's natural side (positive for a debit-balance asset, positive
	// for a credit-balance liability or contra head).
	SubLedger decimal.Decimal
	// Ledger is the account's balance, on the same side as SubLedger.
	Ledger decimal.Decimal
	// Difference is Ledger - SubLedger: zero when they tie.
	Difference decimal.Decimal
}

// NewTie returns the tie of account (kind of sub-ledger) with its difference.
func NewTie(account, kind string, subLedger, ledger decimal.Decimal) Tie {
	return Tie{Account: account, Kind: kind, SubLedger: subLedger, Ledger: ledger, Difference: ledger.Sub(subLedger)}
}

// Tied reports whether every tie agrees to the paisa.
func Tied(ties []Tie) bool {
	for _, t := range ties {
		if !t.Difference.IsZero() {
			return false
		}
	}
	return true
}
