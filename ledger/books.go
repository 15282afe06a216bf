package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
)

// TrialBalanceRow is one account of a trial balance. Balances are signed,
// debit positive.
type TrialBalanceRow struct {
	AccountCode, AccountName string
	Opening, Debit, Credit   decimal.Decimal
	Closing                  decimal.Decimal
}

// TrialBalance is every account with a balance or a movement in the year.
type TrialBalance struct {
	FiscalYear                            int
	AsOf                                  time.Time
	Rows                                  []TrialBalanceRow
	TotalDebit, TotalCredit               decimal.Decimal
	TotalClosingDebit, TotalClosingCredit decimal.Decimal
}

// Balanced reports whether the movements and the closing balances each
// total to zero, as double entry guarantees.
func (tb *TrialBalance) Balanced() bool {
	return tb.TotalDebit.Equal(tb.TotalCredit) && tb.TotalClosingDebit.Equal(tb.TotalClosingCredit)
}

// TrialBalance returns the trial balance as of a date, optionally for one
// fund: per account, the balance brought forward to the start of the fiscal
// year containing asOf, the year's debits and credits up to asOf, and the
// closing balance. Whole periods are read from the maintained balances; only
// the days of asOf's own month up to asOf are read from lines.
func (l *Ledger) TrialBalance(ctx context.Context, tenant string, asOf time.Time, fund string) (TrialBalance, error) {
	var tb TrialBalance
	err := l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		var err error
		tb, err = trialBalance(ctx, q, tenant, asOf, fund)
		return err
	})
	return tb, err
}

func trialBalance(ctx context.Context, q *dbq.Queries, tenant string, asOf time.Time, fund string) (TrialBalance, error) {
	p, err := q.PeriodContaining(ctx, dbq.PeriodContainingParams{TenantID: tenant, OnDate: asOf})
	if errors.Is(err, pgx.ErrNoRows) {
		return TrialBalance{}, &PreconditionError{Field: "as_of", Kind: ErrYearNotOpen,
			Reason: fmt.Sprintf("no fiscal year is open for %s", asOf.Format(time.DateOnly))}
	}
	if err != nil {
		return TrialBalance{}, fmt.Errorf("find period: %w", err)
	}
	arg := dbq.BalanceTrialParams{TenantID: tenant, FiscalYear: p.FiscalYear, ThroughPeriod: p.Period, FundCode: fund,
		// An empty range: no lines to add when asOf closes its period.
		LinesFrom: p.EndsOn.AddDate(0, 0, 1), LinesTo: p.EndsOn}
	if asOf.Before(p.EndsOn) {
		arg.ThroughPeriod = p.Period - 1
		arg.LinesFrom, arg.LinesTo = p.StartsOn, asOf
	}
	rows, err := q.BalanceTrial(ctx, arg)
	if err != nil {
		return TrialBalance{}, fmt.Errorf("trial balance: %w", err)
	}
	tb := TrialBalance{FiscalYear: int(p.FiscalYear), AsOf: asOf}
	for _, r := range rows {
		row := TrialBalanceRow{AccountCode: r.AccountCode, AccountName: r.AccountName,
			Opening: r.Opening, Debit: r.Debit, Credit: r.Credit}
		row.Closing = r.Opening.Add(r.Debit).Sub(r.Credit)
		if row.Opening.IsZero() && row.Debit.IsZero() && row.Credit.IsZero() {
			continue
		}
		tb.Rows = append(tb.Rows, row)
		tb.TotalDebit = tb.TotalDebit.Add(r.Debit)
		tb.TotalCredit = tb.TotalCredit.Add(r.Credit)
		if row.Closing.IsPositive() {
			tb.TotalClosingDebit = tb.TotalClosingDebit.Add(row.Closing)
		} else {
			tb.TotalClosingCredit = tb.TotalClosingCredit.Sub(row.Closing)
		}
	}
	return tb, nil
}

// StatementLine is one posting in an account statement.
type StatementLine struct {
	Date          time.Time
	VoucherID     int64
	VoucherNumber string
	LineNo        int
	Narration     string
	FundCode      string
	FunctionCode  string
	FieldCode     string
	Party         string
	Debit, Credit decimal.Decimal
	Balance       decimal.Decimal
}

// Statement is one page of an account's general ledger.
type Statement struct {
	AccountCode, AccountName string
	Opening                  decimal.Decimal
	Lines                    []StatementLine
	// Closing is set on the last page only.
	Closing       decimal.Decimal
	NextPageToken string
}

// StatementQuery selects an account statement.
type StatementQuery struct {
	AccountCode string
	Party       string // empty: every party
	From, To    time.Time
	PageSize    int
	PageToken   string
}

// AccountStatement returns the general ledger of one account (optionally one
// party's sub-ledger) from From to To with a running balance, debit positive.
func (l *Ledger) AccountStatement(ctx context.Context, tenant string, sq StatementQuery) (Statement, error) {
	if err := checkRange(sq.From, sq.To); err != nil {
		return Statement{}, err
	}
	cur, err := decodeCursor(sq.PageToken)
	if err != nil {
		return Statement{}, err
	}
	var st Statement
	err = l.read(ctx, tenant, func(_ pgx.Tx, q *dbq.Queries) error {
		var err error
		st, err = accountStatement(ctx, q, tenant, sq, cur)
		return err
	})
	return st, err
}

