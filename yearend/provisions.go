package yearend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Bands are the age bands of a demand's due date as of the year end (31
// March): 1 under one year (or not yet due), 2 one to two years, 3 two to
// three years, 4 over three years.
const Bands = 4

// DefaultRates are the provision rates per band a tenant that set none
// uses: nothing on dues under a year old, 10 % of those 1-2 years old, 25 %
// of 2-3 years, all of what is over 3 years old. These follow the common
// practice of state municipal accounts manuals (a year's dues are
// collectable; after three years they are doubtful in full); a tenant sets
// its own with SetProvisionRates.
var DefaultRates = [Bands]decimal.Decimal{
	decimal.Zero, decimal.RequireFromString("0.10"), decimal.RequireFromString("0.25"), decimal.NewFromInt(1),
}

// The provision heads (NMAM 432) and the expense head (270-10) each is
// charged against.
var provisionExpense = map[string]string{
	"4321000": "2701001", // property taxes
	"4321100": "2701003", // water charges
	"4323000": "2701003", // fees and user charges
}

// provisionHeads are the expense and provision heads of a receivable:
// property tax receivables (4311...) to 2701001 and 4321000, water charges
// (4313001) to 2701003 and 4321100, everything else (licence fees and other
// user charges) to 2701003 and 4323000.
func provisionHeads(receivable string) (expense, provision string) {
	switch {
	case strings.HasPrefix(receivable, "4311"):
		provision = "4321000"
	case receivable == "4313001":
		provision = "4321100"
	default:
		provision = "4323000"
	}
	return provisionExpense[provision], provision
}

// ProvisionLine is the provision one provision head needs in one fund and
// function.
type ProvisionLine struct {
	ProvisionAccount, ExpenseAccount string
	FundCode, FunctionCode           string
	// Outstanding per band, and what the rates require of it.
	Outstanding    [Bands]decimal.Decimal
	Required, Held decimal.Decimal
	Adjustment     decimal.Decimal // Required - Held: charged (positive) or written back
}

// ProvisionRun is the result of a provisions run.
type ProvisionRun struct {
	FiscalYear int
	RunNo      int
	Rates      [Bands]decimal.Decimal
	Lines      []ProvisionLine
	Required   decimal.Decimal
	HeldBefore decimal.Decimal
	// Voucher moved the provision to what is required; nil when it was
	// already right.
	Voucher *ledger.Posted
}

// Adjustment is what the run charged (positive) or wrote back (negative).
func (r ProvisionRun) Adjustment() decimal.Decimal { return r.Required.Sub(r.HeldBefore) }

// SetProvisionRates sets the tenant's rate per band (fractions, 0.25 for
// 25 %), each between 0 and 1.
func (s *Service) SetProvisionRates(ctx context.Context, tenant string, rates [Bands]decimal.Decimal, actor string) error {
	var vs []ledger.FieldViolation
	for i, r := range rates {
		if r.IsNegative() || r.GreaterThan(decimal.NewFromInt(1)) || !r.Equal(r.Round(4)) {
			vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("rates[%d]", i), Rule: "must be a fraction between 0 and 1 with at most 4 decimals"})
		}
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		for i, r := range rates {
			if err := q.ProvisionRateSet(ctx, dbq.ProvisionRateSetParams{TenantID: tenant, Band: int16(i + 1), Rate: r, SetBy: actor}); err != nil {
				return fmt.Errorf("set provision rate: %w", err)
			}
		}
		return nil
	})
}

// RunProvisions brings the provision for doubtful receivables at the end
// of fiscal year fy to what the rates require of the demand register's
// outstanding dues, by age band of their due date as of 31 March: one
// journal voucher dated 31 March, Dr the provisions expense head Cr the
// provision head for an increase (the reverse for a write-back), for the
// difference from the provision already held. Run again, it posts nothing
// unless the dues or the rates changed. Outstanding is as the register
// stood at the end of 31 March, however late the run is made: collections,
// advance applications and amendments dated after it are undone, receipts
// dated by it but cancelled or dishonoured after it still count as
// collected, and demands raised after it are left out.
func (s *Service) RunProvisions(ctx context.Context, tenant string, fy int, actor string) (ProvisionRun, error) {
	var out ProvisionRun
	err := s.inYear(ctx, tenant, fy, actor, func(tx pgx.Tx, _ *dbq.Queries) error {
		var err error
		out, err = s.provisionsTx(ctx, tx, tenant, fy, actor)
		return err
	})
	return out, err
}

