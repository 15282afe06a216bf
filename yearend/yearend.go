package yearend

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The heads of the close (NMAM; 3109000 is a Munim addition to the chart).
const (
	SurplusAccount       = "3109000" // excess of income over expenditure
	MunicipalFundAccount = "3101001" // general fund - revenue transfers
)

// ErrYearState is the Kind of a PreconditionError for a close or reopening
// the year's state forbids: already closed, not closed, an earlier year
// still open, drafts waiting, a later year closed.
var ErrYearState = errors.New("fiscal year not in a state that allows it")

// Service closes and reopens fiscal years for every tenant.
type Service struct {
	pool   *pgxpool.Pool
	ledger *ledger.Ledger
}

// NewService returns a Service over pool, posting through l.
func NewService(pool *pgxpool.Pool, l *ledger.Ledger) *Service {
	return &Service{pool: pool, ledger: l}
}

// Closing is the result of a close.
type Closing struct {
	FiscalYear int
	Attempt    int
	// Vouchers are the closing vouchers, in posting order (none when the
	// year had no income or expenditure).
	Vouchers []ledger.Posted
	// SurplusByFund is the excess of income over expenditure carried to
	// the municipal fund, per fund code (negative: a deficit).
	SurplusByFund map[string]decimal.Decimal
	Surplus       decimal.Decimal
	ClosedBy      string
	// NextYearOpened reports whether the close opened fiscal year + 1.
	NextYearOpened bool
	// Provisions is the provisions run the close made first.
	Provisions ProvisionRun
	// ArrearsMoved is what the year's demands left unpaid on property tax,
	// moved to arrears (4311001 to 4311004) by ArrearsVouchers; zero when
	// an earlier close of the year moved it.
	ArrearsMoved    decimal.Decimal
	ArrearsVouchers []ledger.Posted
}

// Reopening is the result of reopening a closed year.
type Reopening struct {
	FiscalYear int
	Attempt    int
	// Reversals are the vouchers that reverse the close's vouchers.
	Reversals []ledger.Posted
}

// Event is one entry of a year's close-and-reopen trail.
type Event struct {
	Attempt int
	Action  string // close or reopen
	Actor   string
	Reason  string
	At      time.Time
}

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

func refused(format string, args ...any) error {
	return &ledger.PreconditionError{Field: "fiscal_year", Kind: ErrYearState, Reason: fmt.Sprintf(format, args...)}
}

func checkYear(fy int) error {
	if fy < 2000 || fy > 2100 {
		return invalid("fiscal_year", "must be between 2000 and 2100")
	}
	return nil
}

// lockYear locks fiscal year fy of tenant, or says it was never opened.
// It takes the tenant's chain head first, as every posting transaction
// does: the close then changes periods and posts in the ledger's lock
// order (chain head, then periods), so it cannot deadlock with a posting.
func lockYear(ctx context.Context, q *dbq.Queries, tenant string, fy int) error {
	_, err := q.ChainHeadLock(ctx, tenant)
	if errors.Is(err, pgx.ErrNoRows) {
		return &ledger.NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
	}
	if err != nil {
		return fmt.Errorf("lock chain head: %w", err)
	}
	_, err = q.YearClosingFiscalYearLock(ctx, dbq.YearClosingFiscalYearLockParams{TenantID: tenant, FiscalYear: int32(fy)})
	if errors.Is(err, pgx.ErrNoRows) {
		return &ledger.NotFoundError{What: fmt.Sprintf("fiscal year %s of tenant %q", ledger.FiscalYearLabel(fy), tenant)}
	}
	if err != nil {
		return fmt.Errorf("lock fiscal year: %w", err)
	}
	return nil
}

