package reports

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/controls"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// WithControls gives s the audit controls, for GetAuditControls and the
// state table's audit status; it returns s.
func (s *Service) WithControls(c *controls.Service) *Service {
	s.controls = c
	return s
}

// StateRequest selects a state's consolidation: as of AsOf (a month end)
// or, AsOf zero, the end of FiscalYear; optionally one fund.
type StateRequest struct {
	StateCode  string
	FiscalYear int
	AsOf       time.Time
	FundCode   string
	// VerifyChains adds each ULB's hash chain to its audit status; the
	// chain re-hashes every voucher of the state, so it is opt-in.
	VerifyChains bool
}

// UlbFigures are one ULB's key figures in a state's table, for the fiscal
// year up to the consolidation's date.
type UlbFigures struct {
	TenantID, ULBName string
	// Demand is the year's debits to the 431 receivables (demand raised,
	// and reinstated); Collection the year's credits to them (collected,
	// rebated, remitted).
	Demand, Collection decimal.Decimal
	// Efficiency is Collection / Demand in percent, to two places; invalid
	// with no demand.
	Efficiency decimal.NullDecimal
	// Receivables is the 431 balance, CashAndBank the 450 balance.
	Receivables, CashAndBank decimal.Decimal
	// Surplus is the year's income less expenditure.
	Surplus decimal.Decimal
	// AuditStatus is controls.Quick's: the DCB, cash book, advances and
	// deposits ties, and the hash chain when the request asked for it.
	AuditStatus controls.Status
}

// StateConsolidation is a state's statements summed over its ULBs, laid
// out as one ULB's, with the ULBs' table.
type StateConsolidation struct {
	StateCode         string
	BalanceSheet      BalanceSheet
	IncomeExpenditure IncomeExpenditure
	ULBs              []UlbFigures
}

var stateCode = regexp.MustCompile(`^[a-z]{2}$`)

// stateWorkers is how many ULBs' audit status are checked at once.
const stateWorkers = 4

// StateConsolidation consolidates every tenant of r's state. Every ULB
// keeps the NMAM calendar (April to March, twelve monthly periods), so the
// date resolves without any one tenant's periods. The caller must already
// have checked the principal's scope covers the state: this reads under
// db.Scope("<state>.*").
func (s *Service) StateConsolidation(ctx context.Context, r StateRequest) (StateConsolidation, error) {
	if !stateCode.MatchString(r.StateCode) {
		return StateConsolidation{}, invalid("state_code", "must be a state's two lower-case letters, e.g. uk")
	}
	sp, err := resolveState(r)
	if err != nil {
		return StateConsolidation{}, err
	}
	pattern := r.StateCode + ".%"
	var (
		rows    []dbq.StateBalanceStatementAccountsRow
		majors  []dbq.StateMajorHeadsRow
		figures []dbq.StateUlbFiguresRow
	)
	err = db.ReadTenant(ctx, s.pool, db.Scope(r.StateCode+".*"), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if rows, err = q.StateBalanceStatementAccounts(ctx, dbq.StateBalanceStatementAccountsParams{TenantPattern: pattern,
			FiscalYear: int32(sp.fiscalYear), PreviousYear: int32(sp.fiscalYear - 1), ThroughPeriod: int16(sp.period), FundCode: r.FundCode}); err != nil {
			return fmt.Errorf("read state balances: %w", err)
		}
		if majors, err = q.StateMajorHeads(ctx, pattern); err != nil {
			return fmt.Errorf("read state major heads: %w", err)
		}
		if figures, err = q.StateUlbFigures(ctx, dbq.StateUlbFiguresParams{TenantPattern: pattern,
			FiscalYear: int32(sp.fiscalYear), ThroughPeriod: int16(sp.period)}); err != nil {
			return fmt.Errorf("read ULB figures: %w", err)
		}
		return nil
	})
	if err != nil {
		return StateConsolidation{}, err
	}
	if len(figures) == 0 {
		return StateConsolidation{}, &ledger.NotFoundError{What: fmt.Sprintf("ULBs of state %q", r.StateCode)}
	}
	sp.ulbName = fmt.Sprintf("%d ULBs of state %s (consolidated)", len(figures), r.StateCode)
	b := balancesRead{span: sp, majors: map[string]string{}}
	for _, row := range rows {
		b.rows = append(b.rows, dbq.BalanceStatementAccountsRow(row))
	}
	for _, m := range majors {
		b.majors[m.Code] = m.Name
	}
	out := StateConsolidation{StateCode: r.StateCode}
	if out.BalanceSheet, err = buildBalanceSheet(b); err != nil {
		return StateConsolidation{}, err
	}
	if out.IncomeExpenditure, err = buildIncomeExpenditure(b); err != nil {
		return StateConsolidation{}, err
	}
	hundred := decimal.NewFromInt(100)
	for _, f := range figures {
		u := UlbFigures{TenantID: f.TenantID, ULBName: f.UlbName, Demand: f.Demand, Collection: f.Collection,
			Receivables: f.Receivables, CashAndBank: f.CashAndBank, Surplus: f.Surplus}
		if f.Demand.IsPositive() {
			u.Efficiency = decimal.NewNullDecimal(f.Collection.Mul(hundred).DivRound(f.Demand, 2))
		}
		out.ULBs = append(out.ULBs, u)
	}
	if err := s.auditStatuses(ctx, out.ULBs, r.VerifyChains); err != nil {
		return StateConsolidation{}, err
	}
	return out, nil
}

// auditStatuses fills each ULB's audit status, a few ULBs at a time.
func (s *Service) auditStatuses(ctx context.Context, ulbs []UlbFigures, verifyChains bool) error {
	if s.controls == nil {
		return fmt.Errorf("reports: no audit controls configured (WithControls)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make([]error, len(ulbs))
	var wg sync.WaitGroup
	for range min(stateWorkers, len(ulbs)) {
		wg.Go(func() {
			for i := range next {
				st, err := s.controls.Quick(ctx, ulbs[i].TenantID, verifyChains)
				if err != nil {
					errs[i] = fmt.Errorf("audit status of %s: %w", ulbs[i].TenantID, err)
					cancel()
					continue
				}
				ulbs[i].AuditStatus = st
			}
		})
	}
feed:
	for i := range ulbs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// resolveState resolves a state request's date on the NMAM calendar. A
// date inside a month is refused, as for one ULB's statements.
func resolveState(r StateRequest) (span, error) {
	asOf := r.AsOf
	if asOf.IsZero() {
		if r.FiscalYear == 0 {
			return span{}, invalid("as_of", "give as_of (a month end) or fiscal_year")
		}
		asOf = ledger.Date(r.FiscalYear+1, time.March, 31)
	}
	monthEnd := ledger.Date(asOf.Year(), asOf.Month()+1, 0)
	if !asOf.Equal(monthEnd) {
		return span{}, invalid("as_of", fmt.Sprintf("statements are drawn from monthly balances: as_of must end a month (%s ends this one)",
			monthEnd.Format(time.DateOnly)))
	}
	fy := asOf.Year()
	if asOf.Month() < time.April {
		fy--
	}
	if r.FiscalYear != 0 && r.FiscalYear != fy {
		return span{}, invalid("fiscal_year", fmt.Sprintf("as_of %s falls in fiscal year %d", asOf.Format(time.DateOnly), fy))
	}
	period := (int(asOf.Month())+8)%12 + 1
	return span{tenant: r.StateCode + ".*", fund: r.FundCode, fiscalYear: fy, period: period,
		yearStart: ledger.Date(fy, time.April, 1), asOf: asOf}, nil
}
