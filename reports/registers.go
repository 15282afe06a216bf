package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/receipts"
)

// RegisterKind names a register drawn as a table. (The general ledger and
// the trial balance keep their own shapes on the wire; as tables they are
// exported.)
type RegisterKind string

// The tabular registers.
const (
	GeneralLedger        RegisterKind = "general_ledger"
	TrialBalanceKind     RegisterKind = "trial_balance"
	DayBook              RegisterKind = "day_book"
	CashBook             RegisterKind = "cash_book"
	BankBook             RegisterKind = "bank_book"
	DCB                  RegisterKind = "dcb"
	ReceivablesAgeing    RegisterKind = "receivables_ageing"
	AdvanceCollections   RegisterKind = "advance_collections"
	Deposits             RegisterKind = "deposits"
	Creditors            RegisterKind = "creditors"
	BudgetVariance       RegisterKind = "budget_variance"
	AssetRegister        RegisterKind = "asset_register"
	DepreciationSchedule RegisterKind = "depreciation_schedule"
	BankReconciliation   RegisterKind = "bank_reconciliation"
)

// ColumnKind says how a column's cells read and are written out.
type ColumnKind int

// The column kinds. Money cells hold a decimal to the paisa ("1234.50"),
// dates YYYY-MM-DD.
const (
	ColText ColumnKind = iota + 1
	ColDate
	ColMoney
	ColNumber
)

// Column is one column of a register.
type Column struct {
	Name string
	Kind ColumnKind
}

// RegisterRow is one line of a register and what is behind it: the voucher
// of a book entry, the account of a balance, the consumer or party of a
// sub-ledger row. Total marks an opening, closing or total line.
type RegisterRow struct {
	Section     string
	Cells       []string
	VoucherID   int64
	AccountCode string
	Party       string
	Total       bool
}

// RegisterTie is a register's figure against the ledger's balance of its
// control heads.
type RegisterTie struct {
	Name                     string
	Accounts                 []string
	Book, Ledger, Difference decimal.Decimal
}

// Tied reports whether the register and the ledger agree to the paisa.
func (t RegisterTie) Tied() bool { return t.Difference.IsZero() }

func tie(name string, accounts []string, book, ledger decimal.Decimal) RegisterTie {
	return RegisterTie{Name: name, Accounts: accounts, Book: book, Ledger: ledger, Difference: ledger.Sub(book)}
}

// Register is a register drawn as a table with its ties to the ledger.
type Register struct {
	Kind          RegisterKind
	Title         string
	ULBName       string
	From, To      time.Time // From is zero for a register as of To
	Columns       []Column
	Rows          []RegisterRow
	Ties          []RegisterTie
	NextPageToken string
}

// Tied reports whether every tie holds.
func (r *Register) Tied() bool {
	for _, t := range r.Ties {
		if !t.Tied() {
			return false
		}
	}
	return true
}

// RegisterQuery selects a register: the books run From to To, the others
// are as of To. AccountCode is the bank head of a bank book or a bank
// reconciliation. Only the day book is paged.
type RegisterQuery struct {
	Kind        RegisterKind
	AccountCode string
	Party       string // a general ledger's sub-ledger
	FundCode    string // a trial balance's fund
	From, To    time.Time
	PageSize    int
	PageToken   string
}

// Sources are the services that keep the sub-ledgers some registers are
// drawn from; a register whose source is not wired answers Unimplemented.
type Sources struct {
	Billing     *billing.Service
	Expenditure *expenditure.Service
	Budget      *budget.Service
	Assets      *assets.Service
	Payments    *payments.Service
}

// WithSources wires the sub-ledger services into s and returns it.
func (s *Service) WithSources(src Sources) *Service {
	s.src = src
	return s
}

var errSourceMissing = fmt.Errorf("register source: %w", errNotWired)