// CloseYear closes fiscal year fy of tenant in one transaction: the
// provisions run (RunProvisions) adjusts the provision for doubtful
// receivables; a journal voucher dated 31 March brings every income and expenditure head's
// balance, per fund and function, to zero against 3109000; a second moves
// 3109000 to the municipal fund (3101001); every period of the year is
// closed (each with its period event), the close and its vouchers are
// recorded, and fiscal year fy+1 is opened if it is not.
func (s *Service) CloseYear(ctx context.Context, tenant string, fy int, actor string) (Closing, error) {
	var out Closing
	err := s.inYear(ctx, tenant, fy, actor, func(tx pgx.Tx, _ *dbq.Queries) error {
		var err error
		out, err = s.closeTx(ctx, tx, tenant, fy, actor)
		return err
	})
	return out, err
}

// inYear checks fy and actor, then runs fn in one transaction of tenant's
// that holds fiscal year fy's lock (lockYear): the close, the reopening and
// the provisions run each change the year under it.
func (s *Service) inYear(ctx context.Context, tenant string, fy int, actor string, fn func(tx pgx.Tx, q *dbq.Queries) error) error {
	if err := checkYear(fy); err != nil {
		return err
	}
	if strings.TrimSpace(actor) == "" {
		return invalid("actor", "is required")
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := lockYear(ctx, q, tenant, fy); err != nil {
			return err
		}
		return fn(tx, q)
	})
}

