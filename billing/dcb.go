package billing

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// DcbRow is one line of the demand, collection and balance register:
// Balance = Demand + Adjustments - Collection.
type DcbRow struct {
	Ward, Service, Head string
	FiscalYear          int
	Arrears             bool            // a year before the register's year
	Demand              decimal.Decimal // as raised
	Adjustments         decimal.Decimal // approved amendments; negative reduces
	Collection          decimal.Decimal
	Balance             decimal.Decimal
}

// DcbRegister returns the DCB by ward, service, head and year; years before
// currentFY are arrears.
func (s *Service) DcbRegister(ctx context.Context, tenant, service string, currentFY int) ([]DcbRow, error) {
	var rows []dbq.DcbRegisterRow
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).DcbRegister(ctx, dbq.DcbRegisterParams{TenantID: tenant, Service: service, CurrentFy: int32(currentFY)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("DCB register: %w", err)
	}
	out := make([]DcbRow, len(rows))
	for i, r := range rows {
		out[i] = DcbRow{Ward: r.Ward, Service: r.Service, Head: r.HeadCode, FiscalYear: int(r.FiscalYear), Arrears: r.Arrears,
			Demand: r.Demand, Adjustments: r.Adjustments, Collection: r.Collection, Balance: r.Balance}
	}
	return out, nil
}

// TieKindDCB names the DCB register as a receivable's sub-ledger.
const TieKindDCB = "dcb"

// CheckDcbAgainstLedger compares, for every receivable account the tax
// heads use, the demand register's balance (the tie's SubLedger) with the
// ledger's, to the paisa. The ledger side of a receivable with an arrears
// head (4311001) is the two heads together (4311001 + 4311004).
func (s *Service) CheckDcbAgainstLedger(ctx context.Context, tenant string) ([]ledger.Tie, error) {
	var out []ledger.Tie
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		dcb, err := q.DcbByReceivable(ctx, tenant)
		if err != nil {
			return err
		}
		heads, err := q.TaxHeadList(ctx, dbq.TaxHeadListParams{TenantID: tenant})
		if err != nil {
			return err
		}
		accounts := map[string]decimal.Decimal{}
		for _, h := range heads {
			accounts[h.ReceivableAccount] = decimal.Zero
		}
		for _, r := range dcb {
			accounts[r.ReceivableAccount] = r.Balance
		}
		// A receivable's dues in arrears sit on its arrears head: the
		// register's balance is compared with the two together.
		codes := make([]string, 0, len(accounts))
		arrearsOf := map[string]string{}
		for c := range accounts {
			codes = append(codes, c)
			if a := ArrearsAccountOf(c); a != "" && !isHeadReceivable(accounts, a) {
				codes = append(codes, a)
				arrearsOf[a] = c
			}
		}
		books, err := q.BalanceOfAccounts(ctx, dbq.BalanceOfAccountsParams{TenantID: tenant, Codes: codes})
		if err != nil {
			return err
		}
		held := map[string]decimal.Decimal{}
		for _, b := range books {
			c := b.AccountCode
			if r, ok := arrearsOf[c]; ok {
				c = r
			}
			held[c] = held[c].Add(b.Balance)
		}
		for _, b := range books {
			if _, ok := arrearsOf[b.AccountCode]; ok {
				continue
			}
			out = append(out, ledger.NewTie(b.AccountCode, TieKindDCB, accounts[b.AccountCode], held[b.AccountCode]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tie DCB to ledger: %w", err)
	}
	return out, nil
}

func isHeadReceivable(accounts map[string]decimal.Decimal, code string) bool {
	_, ok := accounts[code]
	return ok
}
