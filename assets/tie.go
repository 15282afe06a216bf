package assets

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// TieRow compares one head the register keeps with the ledger.
type TieRow struct {
	AccountCode string
	Kind        string // gross (gross block), accumulated (accumulated depreciation) or cwip
	Register    decimal.Decimal
	// Ledger is the head's balance as of the date: a debit for gross block
	// and CWIP, a credit (shown positive) for accumulated depreciation.
	Ledger     decimal.Decimal
	Difference decimal.Decimal // Register - Ledger
}

// Tie is the register against the ledger.
type Tie struct {
	AsOf time.Time
	Rows []TieRow
	// Ties is true when every head agrees to the paisa.
	Ties bool
}

// Tie compares, head by head, the register's gross block and accumulated
// depreciation of assets in use and cost of assets in CWIP with the
// ledger's balances of those heads as of asOf (all funds and functions).
// The register is read as it stands, so asOf should be on or after its
// last event (the end of the latest year). A CWIP head with bills no asset
// has captured, or a gross-block head posted to by hand, shows as a
// difference.
func (s *Service) Tie(ctx context.Context, tenant string, asOf time.Time) (Tie, error) {
	var (
		heads  []dbq.AssetClassHeadsRow
		totals []dbq.AssetRegisterTotalsRow
	)
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if heads, err = q.AssetClassHeads(ctx, tenant); err != nil {
			return fmt.Errorf("read class heads: %w", err)
		}
		if totals, err = q.AssetRegisterTotals(ctx, tenant); err != nil {
			return fmt.Errorf("read register totals: %w", err)
		}
		return nil
	})
	if err != nil {
		return Tie{}, err
	}
	tb, err := s.ledger.TrialBalance(ctx, tenant, asOf, "")
	if err != nil {
		return Tie{}, err
	}
	closing := map[string]decimal.Decimal{}
	for _, r := range tb.Rows {
		closing[r.AccountCode] = r.Closing
	}
	register := map[[2]string]decimal.Decimal{}
	for _, t := range totals {
		k := [2]string{t.AccountCode, t.Kind}
		register[k] = register[k].Add(t.Amount)
	}
	out := Tie{AsOf: asOf, Ties: true}
	for _, h := range heads {
		row := TieRow{AccountCode: h.AccountCode, Kind: h.Kind, Register: register[[2]string{h.AccountCode, h.Kind}],
			Ledger: closing[h.AccountCode]}
		if h.Kind == "accumulated" {
			row.Ledger = row.Ledger.Neg()
		}
		row.Difference = row.Register.Sub(row.Ledger)
		if !row.Difference.IsZero() {
			out.Ties = false
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}
