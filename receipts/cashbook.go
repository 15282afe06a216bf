package receipts

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// BookTie is a cash account in the ledger against the receipts' own book of it.
type BookTie struct {
	Account    string
	Book       decimal.Decimal // from the receipts: what should be in the account
	Ledger     decimal.Decimal // the account's balance in the books
	Difference decimal.Decimal // Ledger - Book; zero when they tie
}

// CheckCashBook ties cash on hand (4501001) to the cash book (cash receipts
// standing, less cash remitted) and cheques in hand (4501051) to the
// cheques and drafts receipted and neither deposited nor dishonoured. Only
// holds for a tenant whose counter cash all passes through receipts.
func (s *Service) CheckCashBook(ctx context.Context, tenant string) ([]BookTie, error) {
	var out []BookTie
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		book, err := q.ReceiptCashBook(ctx, tenant)
		if err != nil {
			return err
		}
		bal, err := q.BalanceOfAccounts(ctx, dbq.BalanceOfAccountsParams{TenantID: tenant, Codes: []string{CashOnHand, ChequesInHand}})
		if err != nil {
			return err
		}
		want := map[string]decimal.Decimal{CashOnHand: book.Cash, ChequesInHand: book.Cheques}
		for _, b := range bal {
			out = append(out, BookTie{Account: b.AccountCode, Book: want[b.AccountCode], Ledger: b.Balance,
				Difference: b.Balance.Sub(want[b.AccountCode])})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tie cash book to ledger: %w", err)
	}
	return out, nil
}

// BooksTie reports whether every tie has no difference.
func BooksTie(ties []BookTie) bool {
	for _, t := range ties {
		if !t.Difference.IsZero() {
			return false
		}
	}
	return true
}