func accountStatement(ctx context.Context, q *dbq.Queries, tenant string, sq StatementQuery, cur dateCursor) (Statement, error) {
	acct, err := q.AccountGet(ctx, dbq.AccountGetParams{TenantID: tenant, Code: sq.AccountCode})
	if errors.Is(err, pgx.ErrNoRows) {
		return Statement{}, &NotFoundError{What: fmt.Sprintf("account %q", sq.AccountCode)}
	}
	if err != nil {
		return Statement{}, fmt.Errorf("read account: %w", err)
	}
	st := Statement{AccountCode: acct.Code, AccountName: acct.Name}
	if st.Opening, err = balanceBefore(ctx, q, tenant, sq.AccountCode, sq.Party, sq.From); err != nil {
		return Statement{}, err
	}
	running := st.Opening
	if sq.PageToken != "" {
		if running, err = decimal.NewFromString(cur.Balance); err != nil {
			return Statement{}, invalid("page_token", "is not a token this server issued")
		}
	}
	after, _ := time.Parse(time.DateOnly, cur.Date)
	size := pageSize(sq.PageSize, 200, 1000)
	rows, err := q.LineStatementPage(ctx, dbq.LineStatementPageParams{
		TenantID: tenant, AccountCode: sq.AccountCode, Party: sq.Party, FromDate: sq.From, ToDate: sq.To,
		AfterDate: after, AfterID: cur.ID, AfterLine: int16(cur.Line), RowLimit: int32(size + 1),
	})
	if err != nil {
		return Statement{}, fmt.Errorf("read statement: %w", err)
	}
	more := len(rows) > size
	if more {
		rows = rows[:size]
	}
	for _, r := range rows {
		running = running.Add(r.Debit).Sub(r.Credit)
		st.Lines = append(st.Lines, StatementLine{
			Date: r.VoucherDate, VoucherID: r.VoucherID, VoucherNumber: r.Number, LineNo: int(r.LineNo),
			Narration: r.Narration, FundCode: r.FundCode, FunctionCode: r.FunctionCode, FieldCode: r.FieldCode,
			Party: r.Party, Debit: r.Debit, Credit: r.Credit, Balance: running,
		})
	}
	if more {
		last := st.Lines[len(st.Lines)-1]
		st.NextPageToken = encodeCursor(dateCursor{Date: last.Date.Format(time.DateOnly), ID: last.VoucherID, Line: last.LineNo, Balance: running.String()})
	} else {
		st.Closing = running
	}
	return st, nil
}

// balanceBefore is an account's balance at the start of a day: whole
// periods from the maintained balances, the rest of that day's month from
// lines. With a party, balances cannot help (they are not kept per party),
// so every earlier line of the party is summed, through its index.
func balanceBefore(ctx context.Context, q *dbq.Queries, tenant, account, party string, day time.Time) (decimal.Decimal, error) {
	if party != "" {
		b, err := q.LineSumBefore(ctx, dbq.LineSumBeforeParams{TenantID: tenant, AccountCode: account, Party: party,
			FromDate: time.Time{}, BeforeDate: day})
		if err != nil {
			return decimal.Zero, fmt.Errorf("party opening balance: %w", err)
		}
		return b, nil
	}
	p, err := q.PeriodContaining(ctx, dbq.PeriodContainingParams{TenantID: tenant, OnDate: day})
	if errors.Is(err, pgx.ErrNoRows) {
		// A day outside every opened year: no period boundary to lean on.
		b, err := q.LineSumBefore(ctx, dbq.LineSumBeforeParams{TenantID: tenant, AccountCode: account, FromDate: time.Time{}, BeforeDate: day})
		if err != nil {
			return decimal.Zero, fmt.Errorf("opening balance: %w", err)
		}
		return b, nil
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("find period: %w", err)
	}
	whole, err := q.BalanceAccountBefore(ctx, dbq.BalanceAccountBeforeParams{TenantID: tenant, AccountCode: account, FiscalYear: p.FiscalYear, Period: p.Period})
	if err != nil {
		return decimal.Zero, fmt.Errorf("opening balance: %w", err)
	}
	part, err := q.LineSumBefore(ctx, dbq.LineSumBeforeParams{TenantID: tenant, AccountCode: account, FromDate: p.StartsOn, BeforeDate: day})
	if err != nil {
		return decimal.Zero, fmt.Errorf("opening balance: %w", err)
	}
	return whole.Add(part), nil
}

// DayBook returns every voucher dated From to To with its lines, in date
// order, a page at a time.
func (l *Ledger) DayBook(ctx context.Context, tenant string, from, to time.Time, size int, token string) ([]Posted, string, error) {
	return l.ListVouchers(ctx, tenant, VoucherFilter{From: from, To: to, PageSize: size, PageToken: token})
}
