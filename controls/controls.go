package controls

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// Status is how a check came out. The zero value is OK.
type Status int

// The statuses, in rising order of concern: a report's overall status is
// its worst check's.
const (
	OK        Status = iota // nothing to look at
	Attention               // items an auditor should look at; the books still hold
	Failed                  // a rule of the books is broken
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Attention:
		return "attention"
	case Failed:
		return "failed"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// What a Row refers to, for the drill from the report.
const (
	RefReceipt   = "receipt"           // a receipt number
	RefVoucher   = "voucher"           // a voucher number
	RefAccount   = "account"           // a detailed head
	RefCashier   = "cashier"           // a cashier's unremitted cash of a day
	RefBankLine  = "bank_line"         // a bank statement line's reference
	RefException = "payment_exception" // a gateway reconciliation exception's reference
	RefSeries    = "series"            // a receipt or voucher series of a year
	RefPeriod    = "fiscal_year"       // a fiscal year's periods
	RefApproval  = "approval"          // an approval (kind and id)
)

// Row is one detail line of a check, naming what to drill into.
type Row struct {
	RefKind string // one of the Ref constants
	Ref     string // the receipt or voucher number, account code, ...
	Detail  string
	Date    time.Time       // the item's date, when it has one
	AgeDays int             // days from Date to the report's as-of, for items that age
	Amount  decimal.Decimal // zero when the row has none
}

// Check is one control with its outcome.
type Check struct {
	Name    string // stable identifier, e.g. "receipt_series"
	Title   string
	Status  Status
	Summary string
	Rows    []Row
	// Ties are the sub-ledger comparisons, for the tie checks.
	Ties []ledger.Tie
}

// Report is every control of one tenant as of a date.
type Report struct {
	TenantID string
	AsOf     time.Time
	Status   Status // the worst of the checks
	Checks   []Check
}

// Check returns the check named name.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// The checks' names.
const (
	CheckReceiptSeries  = "receipt_series"
	CheckVoucherSeries  = "voucher_series"
	CheckDCB            = "dcb_receivables"
	CheckCashBook       = "cash_book"
	CheckAssetRegister  = "asset_register"
	CheckAdvances       = "advances"
	CheckDeposits       = "deposits"
	CheckBankUnmatched  = "bank_unreconciled"
	CheckGatewayOpen    = "gateway_exceptions"
	CheckCashUnremitted = "cash_unremitted"
	CheckHashChain      = "hash_chain"
	CheckPeriods        = "periods_closed"
	CheckFourEyes       = "maker_checker"
)

// maxRows caps the detail rows of a list check; the summary still counts
// them all where the count is cheap.
const maxRows = 500

// Service draws the audit controls report.
type Service struct {
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	assets   *assets.Service
}

// NewService returns a Service reading pool through the packages whose
// sub-ledgers it ties.
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, bill *billing.Service, rs *receipts.Service, reg *assets.Service) *Service {
	return &Service{pool: pool, ledger: led, billing: bill, receipts: rs, assets: reg}
}

// Report runs every control of tenant as of asOf (a calendar day). Series,
// ties, the chain and the approvals are checked as the books stand;
// unreconciled items and cash are those dated up to asOf, aged on it; the
// asset register is tied to the ledger as of asOf.
func (s *Service) Report(ctx context.Context, tenant string, asOf time.Time) (Report, error) {
	if tenant == "" {
		return Report{}, invalid("tenant_id", "is required")
	}
	if asOf.IsZero() {
		return Report{}, invalid("as_of", "is required")
	}
	out := Report{TenantID: tenant, AsOf: asOf}
	steps := []func(context.Context, string, time.Time) ([]Check, error){
		s.series, s.ties, s.unreconciled, s.chain, s.periods, s.fourEyes,
	}
	for _, step := range steps {
		cs, err := step(ctx, tenant, asOf)
		if err != nil {
			return Report{}, err
		}
		out.Checks = append(out.Checks, cs...)
	}
	out.Status = worst(out.Checks)
	return out, nil
}

// Quick runs the cheap subset a state's table shows per ULB: the
// sub-ledger ties (DCB, cash book, advances, deposits) and, with
// verifyChain, the hash chain. It leaves out the asset register (it reads a
// trial balance), the series, the unreconciled items and the approvals.
// The ties read totals, a few queries whatever the ledger's size; the chain
// re-hashes every voucher, so its cost grows with the ledger.
func (s *Service) Quick(ctx context.Context, tenant string, verifyChain bool) (Status, error) {
	var checks []Check
	ties, err := s.quickTies(ctx, tenant)
	if err != nil {
		return OK, err
	}
	checks = append(checks, ties...)
	if !verifyChain {
		return worst(checks), nil
	}
	chain, err := s.chain(ctx, tenant, time.Time{})
	if err != nil {
		return OK, err
	}
	return worst(append(checks, chain...)), nil
}

func worst(cs []Check) Status {
	w := OK
	for _, c := range cs {
		w = max(w, c.Status)
	}
	return w
}

func invalid(field, rule string) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: rule}}}
}

// ageDays is whole days from d to asOf.
func ageDays(d, asOf time.Time) int {
	return int(ledger.Date(asOf.Year(), asOf.Month(), asOf.Day()).Sub(ledger.Date(d.Year(), d.Month(), d.Day())).Hours() / 24)
}
