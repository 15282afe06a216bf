package budget

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Service keeps budgets and checks expenditure against them.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns a Service over pool; now is the clock (nil: time.Now).
func NewService(pool *pgxpool.Pool, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, now: now}
}

// Control is how a line treats spending beyond what is available.
type Control string

// The controls.
const (
	ControlNone  Control = "none"  // tracked, never checked
	ControlWarn  Control = "warn"  // committed, and flagged with the shortfall
	ControlBlock Control = "block" // refused (FailedPrecondition) with the shortfall
)

// ErrOverBudget is the Kind of the PreconditionError a block-mode line
// returns when spending exceeds what is available.
var ErrOverBudget = errors.New("budget exceeded")

// ErrNotAllowed is the Kind of a PreconditionError for a budget operation
// the rules forbid in the present state (a decided estimate, a cancelled
// commitment, a re-appropriation from capital to revenue).
var ErrNotAllowed = errors.New("not allowed by the budget rules")

// LineInput is a budget line to create.
type LineInput struct {
	FiscalYear   int
	HeadCode     string // a detailed head (7 digits) or a group: minor (5) or major (3)
	FunctionCode string
	FundCode     string
	Department   string // who holds the appropriation; a label, not a dimension of the ledger
	Name         string
	Control      Control
}

// Line is a budget line with its running totals.
type Line struct {
	ID           int64
	FiscalYear   int
	HeadCode     string
	FunctionCode string
	FundCode     string
	Department   string
	Name         string
	Control      Control
	// BE and RE as approved; HasRE once an RE for the line is approved.
	BE, RE         decimal.Decimal
	HasRE          bool
	Supplementary  decimal.Decimal
	Reappropriated decimal.Decimal // in less out
	Committed      decimal.Decimal // open commitments
	Actual         decimal.Decimal // expenditure charged
	CreatedBy      string
}

// Provision is the line's sanctioned provision before re-appropriation:
// the approved RE if there is one, else the BE, plus supplementary
// provisions (sanctioned on their own and kept out of the RE).
func (l Line) Provision() decimal.Decimal {
	base := l.BE
	if l.HasRE {
		base = l.RE
	}
	return base.Add(l.Supplementary)
}

// Available is what may still be spent or committed: the provision, plus
// net re-appropriations, less actual expenditure and open commitments.
func (l Line) Available() decimal.Decimal {
	return l.Provision().Add(l.Reappropriated).Sub(l.Actual).Sub(l.Committed)
}

// Label names the line in messages: "2301001/0400/01 (Street lighting power)".
func (l Line) Label() string {
	return fmt.Sprintf("line %d %s/%s/%s (%s)", l.ID, l.HeadCode, l.FunctionCode, l.FundCode, l.Name)
}

// Capital reports whether the line is a capital line. The rule: a line is
// capital when it spends on an asset head (first digit 4: 410 fixed
// assets, 412 capital work in progress, 460 loans and advances, ...) or
// sits in the capital and grant fund (02); every other line (an
// expenditure head, 2xx, outside fund 02) is revenue. Budget may move from
// revenue to capital, never from capital to revenue: money raised or
// granted for assets must not pay running costs.
func (l Line) Capital() bool {
	return isCapital(l.HeadCode, l.FundCode)
}

// capitalFund is the NMAM capital and grant fund.
const capitalFund = "02"

func isCapital(head, fund string) bool {
	return strings.HasPrefix(head, "4") || fund == capitalFund
}

func lineOf(r dbq.BudgetLine) Line {
	return Line{ID: r.ID, FiscalYear: int(r.FiscalYear), HeadCode: r.HeadCode, FunctionCode: r.FunctionCode, FundCode: r.FundCode,
		Department: r.Department, Name: r.Name, Control: Control(r.Control), BE: r.Be, RE: r.Re, HasRE: r.HasRe,
		Supplementary: r.Supplementary, Reappropriated: r.Reappropriated, Committed: r.Committed, Actual: r.Actual, CreatedBy: r.CreatedBy}
}

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

func refused(field string, format string, args ...any) error {
	return &ledger.PreconditionError{Field: field, Kind: ErrNotAllowed, Reason: fmt.Sprintf(format, args...)}
}

// validAmount checks a non-negative money amount.
func validAmount(field string, a decimal.Decimal, positive bool) *ledger.FieldViolation {
	switch {
	case a.IsNegative() || (positive && a.IsZero()):
		return &ledger.FieldViolation{Field: field, Rule: "must be positive"}
	case !a.Equal(a.Round(2)):
		return &ledger.FieldViolation{Field: field, Rule: "must have at most 2 decimals"}
	case a.GreaterThanOrEqual(decimal.New(1, 15)):
		return &ledger.FieldViolation{Field: field, Rule: "must be less than 10^15"}
	}
	return nil
}

