package assets

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The kinds of an asset tie: the register's side of a head.
const (
	TieGross       = "gross"       // gross block of assets in use (410), a debit
	TieAccumulated = "accumulated" // accumulated depreciation (411), a credit shown positive
	TieCWIP        = "cwip"        // cost of assets not yet in use (412), a debit
)

// Tie compares, head by head, the register's gross block and accumulated
// depreciation of assets in use and cost of assets in CWIP with the
// ledger's balances of those heads as of asOf (all funds and functions).
// The register is read as it stands, so asOf should be on or after its
// last event (the end of the latest year). A CWIP head with bills no asset
// has captured, or a gross-block head posted to by hand, shows as a
// difference. Each tie's SubLedger is the register's figure.
func (s *Service) Tie(ctx context.Context, tenant string, asOf time.Time) ([]ledger.Tie, error) {
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
		return nil, err
	}
	tb, err := s.ledger.TrialBalance(ctx, tenant, asOf, "")
	if err != nil {
		return nil, err
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
	out := make([]ledger.Tie, 0, len(heads))
	for _, h := range heads {
		books := closing[h.AccountCode]
		if h.Kind == TieAccumulated {
			books = books.Neg()
		}
		out = append(out, ledger.NewTie(h.AccountCode, h.Kind, register[[2]string{h.AccountCode, h.Kind}], books))
	}
	return out, nil
}
