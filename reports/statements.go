package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/controls"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Service draws statements for every tenant.
type Service struct {
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	src      Sources           // the sub-ledgers behind some registers (WithSources)
	controls *controls.Service // see WithControls
}

// NewService returns a Service reading pool; l serves the drill to vouchers.
func NewService(pool *pgxpool.Pool, l *ledger.Ledger) *Service {
	return &Service{pool: pool, ledger: l}
}

// Amounts is a figure this year and the year before.
type Amounts struct {
	Current, Previous decimal.Decimal
}

func (a Amounts) add(b Amounts) Amounts {
	return Amounts{Current: a.Current.Add(b.Current), Previous: a.Previous.Add(b.Previous)}
}

func (a Amounts) sub(b Amounts) Amounts {
	return Amounts{Current: a.Current.Sub(b.Current), Previous: a.Previous.Sub(b.Previous)}
}

func (a Amounts) neg() Amounts { return Amounts{Current: a.Current.Neg(), Previous: a.Previous.Neg()} }

// IsZero reports whether both years are zero.
func (a Amounts) IsZero() bool { return a.Current.IsZero() && a.Previous.IsZero() }

// Equal reports whether both years agree, to the paisa.
func (a Amounts) Equal(b Amounts) bool {
	return a.Current.Equal(b.Current) && a.Previous.Equal(b.Previous)
}

// Figure is one line of a statement with what explains it: the schedules
// and the accounts that make it up.
type Figure struct {
	Label     string
	MajorHead string
	Schedules []string
	Accounts  []string
	Amounts
}

// ScheduleRow is one detailed head of a schedule, or a derived row (no
// AccountCode) whose DerivedFrom names the statement it comes from.
type ScheduleRow struct {
	AccountCode, AccountName string
	DerivedFrom              string
	Amounts
}

// Schedule explains one major head.
type Schedule struct {
	Code, MajorHead, Name string
	Rows                  []ScheduleRow
	Total                 Amounts
}

// accounts lists the account codes of a schedule's rows.
func (s *Schedule) accounts() []string {
	var out []string
	for _, r := range s.Rows {
		if r.AccountCode != "" {
			out = append(out, r.AccountCode)
		}
	}
	return out
}

// Request selects a statement: as of AsOf, the last day of a month in an
// opened fiscal year, or (AsOf zero) the end of FiscalYear; optionally one
// fund.
type Request struct {
	TenantID   string
	FiscalYear int
	AsOf       time.Time
	FundCode   string
}

// span is a Request resolved against the tenant's periods.
type span struct {
	tenant, ulbName, fund string
	fiscalYear, period    int
	yearStart, asOf       time.Time
}

func (s span) previousStart() time.Time { return s.yearStart.AddDate(-1, 0, 0) }
func (s span) previousEnd() time.Time   { return s.yearStart.AddDate(0, 0, -1) }

func invalid(field, rule string) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: rule}}}
}

// resolve finds the period a statement is drawn to. Statements read
// monthly balances, so they end on a month's last day: a date inside a
// month is refused rather than silently moved.
func resolve(ctx context.Context, q *dbq.Queries, r Request) (span, error) {
	asOf := r.AsOf
	if asOf.IsZero() {
		if r.FiscalYear == 0 {
			return span{}, invalid("as_of", "give as_of (a month end) or fiscal_year")
		}
		asOf = ledger.Date(r.FiscalYear+1, time.March, 31)
	}
	t, err := q.TenantGet(ctx, r.TenantID)
	if errors.Is(err, pgx.ErrNoRows) {
		return span{}, &ledger.NotFoundError{What: fmt.Sprintf("tenant %q", r.TenantID)}
	}
	if err != nil {
		return span{}, fmt.Errorf("read tenant: %w", err)
	}
	p, err := q.PeriodContaining(ctx, dbq.PeriodContainingParams{TenantID: r.TenantID, OnDate: asOf})
	if errors.Is(err, pgx.ErrNoRows) {
		return span{}, &ledger.PreconditionError{Field: "as_of", Kind: ledger.ErrYearNotOpen,
			Reason: fmt.Sprintf("no fiscal year is open for %s", asOf.Format(time.DateOnly))}
	}
	if err != nil {
		return span{}, fmt.Errorf("find period: %w", err)
	}
	if !asOf.Equal(p.EndsOn) {
		return span{}, invalid("as_of", fmt.Sprintf("statements are drawn from monthly balances: as_of must end a month (%s ends this one)",
			p.EndsOn.Format(time.DateOnly)))
	}
	if r.FiscalYear != 0 && r.FiscalYear != int(p.FiscalYear) {
		return span{}, invalid("fiscal_year", fmt.Sprintf("as_of %s falls in fiscal year %d", asOf.Format(time.DateOnly), p.FiscalYear))
	}
	return span{tenant: r.TenantID, ulbName: t.Name, fund: r.FundCode, fiscalYear: int(p.FiscalYear), period: int(p.Period),
		yearStart: ledger.Date(int(p.FiscalYear), time.April, 1), asOf: asOf}, nil
}

// balancesRead is what every statement is computed from: per account, its
// maintained balances summed four ways, and the chart's major heads.
type balancesRead struct {
	span
	rows   []dbq.BalanceStatementAccountsRow
	majors map[string]string
}

func (s *Service) readBalances(ctx context.Context, r Request) (balancesRead, error) {
	return s.readBalancesAnd(ctx, r, nil)
}

// readBalancesAnd is readBalances with more reads in the same snapshot.
func (s *Service) readBalancesAnd(ctx context.Context, r Request, more func(q *dbq.Queries, sp span) error) (balancesRead, error) {
	var out balancesRead
	err := db.ReadTenant(ctx, s.pool, db.Scope(r.TenantID), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		sp, err := resolve(ctx, q, r)
		if err != nil {
			return err
		}
		rows, err := q.BalanceStatementAccounts(ctx, dbq.BalanceStatementAccountsParams{TenantID: r.TenantID,
			FiscalYear: int32(sp.fiscalYear), PreviousYear: int32(sp.fiscalYear - 1), ThroughPeriod: int16(sp.period), FundCode: r.FundCode})
		if err != nil {
			return fmt.Errorf("read balances: %w", err)
		}
		majors, err := q.AccountMajorHeads(ctx, r.TenantID)
		if err != nil {
			return fmt.Errorf("read major heads: %w", err)
		}
		out = balancesRead{span: sp, rows: rows, majors: map[string]string{}}
		for _, m := range majors {
			out.majors[m.Code] = m.Name
		}
		if more != nil {
			return more(q, sp)
		}
		return nil
	})
	return out, err
}

// beforeClosing is an account's movement this year and the year before,
// debit positive, without the year-end closing vouchers (the close of
// income and expenditure to 3109000 and its transfer to the municipal
// fund, see package yearend): a closed year's income and expenditure still
// reads as it was earned and spent, not as zero.
func beforeClosing(r dbq.BalanceStatementAccountsRow) Amounts {
	return Amounts{Current: r.YearMovement.Sub(r.YearClosing), Previous: r.PreviousYearMovement.Sub(r.PreviousYearClosing)}
}

// scheduleName is the chart's name of a major head, or the statement label.
func (b balancesRead) scheduleName(h head) string {
	if n, ok := b.majors[h.Major]; ok {
		return n
	}
	return h.Label
}