// CreateLine adds a budget line. Its head must be an expenditure or asset
// head of the chart (a group covers every detailed head under it), and no
// two lines of a year on one function and fund may overlap (one head inside
// another's group): each rupee spent is charged to exactly one line.
func (s *Service) CreateLine(ctx context.Context, tenant, actor string, in LineInput) (Line, error) {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if in.FiscalYear < 2000 || in.FiscalYear > 2100 {
		bad("fiscal_year", "must be a year such as 2026 (for 2026-27)")
	}
	switch len(in.HeadCode) {
	case 3, 5, 7:
	default:
		bad("head_code", "must be a detailed head (7 digits) or a minor (5) or major (3) head")
	}
	if !strings.HasPrefix(in.HeadCode, "2") && !strings.HasPrefix(in.HeadCode, "4") {
		bad("head_code", "must be an expenditure (2xx) or asset (4xx) head: a budget line appropriates spending")
	}
	if in.FunctionCode == "" {
		bad("function_code", "is required")
	}
	if in.FundCode == "" {
		bad("fund_code", "is required")
	}
	if strings.TrimSpace(in.Name) == "" {
		bad("name", "is required")
	}
	switch in.Control {
	case ControlNone, ControlWarn, ControlBlock:
	default:
		bad("control", "must be none, warn or block")
	}
	if len(vs) > 0 {
		return Line{}, &ledger.ValidationError{Violations: vs}
	}
	var out Line
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := q.BudgetLineYearLock(ctx, dbq.BudgetLineYearLockParams{TenantID: tenant, FiscalYear: int32(in.FiscalYear)}); err != nil {
			return fmt.Errorf("lock year's lines: %w", err)
		}
		over, err := q.BudgetLineOverlapping(ctx, dbq.BudgetLineOverlappingParams{TenantID: tenant, FiscalYear: int32(in.FiscalYear),
			FunctionCode: in.FunctionCode, FundCode: in.FundCode, HeadCode: in.HeadCode})
		if err != nil {
			return fmt.Errorf("find overlapping lines: %w", err)
		}
		if len(over) > 0 {
			o := lineOf(over[0])
			if o.HeadCode == in.HeadCode {
				return &ledger.ExistsError{What: fmt.Sprintf("budget %s", o.Label())}
			}
			return invalid("head_code", "%s overlaps %s on the same function and fund: spending must fall to one line", in.HeadCode, o.Label())
		}
		row, err := q.BudgetLineInsert(ctx, dbq.BudgetLineInsertParams{TenantID: tenant, FiscalYear: int32(in.FiscalYear),
			HeadCode: in.HeadCode, FunctionCode: in.FunctionCode, FundCode: in.FundCode, Department: in.Department,
			Name: in.Name, Control: string(in.Control), CreatedBy: actor})
		if fk := db.ForeignKeyViolation(err); fk != "" {
			return invalid("line", "the head, function or fund is not in the tenant's chart (%s)", fk)
		}
		if err != nil {
			return fmt.Errorf("insert budget line: %w", err)
		}
		out = lineOf(row)
		return nil
	})
	return out, err
}

// Lines lists a year's lines in head order.
func (s *Service) Lines(ctx context.Context, tenant string, fiscalYear int) ([]Line, error) {
	var out []Line
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).BudgetLineList(ctx, dbq.BudgetLineListParams{TenantID: tenant, FiscalYear: int32(fiscalYear)})
		if err != nil {
			return fmt.Errorf("list budget lines: %w", err)
		}
		for _, r := range rows {
			out = append(out, lineOf(r))
		}
		return nil
	})
	return out, err
}

// lines reads lines by id, as they stand.
func (s *Service) lines(ctx context.Context, tenant string, ids []int64) (map[int64]Line, error) {
	out := map[int64]Line{}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).BudgetLineGetMany(ctx, dbq.BudgetLineGetManyParams{TenantID: tenant, Ids: ids})
		for _, r := range rows {
			out[r.ID] = lineOf(r)
		}
		return err
	})
	return out, err
}

// Line reads one line.
func (s *Service) Line(ctx context.Context, tenant string, id int64) (Line, error) {
	ls, err := s.lines(ctx, tenant, []int64{id})
	if err != nil {
		return Line{}, fmt.Errorf("read budget line: %w", err)
	}
	l, ok := ls[id]
	if !ok {
		return Line{}, &ledger.NotFoundError{What: fmt.Sprintf("budget line %d", id)}
	}
	return l, nil
}

// lockLines locks lines in id order and returns them by id; every id must
// exist.
func lockLines(ctx context.Context, q *dbq.Queries, tenant string, ids []int64) (map[int64]Line, error) {
	rows, err := q.BudgetLineLockMany(ctx, dbq.BudgetLineLockManyParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("lock budget lines: %w", err)
	}
	out := make(map[int64]Line, len(rows))
	for _, r := range rows {
		out[r.ID] = lineOf(r)
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			return nil, &ledger.NotFoundError{What: fmt.Sprintf("budget line %d", id)}
		}
	}
	return out, nil
}
