package expenditure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Service keeps parties, bills and payments.
type Service struct {
	pool   *pgxpool.Pool
	ledger *ledger.Ledger
	budget *budget.Service
	now    func() time.Time
}

// NewService returns a Service; now is the clock (nil: time.Now).
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, bud *budget.Service, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, ledger: led, budget: bud, now: now}
}

// The heads bills post to (NMAM): creditors by the party's kind, and the
// default liability head of each kind of deduction.
const (
	suppliersAccount   = "3501001" // Creditors - suppliers
	contractorsAccount = "3501002" // Creditors - contractors
	defaultBank        = "4502101" // State Bank of India
)

// DeductionKind is what is kept back from a bill.
type DeductionKind string

// The kinds, and the liability head each goes to unless a bill names another.
const (
	TDS             DeductionKind = "tds"              // 3502025 TDS from contractors
	Retention       DeductionKind = "retention"        // 3401002 retention money deposit
	SecurityDeposit DeductionKind = "security_deposit" // 3401003 further security deposit
	Recovery        DeductionKind = "recovery"         // 3502058 other recoveries from contractors
)

var deductionHeads = map[DeductionKind]string{TDS: "3502025", Retention: "3401002", SecurityDeposit: "3401003", Recovery: "3502058"}

// ErrBillState is the Kind of a PreconditionError for an operation the
// bill's status forbids (approving an approved bill, paying a submitted one,
// cancelling a paid one, paying more than is due).
var ErrBillState = errors.New("bill not in a state that allows it")

// Party is a supplier or contractor.
type Party struct {
	Code, Name string
	Kind       string // supplier or contractor
	PAN, GSTIN string
}