// provisionsTx runs the provisions in tx, which holds the fiscal year's lock.
func (s *Service) provisionsTx(ctx context.Context, tx pgx.Tx, tenant string, fy int, actor string) (ProvisionRun, error) {
	q := dbq.New(tx)
	out := ProvisionRun{FiscalYear: fy, Rates: DefaultRates}
	set, err := q.ProvisionRateList(ctx, tenant)
	if err != nil {
		return ProvisionRun{}, fmt.Errorf("read provision rates: %w", err)
	}
	for _, r := range set {
		out.Rates[r.Band-1] = r.Rate
	}
	asOf := ledger.Date(fy+1, time.March, 31)
	rows, err := q.ProvisionOutstandingByBand(ctx, dbq.ProvisionOutstandingByBandParams{TenantID: tenant, FiscalYear: int32(fy), AsOf: asOf,
		OneYearBefore: asOf.AddDate(-1, 0, 0), TwoYearsBefore: asOf.AddDate(-2, 0, 0), ThreeYearsBefore: asOf.AddDate(-3, 0, 0)})
	if err != nil {
		return ProvisionRun{}, fmt.Errorf("read outstanding dues: %w", err)
	}
	type key struct{ provision, fund, function string }
	lines := map[key]*ProvisionLine{}
	var keys []key
	line := func(k key, expense string) *ProvisionLine {
		if l, ok := lines[k]; ok {
			return l
		}
		l := &ProvisionLine{ProvisionAccount: k.provision, ExpenseAccount: expense, FundCode: k.fund, FunctionCode: k.function}
		lines[k] = l
		keys = append(keys, k)
		return l
	}
	for _, r := range rows {
		expense, provision := provisionHeads(r.ReceivableAccount)
		l := line(key{provision, r.FundCode, r.FunctionCode}, expense)
		l.Outstanding[r.Band-1] = l.Outstanding[r.Band-1].Add(r.Outstanding)
	}
	codes := make([]string, 0, len(provisionExpense))
	for p := range provisionExpense {
		codes = append(codes, p)
	}
	held, err := q.ProvisionHeld(ctx, dbq.ProvisionHeldParams{TenantID: tenant, FiscalYear: int32(fy), Codes: codes})
	if err != nil {
		return ProvisionRun{}, fmt.Errorf("read provision held: %w", err)
	}
	for _, h := range held {
		if h.Held.IsZero() {
			continue
		}
		line(key{h.AccountCode, h.FundCode, h.FunctionCode}, provisionExpense[h.AccountCode]).Held = h.Held
	}
	slices.SortFunc(keys, func(a, b key) int {
		return strings.Compare(a.provision+a.fund+a.function, b.provision+b.fund+b.function)
	})
	run, err := q.ProvisionRunNext(ctx, dbq.ProvisionRunNextParams{TenantID: tenant, FiscalYear: int32(fy)})
	if err != nil {
		return ProvisionRun{}, fmt.Errorf("number the run: %w", err)
	}
	out.RunNo = int(run)
	label := ledger.FiscalYearLabel(fy)
	v := ledger.Voucher{Type: ledger.Journal, Date: asOf, IdempotencyKey: fmt.Sprintf("yearend:%d:provision:%d", fy, run),
		SourceRef: "PROVISION/" + label, Narration: fmt.Sprintf("Provision for doubtful receivables at the end of %s, by age of dues", label)}
	for _, k := range keys {
		l := lines[k]
		for b, o := range l.Outstanding {
			if o.IsPositive() {
				l.Required = l.Required.Add(o.Mul(out.Rates[b]))
			}
		}
		l.Required = l.Required.Round(2)
		l.Adjustment = l.Required.Sub(l.Held)
		out.Required = out.Required.Add(l.Required)
		out.HeldBefore = out.HeldBefore.Add(l.Held)
		out.Lines = append(out.Lines, *l)
		if l.Adjustment.IsZero() {
			continue
		}
		v.Lines = append(v.Lines,
			side(ledger.Line{AccountCode: l.ExpenseAccount, FundCode: k.fund, FunctionCode: k.function}, l.Adjustment),
			side(ledger.Line{AccountCode: l.ProvisionAccount, FundCode: k.fund, FunctionCode: k.function}, l.Adjustment.Neg()))
	}
	var vid pgtype.Int8
	if len(v.Lines) > 0 {
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
		if err != nil {
			return ProvisionRun{}, fmt.Errorf("post provision: %w", err)
		}
		out.Voucher = &posted[0]
		vid = pgtype.Int8{Int64: posted[0].ID, Valid: true}
	}
	if err := q.ProvisionRunInsert(ctx, dbq.ProvisionRunInsertParams{TenantID: tenant, FiscalYear: int32(fy), RunNo: run,
		Required: out.Required, HeldBefore: out.HeldBefore, VoucherID: vid, RunBy: actor}); err != nil {
		return ProvisionRun{}, fmt.Errorf("record provisions run: %w", err)
	}
	return out, nil
}