// closeTx closes fy in tx, which holds the year's lock.
func (s *Service) closeTx(ctx context.Context, tx pgx.Tx, tenant string, fy int, actor string) (Closing, error) {
	q := dbq.New(tx)
	label := ledger.FiscalYearLabel(fy)
	standing, err := q.YearClosingStanding(ctx, dbq.YearClosingStandingParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return Closing{}, fmt.Errorf("read close: %w", err)
	}
	if len(standing) > 0 {
		c := standing[0]
		return Closing{}, refused("%s is already closed (by %s on %s); reopen it first", label, c.ClosedBy, c.ClosedAt.Format(time.DateOnly))
	}
	earlier, err := q.YearClosingEarliestOpenBefore(ctx, dbq.YearClosingEarliestOpenBeforeParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return Closing{}, fmt.Errorf("read earlier years: %w", err)
	}
	if len(earlier) > 0 {
		return Closing{}, refused("%s is not closed yet: close the earlier year first", ledger.FiscalYearLabel(int(earlier[0])))
	}
	yearStart, yearEnd := ledger.Date(fy, time.April, 1), ledger.Date(fy+1, time.March, 31)
	drafts, err := q.YearClosingPendingDrafts(ctx, dbq.YearClosingPendingDraftsParams{TenantID: tenant, FromDate: yearStart, ToDate: yearEnd})
	if err != nil {
		return Closing{}, fmt.Errorf("count drafts: %w", err)
	}
	if drafts > 0 {
		return Closing{}, refused("%d journal voucher draft(s) dated in %s wait for approval or rejection", drafts, label)
	}
	attempt, err := q.YearClosingNextAttempt(ctx, dbq.YearClosingNextAttemptParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return Closing{}, fmt.Errorf("number the close: %w", err)
	}
	out := Closing{FiscalYear: fy, Attempt: int(attempt), ClosedBy: actor, SurplusByFund: map[string]decimal.Decimal{}}

	// The closing vouchers go into March. The accountant may have closed
	// March already: it is opened for them and closed again in this
	// transaction, so nobody else posts in between, and its period trail
	// keeps the accountant's close as the one that counts.
	march, err := q.PeriodGetForUpdate(ctx, dbq.PeriodGetForUpdateParams{TenantID: tenant, FiscalYear: int32(fy), Period: 12})
	if err != nil {
		return Closing{}, fmt.Errorf("lock March: %w", err)
	}
	if march.Closed {
		if err := q.PeriodSetClosed(ctx, dbq.PeriodSetClosedParams{TenantID: tenant, FiscalYear: int32(fy), Period: 12, Closed: false}); err != nil {
			return Closing{}, fmt.Errorf("open March for the close: %w", err)
		}
	}
	// The provision for doubtful receivables is the year's expense: it
	// goes in before income and expenditure is closed.
	if out.Provisions, err = s.provisionsTx(ctx, tx, tenant, fy, actor); err != nil {
		return Closing{}, err
	}
	if out.ArrearsMoved, out.ArrearsVouchers, err = s.moveToArrearsTx(ctx, tx, tenant, fy, actor); err != nil {
		return Closing{}, err
	}
	rows, err := q.YearClosingIncomeExpenditureBalances(ctx, dbq.YearClosingIncomeExpenditureBalancesParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return Closing{}, fmt.Errorf("read income and expenditure: %w", err)
	}
	closeIE, transfer := closingVouchers(rows, fy, int(attempt), yearEnd)
	for _, r := range rows {
		out.SurplusByFund[r.FundCode] = out.SurplusByFund[r.FundCode].Sub(r.Balance)
		out.Surplus = out.Surplus.Sub(r.Balance)
	}
	if err := q.YearClosingInsert(ctx, dbq.YearClosingInsertParams{TenantID: tenant, FiscalYear: int32(fy), Attempt: attempt,
		ClosedBy: actor, Surplus: out.Surplus}); err != nil {
		return Closing{}, fmt.Errorf("record close: %w", err)
	}
	purposes := []string{"close_income_expenditure", "transfer_to_fund"}
	for i, v := range []*ledger.Voucher{closeIE, transfer} {
		if v == nil {
			continue
		}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{*v})
		if err != nil {
			return Closing{}, fmt.Errorf("post %s: %w", purposes[i], err)
		}
		if err := q.YearClosingVoucherInsert(ctx, dbq.YearClosingVoucherInsertParams{TenantID: tenant, VoucherID: posted[0].ID,
			FiscalYear: int32(fy), Attempt: attempt, Purpose: purposes[i], Closing: true}); err != nil {
			return Closing{}, fmt.Errorf("record closing voucher: %w", err)
		}
		out.Vouchers = append(out.Vouchers, posted[0])
	}
	reason := fmt.Sprintf("year-end close of %s", label)
	var silent []int16
	if march.Closed {
		silent = []int16{12}
	}
	if err := setPeriods(ctx, q, tenant, fy, true, actor, reason, silent...); err != nil {
		return Closing{}, err
	}
	if err := q.YearEventInsert(ctx, dbq.YearEventInsertParams{TenantID: tenant, FiscalYear: int32(fy), Attempt: attempt,
		Action: "close", Actor: actor, Reason: reason}); err != nil {
		return Closing{}, fmt.Errorf("record year event: %w", err)
	}
	next, err := q.YearClosingFiscalYearExists(ctx, dbq.YearClosingFiscalYearExistsParams{TenantID: tenant, FiscalYear: int32(fy + 1)})
	if err != nil {
		return Closing{}, fmt.Errorf("look up next year: %w", err)
	}
	if !next {
		if _, err := ledger.OpenFiscalYearTx(ctx, tx, tenant, fy+1, actor); err != nil {
			return Closing{}, fmt.Errorf("open next year: %w", err)
		}
		out.NextYearOpened = true
	}
	return out, nil
}

// setPeriods closes (or reopens) every period of fy not so already, with a
// period event for each but the silent ones.
func setPeriods(ctx context.Context, q *dbq.Queries, tenant string, fy int, closed bool, actor, reason string, silent ...int16) error {
	changed, err := q.YearClosingPeriodsSet(ctx, dbq.YearClosingPeriodsSetParams{TenantID: tenant, FiscalYear: int32(fy), Closed: closed})
	if err != nil {
		return fmt.Errorf("set periods: %w", err)
	}
	slices.Sort(changed)
	action := map[bool]string{true: "close", false: "reopen"}[closed]
	for _, p := range changed {
		if slices.Contains(silent, p) {
			continue
		}
		if _, err := q.PeriodEventInsert(ctx, dbq.PeriodEventInsertParams{TenantID: tenant, FiscalYear: int32(fy), Period: p,
			Action: action, Actor: actor, Reason: reason}); err != nil {
			return fmt.Errorf("record period event: %w", err)
		}
	}
	return nil
}

