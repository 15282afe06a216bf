package reports

import (
	"context"
	"fmt"
	"regexp"
	"slices"
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
// have checked the principal's scope covers the state.
//
// The state's tenants are listed under db.Scope("<state>.*"); each ULB's
// balances, key figures and audit status are then read under its own
// scope, a few ULBs at a time, and the balances summed here per account.
// One query over the whole state's balances would make row-level security
// test the wider scope on every balance row (munim_visible, string work
// per row), which measured over ten seconds for a hundred ULBs; a
// single-tenant scope passes the policy's cheap first test instead.
func (s *Service) StateConsolidation(ctx context.Context, r StateRequest) (StateConsolidation, error) {
	if !stateCode.MatchString(r.StateCode) {
		return StateConsolidation{}, invalid("state_code", "must be a state's two lower-case letters, e.g. uk")
	}
	sp, err := resolveState(r)
	if err != nil {
		return StateConsolidation{}, err
	}
	if s.controls == nil {
		return StateConsolidation{}, fmt.Errorf("reports: no audit controls configured (WithControls)")
	}
	var tenants []dbq.TenantsOfStateRow
	err = db.ReadTenant(ctx, s.pool, db.Scope(r.StateCode+".*"), func(tx pgx.Tx) error {
		var err error
		tenants, err = dbq.New(tx).TenantsOfState(ctx, r.StateCode+".%")
		return err
	})
	if err != nil {
		return StateConsolidation{}, fmt.Errorf("list the state's ULBs: %w", err)
	}
	if len(tenants) == 0 {
		return StateConsolidation{}, &ledger.NotFoundError{What: fmt.Sprintf("ULBs of state %q", r.StateCode)}
	}
	ulbs := make([]ulbRead, len(tenants))
	err = eachULB(ctx, len(tenants), func(ctx context.Context, i int) error {
		u, err := s.readULB(ctx, tenants[i].TenantID, sp, r)
		ulbs[i] = u
		return err
	})
	if err != nil {
		return StateConsolidation{}, err
	}

	sp.ulbName = fmt.Sprintf("%d ULBs of state %s (consolidated)", len(tenants), r.StateCode)
	b := balancesRead{span: sp, majors: map[string]string{}}
	sums := map[string]*dbq.BalanceStatementAccountsRow{}
	out := StateConsolidation{StateCode: r.StateCode}
	hundred := decimal.NewFromInt(100)
	for _, u := range ulbs {
		for _, row := range u.rows {
			acc, ok := sums[row.AccountCode]
			if !ok {
				acc = &dbq.BalanceStatementAccountsRow{AccountCode: row.AccountCode, AccountName: row.AccountName}
				sums[row.AccountCode] = acc
			}
			acc.Closing = acc.Closing.Add(row.Closing)
			acc.YearMovement = acc.YearMovement.Add(row.YearMovement)
			acc.PreviousClosing = acc.PreviousClosing.Add(row.PreviousClosing)
			acc.PreviousYearMovement = acc.PreviousYearMovement.Add(row.PreviousYearMovement)
			acc.YearClosing = acc.YearClosing.Add(row.YearClosing)
			acc.PreviousYearClosing = acc.PreviousYearClosing.Add(row.PreviousYearClosing)
		}
		for code, name := range u.majors {
			if _, ok := b.majors[code]; !ok {
				b.majors[code] = name
			}
		}
		f := u.figures
		fig := UlbFigures{TenantID: f.TenantID, ULBName: f.UlbName, Demand: f.Demand, Collection: f.Collection,
			Receivables: f.Receivables, CashAndBank: f.CashAndBank, Surplus: surplusOf(u.rows), AuditStatus: u.status}
		if f.Demand.IsPositive() {
			fig.Efficiency = decimal.NewNullDecimal(f.Collection.Mul(hundred).DivRound(f.Demand, 2))
		}
		out.ULBs = append(out.ULBs, fig)
	}
	codes := make([]string, 0, len(sums))
	for c := range sums {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		b.rows = append(b.rows, *sums[c])
	}
	if out.BalanceSheet, err = buildBalanceSheet(b); err != nil {
		return StateConsolidation{}, err
	}
	if out.IncomeExpenditure, err = buildIncomeExpenditure(b); err != nil {
		return StateConsolidation{}, err
	}
	return out, nil
}

// surplusOf is the year's income less expenditure of a ULB's balances,
// its closing vouchers left out (a closed year still shows its surplus).
func surplusOf(rows []dbq.BalanceStatementAccountsRow) decimal.Decimal {
	s := decimal.Zero
	for _, r := range rows {
		if c := r.AccountCode[0]; c == '1' || c == '2' {
			s = s.Sub(beforeClosing(r).Current)
		}
	}
	return s
}

// ulbRead is what a state's consolidation reads of one ULB.
type ulbRead struct {
	rows    []dbq.BalanceStatementAccountsRow
	majors  map[string]string
	figures dbq.TenantKeyFiguresRow
	status  controls.Status
}

// readULB reads one ULB's balances, major heads and key figures in one
// snapshot under its own scope, then its quick audit status.
func (s *Service) readULB(ctx context.Context, tenant string, sp span, r StateRequest) (ulbRead, error) {
	out := ulbRead{majors: map[string]string{}}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var err error
		if out.rows, err = q.BalanceStatementAccounts(ctx, dbq.BalanceStatementAccountsParams{TenantID: tenant,
			FiscalYear: int32(sp.fiscalYear), PreviousYear: int32(sp.fiscalYear - 1), ThroughPeriod: int16(sp.period), FundCode: r.FundCode}); err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		majors, err := q.AccountMajorHeads(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read major heads: %w", err)
		}
		for _, m := range majors {
			out.majors[m.Code] = m.Name
		}
		if out.figures, err = q.TenantKeyFigures(ctx, dbq.TenantKeyFiguresParams{TenantID: tenant,
			FiscalYear: int32(sp.fiscalYear), ThroughPeriod: int16(sp.period)}); err != nil {
			return fmt.Errorf("read key figures: %w", err)
		}
		return nil
	})
	if err != nil {
		return ulbRead{}, fmt.Errorf("%s: %w", tenant, err)
	}
	if out.status, err = s.controls.Quick(ctx, tenant, r.VerifyChains); err != nil {
		return ulbRead{}, fmt.Errorf("audit status of %s: %w", tenant, err)
	}
	return out, nil
}

// eachULB runs fn for 0..n-1, stateWorkers at a time, stopping at the
// first error.
func eachULB(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for range min(stateWorkers, n) {
		wg.Go(func() {
			for i := range next {
				if errs[i] = fn(ctx, i); errs[i] != nil {
					cancel()
				}
			}
		})
	}
feed:
	for i := range n {
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