// validate checks a query's own rules, naming the field.
func (q RegisterQuery) validate() error {
	var v []ledger.FieldViolation
	if q.To.IsZero() {
		v = append(v, ledger.FieldViolation{Field: "to", Rule: "a register is drawn to a date: give to"})
	}
	switch q.Kind {
	case DayBook, CashBook, BankBook, GeneralLedger:
		if q.From.IsZero() {
			v = append(v, ledger.FieldViolation{Field: "from", Rule: "a book runs from a date: give from"})
		} else if !q.To.IsZero() && q.To.Before(q.From) {
			v = append(v, ledger.FieldViolation{Field: "to", Rule: "must not be before from"})
		}
	}
	switch q.Kind {
	case GeneralLedger:
		if len(q.AccountCode) != 7 {
			v = append(v, ledger.FieldViolation{Field: "account_code", Rule: "a general ledger is of one account"})
		}
	case BankBook, BankReconciliation:
		if !strings.HasPrefix(q.AccountCode, "4502") || len(q.AccountCode) != 7 {
			v = append(v, ledger.FieldViolation{Field: "account_code", Rule: "a bank book or reconciliation is of one bank head (4502...)"})
		}
	}
	if len(v) > 0 {
		return &ledger.ValidationError{Violations: v}
	}
	return nil
}

// Register draws one tabular register.
func (s *Service) Register(ctx context.Context, tenant string, q RegisterQuery) (Register, error) {
	if err := q.validate(); err != nil {
		return Register{}, err
	}
	ulb, err := s.ulbName(ctx, tenant)
	if err != nil {
		return Register{}, err
	}
	var r Register
	switch q.Kind {
	case GeneralLedger:
		r, err = s.book(ctx, tenant, q, "General ledger", []string{q.AccountCode})
	case TrialBalanceKind:
		r, err = s.trialBalanceRegister(ctx, tenant, q)
	case DayBook:
		r, err = s.dayBook(ctx, tenant, q)
	case CashBook:
		r, err = s.book(ctx, tenant, q, "Cash book", []string{receipts.CashOnHand, receipts.ChequesInHand})
	case BankBook:
		r, err = s.book(ctx, tenant, q, "Bank book", []string{q.AccountCode})
	case Deposits:
		r, err = s.partyRegister(ctx, tenant, q, "Register of deposits received", []string{"340", "341"})
	case AdvanceCollections:
		r, err = s.partyRegister(ctx, tenant, q, "Register of advance collections", []string{"3504"})
	case DCB:
		r, err = s.dcb(ctx, tenant, q)
	case ReceivablesAgeing:
		r, err = s.receivablesAgeing(ctx, tenant, q)
	case Creditors:
		r, err = s.creditors(ctx, tenant, q)
	case BudgetVariance:
		r, err = s.budgetVariance(ctx, tenant, q)
	case AssetRegister:
		r, err = s.assetRegister(ctx, tenant, q)
	case DepreciationSchedule:
		r, err = s.depreciationSchedule(ctx, tenant, q)
	case BankReconciliation:
		r, err = s.bankReconciliation(ctx, tenant, q)
	default:
		return Register{}, invalid("kind", fmt.Sprintf("%q is not a register", q.Kind))
	}
	if err != nil {
		return Register{}, err
	}
	r.Kind, r.ULBName, r.To = q.Kind, ulb, q.To
	return r, nil
}

func (s *Service) ulbName(ctx context.Context, tenant string) (string, error) {
	var name string
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		t, err := dbq.New(tx).TenantGet(ctx, tenant)
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
		}
		name = t.Name
		return err
	})
	return name, err
}

// ledgerBalances is the ledger's closing balance (debit positive) of every
// account as of a date, from its maintained balances: what a register's
// figures are tied to.
func (s *Service) ledgerBalances(ctx context.Context, tenant string, asOf time.Time) (map[string]decimal.Decimal, error) {
	tb, err := s.ledger.TrialBalance(ctx, tenant, asOf, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]decimal.Decimal, len(tb.Rows))
	for _, r := range tb.Rows {
		out[r.AccountCode] = r.Closing
	}
	return out, nil
}

// sumHeads totals the balances of the accounts beginning with a prefix.
func sumHeads(bal map[string]decimal.Decimal, prefixes ...string) decimal.Decimal {
	sum := decimal.Zero
	for code, b := range bal {
		for _, p := range prefixes {
			if strings.HasPrefix(code, p) {
				sum = sum.Add(b)
				break
			}
		}
	}
	return sum
}

func amt(d decimal.Decimal) string { return d.StringFixed(2) }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

func dayPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return day(*t)
}
