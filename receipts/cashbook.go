package receipts

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// TieKindCashBook names the receipts' cash book as the sub-ledger of cash
// and cheques in hand.
const TieKindCashBook = "cash_book"

// CheckCashBook ties cash on hand (4501001) to the cash book (cash receipts
// standing, less cash remitted) and cheques in hand (4501051) to the
// cheques and drafts receipted and neither deposited nor dishonoured. Only
// holds for a tenant whose counter cash all passes through receipts. The
// tie's SubLedger is the book's figure.
func (s *Service) CheckCashBook(ctx context.Context, tenant string) ([]ledger.Tie, error) {
	var out []ledger.Tie
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
			out = append(out, ledger.NewTie(b.AccountCode, TieKindCashBook, want[b.AccountCode], b.Balance))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tie cash book to ledger: %w", err)
	}
	return out, nil
}