// partyCode is the form of a party's code (the ledger's sub-ledger key).
var partyCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$`)

// SaveParty creates or updates a party.
func (s *Service) SaveParty(ctx context.Context, tenant string, p Party) (Party, error) {
	if p.Kind != "supplier" && p.Kind != "contractor" {
		return Party{}, invalid("party.kind", "must be supplier or contractor")
	}
	if strings.TrimSpace(p.Name) == "" {
		return Party{}, invalid("party.name", "is required")
	}
	if !partyCode.MatchString(p.Code) {
		return Party{}, invalid("party.code", "must be letters, digits and / _ . - (at most 40)")
	}
	var out dbq.ExpenditureParty
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = dbq.New(tx).ExpenditurePartyUpsert(ctx, dbq.ExpenditurePartyUpsertParams{TenantID: tenant, Code: p.Code,
			Name: p.Name, Kind: p.Kind, Pan: p.PAN, Gstin: p.GSTIN})
		return err
	})
	if err != nil {
		return Party{}, err
	}
	return Party{Code: out.Code, Name: out.Name, Kind: out.Kind, PAN: out.Pan, GSTIN: out.Gstin}, nil
}

// BillInput is a bill to record.
type BillInput struct {
	PartyCode       string
	PartyBillNumber string // the party's own bill or invoice number
	Date            time.Time
	CommitmentID    int64 // the work or purchase order, if any
	Narration       string
	FundCode        string // every line of a bill is of one fund
	Lines           []BillLineInput
	Deductions      []DeductionInput
	IdempotencyKey  string
}

// BillLineInput charges one head.
type BillLineInput struct {
	AccountCode  string // an expense (2xx) or asset/CWIP (4xx) detailed head
	FunctionCode string
	Description  string
	Amount       decimal.Decimal
}

// DeductionInput keeps part of a bill back.
type DeductionInput struct {
	Kind        DeductionKind
	AccountCode string // empty: the kind's default head
	Amount      decimal.Decimal
}

// Bill is a recorded bill.
type Bill struct {
	ID              int64
	PartyCode       string
	PartyBillNumber string
	Date            time.Time
	CommitmentID    int64
	Narration       string
	FundCode        string
	CreditorAccount string
	Gross           decimal.Decimal
	Deductions      decimal.Decimal
	Net             decimal.Decimal
	Paid            decimal.Decimal
	Status          string // submitted, approved, rejected or cancelled
	IdempotencyKey  string
	CreatedBy       string
	DecidedBy       string
	DecidedAt       *time.Time
	DecisionNote    string
	VoucherID       int64
	CancelVoucherID int64
	Lines           []BillLine
	DeductionLines  []Deduction
}

// BillLine is a line of a bill.
type BillLine struct {
	LineNo       int
	AccountCode  string
	FunctionCode string
	Description  string
	Amount       decimal.Decimal
}

// Deduction is an amount kept back from a bill.
type Deduction struct {
	LineNo      int
	Kind        DeductionKind
	AccountCode string
	Amount      decimal.Decimal
}

// Source is how the bill names itself to the budget and the ledger.
func (b Bill) Source() string { return fmt.Sprintf("BILL/%d", b.ID) }

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

func checkAmount(vs *[]ledger.FieldViolation, field string, a decimal.Decimal) {
	switch {
	case !a.IsPositive():
		*vs = append(*vs, ledger.FieldViolation{Field: field, Rule: "must be positive"})
	case !a.Equal(a.Round(2)):
		*vs = append(*vs, ledger.FieldViolation{Field: field, Rule: "must have at most 2 decimals"})
	case a.GreaterThanOrEqual(decimal.New(1, 15)):
		*vs = append(*vs, ledger.FieldViolation{Field: field, Rule: "must be less than 10^15"})
	}
}

// validate checks what needs no database and returns the gross and the
// deductions.
func (in *BillInput) validate() (gross, deductions decimal.Decimal, err error) {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if in.PartyCode == "" {
		bad("party_code", "is required")
	}
	if strings.TrimSpace(in.PartyBillNumber) == "" {
		bad("party_bill_number", "is required: the party's own bill number")
	}
	if in.Date.IsZero() {
		bad("date", "is required")
	}
	if strings.TrimSpace(in.Narration) == "" {
		bad("narration", "is required")
	}
	if in.FundCode == "" {
		bad("fund_code", "is required")
	}
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if len(in.Lines) == 0 {
		bad("lines", "a bill charges at least one head")
	}
	for i, l := range in.Lines {
		lp := fmt.Sprintf("lines[%d]", i)
		if len(l.AccountCode) != 7 || (l.AccountCode[0] != '2' && l.AccountCode[0] != '4') {
			bad(lp+".account_code", "must be a detailed expense (2xx) or asset/CWIP (4xx) head")
		}
		if l.FunctionCode == "" {
			bad(lp+".function_code", "is required")
		}
		checkAmount(&vs, lp+".amount", l.Amount)
		gross = gross.Add(l.Amount)
	}
	for i, d := range in.Deductions {
		dp := fmt.Sprintf("deductions[%d]", i)
		head, ok := deductionHeads[d.Kind]
		if !ok {
			bad(dp+".kind", "must be tds, retention, security_deposit or recovery")
		}
		if d.AccountCode == "" {
			in.Deductions[i].AccountCode = head
		} else if len(d.AccountCode) != 7 || d.AccountCode[0] != '3' {
			bad(dp+".account_code", "must be a detailed liability (3xx) head")
		}
		checkAmount(&vs, dp+".amount", d.Amount)
		deductions = deductions.Add(d.Amount)
	}
	if len(vs) == 0 && deductions.GreaterThanOrEqual(gross) {
		bad("deductions", "total %s must be less than the bill's gross %s", deductions.StringFixed(2), gross.StringFixed(2))
	}
	if len(vs) > 0 {
		return gross, deductions, &ledger.ValidationError{Violations: vs}
	}
	return gross, deductions, nil
}

func (in *BillInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%q|%s|%d|%q|%s", in.PartyCode, in.PartyBillNumber, in.Date.Format(time.DateOnly), in.CommitmentID, in.Narration, in.FundCode)
	for _, l := range in.Lines {
		fmt.Fprintf(h, "|L%s/%s/%q=%s", l.AccountCode, l.FunctionCode, l.Description, l.Amount.StringFixed(2))
	}
	for _, d := range in.Deductions {
		fmt.Fprintf(h, "|D%s/%s=%s", d.Kind, d.AccountCode, d.Amount.StringFixed(2))
	}
	return h.Sum(nil)
}

// SubmitBill records a bill for someone else to approve. Nothing reaches
// the books or the budget until then. The same key and bill returns the
// first; the key with another bill is a conflict; a party's bill number is
// recorded once.
func (s *Service) SubmitBill(ctx context.Context, tenant, actor string, in BillInput) (Bill, error) {
	gross, deductions, err := in.validate()
	if err != nil {
		return Bill{}, err
	}
	hash := in.hash()
	var id int64
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.ExpenditureBillByKey(ctx, dbq.ExpenditureBillByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			id = prev.ID
			return err
		}
		party, err := q.ExpenditurePartyGet(ctx, dbq.ExpenditurePartyGetParams{TenantID: tenant, Code: in.PartyCode})
		if errors.Is(err, pgx.ErrNoRows) {
			return invalid("party_code", "no supplier or contractor %q; save the party first", in.PartyCode)
		}
		if err != nil {
			return fmt.Errorf("read party: %w", err)
		}
		funds, err := q.FundList(ctx, tenant)
		if err != nil {
			return fmt.Errorf("read funds: %w", err)
		}
		if !slices.ContainsFunc(funds, func(f dbq.FundListRow) bool { return f.Code == in.FundCode }) {
			return invalid("fund_code", "no fund %q", in.FundCode)
		}
		creditor := suppliersAccount
		if party.Kind == "contractor" {
			creditor = contractorsAccount
		}
		var commitment pgtype.Int8
		if in.CommitmentID != 0 {
			commitment = pgtype.Int8{Int64: in.CommitmentID, Valid: true}
		}
		id, err = q.ExpenditureBillInsert(ctx, dbq.ExpenditureBillInsertParams{TenantID: tenant, PartyCode: in.PartyCode,
			PartyBillNumber: in.PartyBillNumber, BillDate: in.Date, CommitmentID: commitment, Narration: in.Narration,
			FundCode: in.FundCode, CreditorAccount: creditor, Gross: gross, Deductions: deductions, IdempotencyKey: in.IdempotencyKey,
			RequestHash: hash, CreatedBy: actor})
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			// A concurrent request with the same key committed first.
			prev, err := q.ExpenditureBillByKey(ctx, dbq.ExpenditureBillByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
			if err == nil && !bytes.Equal(prev.RequestHash, hash) {
				return &ledger.ConflictError{Field: "idempotency_key", Key: in.IdempotencyKey}
			}
			id = prev.ID
			return err
		case db.UniqueViolation(err) != "":
			return &ledger.ExistsError{What: fmt.Sprintf("bill %q of party %s", in.PartyBillNumber, in.PartyCode)}
		case db.ForeignKeyViolation(err) != "":
			return invalid("commitment_id", "no commitment %d", in.CommitmentID)
		case err != nil:
			return fmt.Errorf("insert bill: %w", err)
		}
		lines := dbq.ExpenditureBillLineInsertManyParams{TenantID: tenant, BillID: id}
		for i, l := range in.Lines {
			lines.LineNos = append(lines.LineNos, int16(i+1))
			lines.AccountCodes = append(lines.AccountCodes, l.AccountCode)
			lines.FunctionCodes = append(lines.FunctionCodes, l.FunctionCode)
			lines.Descriptions = append(lines.Descriptions, l.Description)
			lines.Amounts = append(lines.Amounts, l.Amount)
		}
		if err := q.ExpenditureBillLineInsertMany(ctx, lines); err != nil {
			if db.ForeignKeyViolation(err) != "" {
				return invalid("lines", "a line names a head or function not in the chart")
			}
			return fmt.Errorf("insert bill lines: %w", err)
		}
		if len(in.Deductions) > 0 {
			ds := dbq.ExpenditureBillDeductionInsertManyParams{TenantID: tenant, BillID: id}
			for i, d := range in.Deductions {
				ds.LineNos = append(ds.LineNos, int16(i+1))
				ds.Kinds = append(ds.Kinds, string(d.Kind))
				ds.AccountCodes = append(ds.AccountCodes, d.AccountCode)
				ds.Amounts = append(ds.Amounts, d.Amount)
			}
			if err := q.ExpenditureBillDeductionInsertMany(ctx, ds); err != nil {
				if db.ForeignKeyViolation(err) != "" {
					return invalid("deductions", "a deduction names a head not in the chart")
				}
				return fmt.Errorf("insert deductions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Bill{}, err
	}
	return s.Bill(ctx, tenant, id)
}

// Bill reads one bill with its lines and deductions.
func (s *Service) Bill(ctx context.Context, tenant string, id int64) (Bill, error) {
	var out []Bill
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.ExpenditureBillGetMany(ctx, dbq.ExpenditureBillGetManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("read bill: %w", err)
		}
		out, err = withLines(ctx, q, tenant, rows)
		return err
	})
	if err != nil {
		return Bill{}, err
	}
	if len(out) == 0 {
		return Bill{}, &ledger.NotFoundError{What: fmt.Sprintf("bill %d", id)}
	}
	return out[0], nil
}

// BillFilter selects bills for Bills.
type BillFilter struct {
	PartyCode string
	Status    string
	AfterID   int64
	PageSize  int // default 100, at most 1000
}

// Bills lists bills in id order.
func (s *Service) Bills(ctx context.Context, tenant string, f BillFilter) ([]Bill, error) {
	size := f.PageSize
	switch {
	case size <= 0:
		size = 100
	case size > 1000:
		size = 1000
	}
	var out []Bill
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.ExpenditureBillList(ctx, dbq.ExpenditureBillListParams{TenantID: tenant, PartyCode: f.PartyCode, Status: f.Status,
			AfterID: f.AfterID, RowLimit: int32(size)})
		if err != nil {
			return fmt.Errorf("list bills: %w", err)
		}
		out, err = withLines(ctx, q, tenant, rows)
		return err
	})
	return out, err
}

func billOf(r dbq.ExpenditureBill) Bill {
	return Bill{ID: r.ID, PartyCode: r.PartyCode, PartyBillNumber: r.PartyBillNumber, Date: r.BillDate, CommitmentID: r.CommitmentID.Int64,
		Narration: r.Narration, FundCode: r.FundCode, CreditorAccount: r.CreditorAccount, Gross: r.Gross, Deductions: r.Deductions,
		Net: r.Net, Paid: r.Paid, Status: r.Status, IdempotencyKey: r.IdempotencyKey, CreatedBy: r.CreatedBy, DecidedBy: r.DecidedBy.String,
		DecidedAt: r.DecidedAt, DecisionNote: r.DecisionNote, VoucherID: r.VoucherID.Int64, CancelVoucherID: r.CancelVoucherID.Int64}
}

func withLines(ctx context.Context, q *dbq.Queries, tenant string, rows []dbq.ExpenditureBill) ([]Bill, error) {
	out := make([]Bill, len(rows))
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	for i, r := range rows {
		out[i] = billOf(r)
		ids[i] = r.ID
		at[r.ID] = i
	}
	lines, err := q.ExpenditureBillLinesOf(ctx, dbq.ExpenditureBillLinesOfParams{TenantID: tenant, BillIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read bill lines: %w", err)
	}
	for _, l := range lines {
		b := &out[at[l.BillID]]
		b.Lines = append(b.Lines, BillLine{LineNo: int(l.LineNo), AccountCode: l.AccountCode, FunctionCode: l.FunctionCode,
			Description: l.Description, Amount: l.Amount})
	}
	ds, err := q.ExpenditureBillDeductionsOf(ctx, dbq.ExpenditureBillDeductionsOfParams{TenantID: tenant, BillIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read deductions: %w", err)
	}
	for _, d := range ds {
		b := &out[at[d.BillID]]
		b.DeductionLines = append(b.DeductionLines, Deduction{LineNo: int(d.LineNo), Kind: DeductionKind(d.Kind), AccountCode: d.AccountCode, Amount: d.Amount})
	}
	return out, nil
}
