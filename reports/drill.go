package reports

import (
	"context"

	"github.com/munimhq/munim/ledger"
)

// GeneralLedger is the drill from a statement figure to its vouchers: the
// postings of one account (optionally one party's) over a date range, with
// the opening and running balance, a page at a time. It is the one read of
// this package that touches voucher lines, through the ledger.
func (s *Service) GeneralLedger(ctx context.Context, tenant string, q ledger.StatementQuery) (ledger.Statement, error) {
	return s.ledger.AccountStatement(ctx, tenant, q)
}

// TrialBalance is the ledger's trial balance, served here as a register.
func (s *Service) TrialBalance(ctx context.Context, tenant string, r Request) (ledger.TrialBalance, error) {
	return s.ledger.TrialBalance(ctx, tenant, r.AsOf, r.FundCode)
}
