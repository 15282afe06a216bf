package controls

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The kinds of the ties this package computes itself.
const (
	TieKindAdvances = "advances" // consumers' advances against 35041 heads
	TieKindDeposits = "deposits" // parties' lines against 340/341 heads
)

// advancePrefix is the minor head of advance collections (3504101 property
// tax, 3504103 licence, 3504105 water, 3504109 others).
const advancePrefix = "35041"

// depositMajors are the deposit heads: 340 deposits received, 341 deposit
// works.
var depositMajors = []string{"340", "341"}

// ties runs every sub-ledger tie.
func (s *Service) ties(ctx context.Context, tenant string, asOf time.Time) ([]Check, error) {
	out, err := s.quickTies(ctx, tenant)
	if err != nil {
		return nil, err
	}
	reg, err := s.assets.Tie(ctx, tenant, asOf)
	if err != nil {
		return nil, fmt.Errorf("tie asset register: %w", err)
	}
	out = append(out, tieCheck(CheckAssetRegister, "Asset register equals gross block, depreciation and CWIP (410/411/412)", reg))
	return out, nil
}

// quickTies are the ties that read maintained balances and sub-ledger
// totals only.
func (s *Service) quickTies(ctx context.Context, tenant string) ([]Check, error) {
	dcb, err := s.billing.CheckDcbAgainstLedger(ctx, tenant)
	if err != nil {
		return nil, err
	}
	cash, err := s.receipts.CheckCashBook(ctx, tenant)
	if err != nil {
		return nil, err
	}
	adv, dep, err := s.partyTies(ctx, tenant)
	if err != nil {
		return nil, err
	}
	return []Check{
		tieCheck(CheckDCB, "DCB register equals receivables (431)", dcb),
		tieCheck(CheckCashBook, "Cash book equals cash and cheques in hand (4501001, 4501051)", cash),
		tieCheck(CheckAdvances, "Consumers' advances equal advance collections (35041)", adv),
		tieCheck(CheckDeposits, "Parties' deposits equal deposit heads (340, 341)", dep),
	}, nil
}

// partyTies ties the consumers' advances to the 35041 heads and the
// parties' deposits to the 340/341 heads (credit balances positive).
func (s *Service) partyTies(ctx context.Context, tenant string) (adv, dep []ledger.Tie, err error) {
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		held, err := q.ControlAdvanceSubLedger(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read advances: %w", err)
		}
		books, err := q.ControlBalancesUnder(ctx, dbq.ControlBalancesUnderParams{TenantID: tenant, Prefix: advancePrefix})
		if err != nil {
			return fmt.Errorf("read advance heads: %w", err)
		}
		sub := map[string]decimal.Decimal{}
		led := map[string]decimal.Decimal{}
		for _, h := range held {
			sub[h.AccountCode] = h.Amount
		}
		for _, b := range books {
			led[b.AccountCode] = b.Balance
		}
		adv = mergeTies(TieKindAdvances, sub, led)

		parties, err := q.ControlPartySubLedger(ctx, dbq.ControlPartySubLedgerParams{TenantID: tenant, FirstMajor: "340", AfterMajor: "342"})
		if err != nil {
			return fmt.Errorf("read deposits: %w", err)
		}
		sub, led = map[string]decimal.Decimal{}, map[string]decimal.Decimal{}
		for _, p := range parties {
			sub[p.AccountCode] = p.Parties
		}
		for _, m := range depositMajors {
			books, err := q.ControlBalancesUnder(ctx, dbq.ControlBalancesUnderParams{TenantID: tenant, Prefix: m})
			if err != nil {
				return fmt.Errorf("read deposit heads: %w", err)
			}
			for _, b := range books {
				led[b.AccountCode] = b.Balance
			}
		}
		dep = mergeTies(TieKindDeposits, sub, led)
		return nil
	})
	return adv, dep, err
}

// mergeTies ties every account either side knows, in code order; an
// account both sides hold at zero is left out.
func mergeTies(kind string, sub, led map[string]decimal.Decimal) []ledger.Tie {
	codes := map[string]bool{}
	for c := range sub {
		codes[c] = true
	}
	for c := range led {
		codes[c] = true
	}
	var out []ledger.Tie
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		if sub[c].IsZero() && led[c].IsZero() {
			continue
		}
		out = append(out, ledger.NewTie(c, kind, sub[c], led[c]))
	}
	return out
}

// tieCheck fails when any tie has a difference, listing those that do.
func tieCheck(name, title string, ties []ledger.Tie) Check {
	c := Check{Name: name, Title: title, Ties: ties}
	var off int
	for _, t := range ties {
		if t.Difference.IsZero() {
			continue
		}
		off++
		c.Rows = append(c.Rows, Row{RefKind: RefAccount, Ref: t.Account, Amount: t.Difference,
			Detail: fmt.Sprintf("%s: sub-ledger %s, ledger %s, difference %s", t.Kind, t.SubLedger.StringFixed(2),
				t.Ledger.StringFixed(2), t.Difference.StringFixed(2))})
	}
	if off > 0 {
		c.Status = Failed
		c.Summary = fmt.Sprintf("%d of %d accounts differ from their sub-ledger", off, len(ties))
	} else {
		c.Summary = fmt.Sprintf("%d accounts equal their sub-ledger to the paisa", len(ties))
	}
	return c
}