// closingVouchers builds the close of rows (each head's balance per fund
// and function, debit positive): the first voucher zeroes every head
// against 3109000 per fund and function, the second moves 3109000 to the
// municipal fund likewise. Either is nil when it would have no amount.
func closingVouchers(rows []dbq.YearClosingIncomeExpenditureBalancesRow, fy, attempt int, on time.Time) (*ledger.Voucher, *ledger.Voucher) {
	type dim struct{ fund, function string }
	net := map[dim]decimal.Decimal{}
	var dims []dim
	label := ledger.FiscalYearLabel(fy)
	key := fmt.Sprintf("yearend:%d:%d:", fy, attempt)
	closeIE := &ledger.Voucher{Type: ledger.Journal, Date: on, IdempotencyKey: key + "close", SourceRef: "YEAR-CLOSE/" + label,
		Narration: fmt.Sprintf("Year-end close of %s: income and expenditure to excess of income over expenditure", label)}
	for _, r := range rows {
		d := dim{r.FundCode, r.FunctionCode}
		if _, ok := net[d]; !ok {
			dims = append(dims, d)
		}
		net[d] = net[d].Add(r.Balance)
		closeIE.Lines = append(closeIE.Lines, side(ledger.Line{AccountCode: r.AccountCode, FundCode: r.FundCode, FunctionCode: r.FunctionCode}, r.Balance.Neg()))
	}
	slices.SortFunc(dims, func(a, b dim) int { return strings.Compare(a.fund+a.function, b.fund+b.function) })
	transfer := &ledger.Voucher{Type: ledger.Journal, Date: on, IdempotencyKey: key + "transfer", SourceRef: "YEAR-CLOSE/" + label,
		Narration: fmt.Sprintf("Year-end close of %s: excess of income over expenditure to the municipal fund", label)}
	for _, d := range dims {
		n := net[d] // debit positive: a deficit
		if n.IsZero() {
			continue
		}
		closeIE.Lines = append(closeIE.Lines, side(ledger.Line{AccountCode: SurplusAccount, FundCode: d.fund, FunctionCode: d.function}, n))
		transfer.Lines = append(transfer.Lines,
			side(ledger.Line{AccountCode: SurplusAccount, FundCode: d.fund, FunctionCode: d.function}, n.Neg()),
			side(ledger.Line{AccountCode: MunicipalFundAccount, FundCode: d.fund, FunctionCode: d.function}, n))
	}
	if len(closeIE.Lines) < 2 {
		closeIE = nil
	}
	if len(transfer.Lines) < 2 {
		transfer = nil
	}
	return closeIE, transfer
}

// side puts amount (debit positive) on the line's debit or credit.
func side(l ledger.Line, amount decimal.Decimal) ledger.Line {
	if amount.IsNegative() {
		l.Credit = amount.Neg()
	} else {
		l.Debit = amount
	}
	return l
}

