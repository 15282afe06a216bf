package reports

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// depreciationSchedule is the schedule of fixed assets for the fiscal year
// of To, as the balance sheet's schedule B-11 lays it out: per gross-block
// head (named by the asset classes posting to it), the gross block brought
// forward, added (bought, capitalised, revalued) and deducted (disposed
// of) in the year and carried forward; the accumulated depreciation
// brought forward, charged in the year, written back on disposals and
// carried forward; and the net block at both ends. Then each CWIP head:
// brought forward, added, capitalised, carried forward. Its figures are the
// ledger's year movements on those heads (debits and credits to To; an
// opening register or opening trial balance posted in the year is brought
// forward, not added), so it is tied to the asset register: each head's carried-forward figure
// against what the register holds on it (assets' own tie).
func (s *Service) depreciationSchedule(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if s.src.Assets == nil {
		return Register{}, errSourceMissing
	}
	classes, err := s.src.Assets.Classes(ctx, tenant)
	if err != nil {
		return Register{}, err
	}
	tb, err := s.ledger.TrialBalance(ctx, tenant, q.To, "")
	if err != nil {
		return Register{}, err
	}
	from := ledger.Date(ledger.FiscalYearOf(q.To), time.April, 1)
	var opening []dbq.LineOpeningMovementsRow
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		opening, err = dbq.New(tx).LineOpeningMovements(ctx, dbq.LineOpeningMovementsParams{TenantID: tenant, FromDate: from, ToDate: q.To})
		return err
	})
	if err != nil {
		return Register{}, fmt.Errorf("read opening vouchers: %w", err)
	}
	mv := make(map[string]ledger.TrialBalanceRow, len(tb.Rows))
	for _, r := range tb.Rows {
		mv[r.AccountCode] = r
	}
	for _, o := range opening { // brought forward, not the year's movement
		r := mv[o.AccountCode]
		r.Opening = r.Opening.Add(o.Debit).Sub(o.Credit)
		r.Debit, r.Credit = r.Debit.Sub(o.Debit), r.Credit.Sub(o.Credit)
		mv[o.AccountCode] = r
	}

	type block struct {
		gross, accumulated string
		names              []string
	}
	var blocks []*block
	var cwip []string
	for _, c := range classes {
		i := slices.IndexFunc(blocks, func(b *block) bool { return b.gross == c.GrossBlockAccount })
		if i < 0 {
			blocks = append(blocks, &block{gross: c.GrossBlockAccount, accumulated: c.AccumulatedAccount})
			i = len(blocks) - 1
		}
		blocks[i].names = append(blocks[i].names, c.Name)
		if c.CWIPAccount != "" && !slices.Contains(cwip, c.CWIPAccount) {
			cwip = append(cwip, c.CWIPAccount)
		}
	}
	slices.SortFunc(blocks, func(a, b *block) int { return strings.Compare(a.gross, b.gross) })
	slices.Sort(cwip)

	r := Register{Title: "Schedule of fixed assets and depreciation", From: from,
		Columns: []Column{{"Head", ColText}, {"Particulars", ColText},
			{"Gross block b/f", ColMoney}, {"Additions", ColMoney}, {"Deductions", ColMoney}, {"Gross block c/f", ColMoney},
			{"Depreciation b/f", ColMoney}, {"For the year", ColMoney}, {"Written back", ColMoney}, {"Depreciation c/f", ColMoney},
			{"Net block b/f", ColMoney}, {"Net block c/f", ColMoney}}}
	totals := make([]decimal.Decimal, 10)
	shown := map[string]bool{} // the heads with a row
	for _, b := range blocks {
		g, a := mv[b.gross], mv[b.accumulated] // an accumulated head is a credit balance: negate
		if g.Opening.IsZero() && g.Debit.IsZero() && g.Credit.IsZero() && a.Opening.IsZero() && a.Debit.IsZero() && a.Credit.IsZero() {
			continue // a head no asset has used
		}
		fig := []decimal.Decimal{g.Opening, g.Debit, g.Credit, g.Closing,
			a.Opening.Neg(), a.Credit, a.Debit, a.Closing.Neg(),
			g.Opening.Add(a.Opening), g.Closing.Add(a.Closing)}
		cells := []string{b.gross, strings.Join(b.names, ", ")}
		for i, v := range fig {
			cells = append(cells, amt(v))
			totals[i] = totals[i].Add(v)
		}
		r.Rows = append(r.Rows, RegisterRow{Section: "Fixed assets", Cells: cells, AccountCode: b.gross})
		shown[b.gross] = true
		if b.accumulated != "" {
			shown[b.accumulated] = true
		}
	}
	cells := []string{"Total", ""}
	for _, v := range totals {
		cells = append(cells, amt(v))
	}
	r.Rows = append(r.Rows, RegisterRow{Section: "Fixed assets", Cells: cells, Total: true})

	blank := amt(decimal.Zero)
	for _, code := range cwip {
		w := mv[code]
		if w.Opening.IsZero() && w.Debit.IsZero() && w.Credit.IsZero() {
			continue
		}
		r.Rows = append(r.Rows, RegisterRow{Section: "Capital work in progress", AccountCode: code,
			Cells: []string{code, w.AccountName, amt(w.Opening), amt(w.Debit), amt(w.Credit), amt(w.Closing),
				blank, blank, blank, blank, amt(w.Opening), amt(w.Closing)}})
		shown[code] = true
	}

	ties, err := s.src.Assets.Tie(ctx, tenant, q.To)
	if err != nil {
		return Register{}, err
	}
	for _, t := range ties {
		if !shown[t.Account] && t.SubLedger.IsZero() {
			continue
		}
		// A head's carried-forward figure is its closing balance, which
		// is assets' tie's ledger side (zero for a head without a row).
		r.Ties = append(r.Ties, tie("Schedule "+t.Kind+" "+t.Account+" against the asset register", []string{t.Account}, t.SubLedger, t.Ledger))
	}
	return r, nil
}
