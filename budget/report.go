package budget

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// Row is one row of budget vs actual: a line, or a total over lines (by
// function or by major head).
type Row struct {
	Key            string // the line's head/function/fund, a function code, or a major head
	Name           string
	LineID         int64 // 0 on a total
	BE, RE         decimal.Decimal
	Supplementary  decimal.Decimal
	Reappropriated decimal.Decimal
	Committed      decimal.Decimal
	Actual         decimal.Decimal
	Available      decimal.Decimal
	// PercentUsed is (actual + committed) / (provision + re-appropriated),
	// to two decimals; zero when nothing is provided.
	PercentUsed decimal.Decimal
	// Ledger is the ledger's net debit on the row's heads, function and
	// fund for the year: it differs from Actual by spending that bypassed
	// the check (a journal on a budgeted head).
	Ledger decimal.Decimal
}

// Report is budget vs actual for a year.
type Report struct {
	FiscalYear int
	Lines      []Row
	ByFunction []Row
	ByMajor    []Row
	Total      Row
}

func (r *Row) add(l Line, ledgerNet decimal.Decimal) {
	r.BE = r.BE.Add(l.BE)
	re := l.BE
	if l.HasRE {
		re = l.RE
	}
	r.RE = r.RE.Add(re)
	r.Supplementary = r.Supplementary.Add(l.Supplementary)
	r.Reappropriated = r.Reappropriated.Add(l.Reappropriated)
	r.Committed = r.Committed.Add(l.Committed)
	r.Actual = r.Actual.Add(l.Actual)
	r.Available = r.Available.Add(l.Available())
	r.Ledger = r.Ledger.Add(ledgerNet)
}

func (r *Row) finish() {
	budget := r.RE.Add(r.Supplementary).Add(r.Reappropriated)
	if budget.IsPositive() {
		r.PercentUsed = r.Actual.Add(r.Committed).Mul(decimal.NewFromInt(100)).Div(budget).Round(2)
	}
}

// BudgetVsActual reports each line of a year with its BE, RE (the BE where
// no RE is approved), supplementary provisions, re-appropriations,
// commitments, actual, available and percentage used, and the same totalled
// by function and by major head (a line's first three digits).
func (s *Service) BudgetVsActual(ctx context.Context, tenant string, fiscalYear int) (Report, error) {
	var (
		lines []dbq.BudgetLine
		net   []dbq.BudgetLineLedgerActualsRow
	)
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if lines, err = q.BudgetLineList(ctx, dbq.BudgetLineListParams{TenantID: tenant, FiscalYear: int32(fiscalYear)}); err != nil {
			return fmt.Errorf("list lines: %w", err)
		}
		if net, err = q.BudgetLineLedgerActuals(ctx, dbq.BudgetLineLedgerActualsParams{TenantID: tenant, FiscalYear: int32(fiscalYear)}); err != nil {
			return fmt.Errorf("read ledger actuals: %w", err)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	ledgerNet := map[int64]decimal.Decimal{}
	for _, n := range net {
		ledgerNet[n.LineID] = n.NetDebit
	}
	rep := Report{FiscalYear: fiscalYear, Total: Row{Key: "total", Name: "Total"}}
	byFn, byMajor := map[string]*Row{}, map[string]*Row{}
	for _, r := range lines {
		l := lineOf(r)
		row := Row{Key: fmt.Sprintf("%s/%s/%s", l.HeadCode, l.FunctionCode, l.FundCode), Name: l.Name, LineID: l.ID}
		row.add(l, ledgerNet[l.ID])
		row.finish()
		rep.Lines = append(rep.Lines, row)
		for _, g := range []struct {
			m   map[string]*Row
			key string
		}{{byFn, l.FunctionCode}, {byMajor, l.HeadCode[:3]}} {
			if g.m[g.key] == nil {
				g.m[g.key] = &Row{Key: g.key}
			}
			g.m[g.key].add(l, ledgerNet[l.ID])
		}
		rep.Total.add(l, ledgerNet[l.ID])
	}
	rep.ByFunction = totals(byFn)
	rep.ByMajor = totals(byMajor)
	rep.Total.finish()
	return rep, nil
}

func totals(m map[string]*Row) []Row {
	out := make([]Row, 0, len(m))
	for _, r := range m {
		r.finish()
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// QuarterRow is a line's quarter in the variance report.
type QuarterRow struct {
	LineID int64
	Key    string
	Name   string
	// Budget is the line's budget for the year (RE or BE, supplementary
	// provisions and re-appropriations) and Target the share of it due by
	// the quarter's end, spread evenly (a quarter a year).
	Budget decimal.Decimal
	// Actual per quarter (1: April-June ... 4: January-March) and to date.
	Actual     [4]decimal.Decimal
	Cumulative [4]decimal.Decimal
	Target     [4]decimal.Decimal
	// Variance is Target - Cumulative (positive: under-spent) and
	// VariancePercent that as a percentage of Target.
	Variance        [4]decimal.Decimal
	VariancePercent [4]decimal.Decimal
}

// QuarterlyVariance reports each line's actual spending by quarter against
// an even phasing of its budget.
func (s *Service) QuarterlyVariance(ctx context.Context, tenant string, fiscalYear int) ([]QuarterRow, error) {
	var (
		lines []dbq.BudgetLine
		qs    []dbq.BudgetChargeQuarterlyRow
	)
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if lines, err = q.BudgetLineList(ctx, dbq.BudgetLineListParams{TenantID: tenant, FiscalYear: int32(fiscalYear)}); err != nil {
			return fmt.Errorf("list lines: %w", err)
		}
		if qs, err = q.BudgetChargeQuarterly(ctx, dbq.BudgetChargeQuarterlyParams{TenantID: tenant, FiscalYear: int32(fiscalYear)}); err != nil {
			return fmt.Errorf("read quarterly charges: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	perLine := map[int64][4]decimal.Decimal{}
	for _, r := range qs {
		a := perLine[r.LineID]
		a[r.Quarter-1] = r.Amount
		perLine[r.LineID] = a
	}
	out := make([]QuarterRow, 0, len(lines))
	hundred := decimal.NewFromInt(100)
	for _, r := range lines {
		l := lineOf(r)
		row := QuarterRow{LineID: l.ID, Key: fmt.Sprintf("%s/%s/%s", l.HeadCode, l.FunctionCode, l.FundCode), Name: l.Name,
			Budget: l.Provision().Add(l.Reappropriated), Actual: perLine[l.ID]}
		var cum decimal.Decimal
		for q := range 4 {
			cum = cum.Add(row.Actual[q])
			row.Cumulative[q] = cum
			row.Target[q] = row.Budget.Mul(decimal.NewFromInt(int64(q + 1))).Div(decimal.NewFromInt(4)).Round(2)
			row.Variance[q] = row.Target[q].Sub(cum)
			if row.Target[q].IsPositive() {
				row.VariancePercent[q] = row.Variance[q].Mul(hundred).Div(row.Target[q]).Round(2)
			}
		}
		out = append(out, row)
	}
	return out, nil
}