// ReopenYear reopens closed fiscal year fy of tenant: it reverses the
// close's vouchers (dated 31 March, like them), reopens the year's
// periods, marks the close reopened and records who did it and why. A year
// whose next year is closed must wait until that one is reopened. The
// caller checks the actor may do so (the approver, PermYearClose).
func (s *Service) ReopenYear(ctx context.Context, tenant string, fy int, actor, reason string) (Reopening, error) {
	if strings.TrimSpace(reason) == "" {
		return Reopening{}, invalid("reason", "is required: say why the closed year is reopened")
	}
	var out Reopening
	err := s.inYear(ctx, tenant, fy, actor, func(tx pgx.Tx, q *dbq.Queries) error {
		label := ledger.FiscalYearLabel(fy)
		standing, err := q.YearClosingStanding(ctx, dbq.YearClosingStandingParams{TenantID: tenant, FiscalYear: int32(fy)})
		if err != nil {
			return fmt.Errorf("read close: %w", err)
		}
		if len(standing) == 0 {
			return refused("%s is not closed", label)
		}
		later, err := q.YearClosingStanding(ctx, dbq.YearClosingStandingParams{TenantID: tenant, FiscalYear: int32(fy + 1)})
		if err != nil {
			return fmt.Errorf("read next close: %w", err)
		}
		if len(later) > 0 {
			return refused("%s is closed: reopen it before %s", ledger.FiscalYearLabel(fy+1), label)
		}
		c := standing[0]
		out = Reopening{FiscalYear: fy, Attempt: int(c.Attempt)}
		why := fmt.Sprintf("reopening of %s: %s", label, reason)
		if err := setPeriods(ctx, q, tenant, fy, false, actor, why); err != nil {
			return err
		}
		vouchers, err := q.YearClosingVouchers(ctx, dbq.YearClosingVouchersParams{TenantID: tenant, FiscalYear: int32(fy), Attempt: c.Attempt})
		if err != nil {
			return fmt.Errorf("read closing vouchers: %w", err)
		}
		yearEnd := ledger.Date(fy+1, time.March, 31)
		// Undo in the reverse order of posting: the transfer, then the close.
		for i := len(vouchers) - 1; i >= 0; i-- {
			v := vouchers[i]
			key := fmt.Sprintf("yearend:%d:%d:reverse:%d", fy, c.Attempt, v.VoucherID)
			rev, err := s.ledger.ReverseTx(ctx, tx, tenant, actor, v.VoucherID, yearEnd, why, key)
			if err != nil {
				return fmt.Errorf("reverse closing voucher %d: %w", v.VoucherID, err)
			}
			if err := q.YearClosingVoucherInsert(ctx, dbq.YearClosingVoucherInsertParams{TenantID: tenant, VoucherID: rev.ID,
				FiscalYear: int32(fy), Attempt: c.Attempt, Purpose: "reversal", Closing: true}); err != nil {
				return fmt.Errorf("record reversal: %w", err)
			}
			out.Reversals = append(out.Reversals, rev)
		}
		if err := q.YearClosingSetReopened(ctx, dbq.YearClosingSetReopenedParams{TenantID: tenant, FiscalYear: int32(fy), Attempt: c.Attempt,
			ReopenedBy: pgtype.Text{String: actor, Valid: true}, ReopenReason: reason}); err != nil {
			return fmt.Errorf("mark close reopened: %w", err)
		}
		if err := q.YearEventInsert(ctx, dbq.YearEventInsertParams{TenantID: tenant, FiscalYear: int32(fy), Attempt: c.Attempt,
			Action: "reopen", Actor: actor, Reason: reason}); err != nil {
			return fmt.Errorf("record year event: %w", err)
		}
		return nil
	})
	return out, err
}

// Events lists the closes and reopenings of fiscal year fy, oldest first.
func (s *Service) Events(ctx context.Context, tenant string, fy int) ([]Event, error) {
	var out []Event
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).YearEventList(ctx, dbq.YearEventListParams{TenantID: tenant, FiscalYear: int32(fy)})
		if err != nil {
			return fmt.Errorf("read year events: %w", err)
		}
		for _, r := range rows {
			out = append(out, Event{Attempt: int(r.Attempt), Action: r.Action, Actor: r.Actor, Reason: r.Reason, At: r.At})
		}
		return nil
	})
	return out, err
}

// Closed reports whether fiscal year fy of tenant has a standing close.
func (s *Service) Closed(ctx context.Context, tenant string, fy int) (bool, error) {
	var closed bool
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).YearClosingStanding(ctx, dbq.YearClosingStandingParams{TenantID: tenant, FiscalYear: int32(fy)})
		closed = len(rows) > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read close: %w", err)
	}
	return closed, nil
}
