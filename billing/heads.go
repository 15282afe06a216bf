// Package billing owns what ULBs demand of their consumers: tax heads and
// their ledger mapping; the registers demands are computed from
// (properties, water connections and their meter readings, trade
// licences), the rate masters that price them and the runs that raise
// their demands through the calculators of billing/calc; demands (one
// consumer, one period, lines per head) and the accrual vouchers posted
// with them, amendments, dues and bills, the late-payment charges
// (penalty, interest) appended to overdue demands, and the demand register
// (DCB) that must tie to the receivable control accounts.
//
// A demand and its accrual voucher, like a charge line and its voucher,
// always commit in one transaction. It never posts to the ledger except
// through ledger.PostTx, and never changes a demand's amounts once raised
// (amendments and charges are their own records).
package billing

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

// Category is what a tax head is; it decides how the head posts and in
// which order collections are apportioned to it.
type Category string

// The categories.
const (
	Tax      Category = "tax"
	Cess     Category = "cess"
	Rebate   Category = "rebate"
	Penalty  Category = "penalty"
	Interest Category = "interest"
	Fee      Category = "fee"
	Advance  Category = "advance"
	RoundOff Category = "round_off"
)

var categories = map[Category]bool{Tax: true, Cess: true, Rebate: true, Penalty: true, Interest: true, Fee: true, Advance: true, RoundOff: true}

// TaxHead is a head a service demands, with the accounts it posts to.
type TaxHead struct {
	Service           string // "property_tax", "water", "trade_licence", "building_plan", ...
	Code              string // "PT", "LIB_CESS", ...
	Name              string
	Category          Category
	Priority          int // apportionment order within a period: lower first
	IncomeAccount     string
	ReceivableAccount string
	FundCode          string
	FunctionCode      string
	RoundToRupee      bool
	CreatedBy         string
	CreatedAt         time.Time
}

// arrearsAccounts maps a receivable head to the head its dues move to
// when their fiscal year is closed (NMAM 431-10: 4311001 property tax
// receivable, 4311004 its arrears). Heads not listed (water 4313001,
// licence fees 4313002) keep their dues where they are.
var arrearsAccounts = map[string]string{"4311001": "4311004"}

// ArrearsAccountOf returns the arrears head of receivable head code, or ""
// when its dues stay where they are.
func ArrearsAccountOf(code string) string { return arrearsAccounts[code] }

// ReceivableFor is the account a line of head h posts its receivable to:
// the head's arrears account when the demand is in arrears (a year-end
// close moved its fiscal year: Demand.InArrears), else the head's
// receivable account. Everything that touches a demand's receivable
// (collection, rebate, penalty and interest, amendment, reinstatement,
// advance application) goes through it.
func (h TaxHead) ReceivableFor(inArrears bool) string {
	if a := arrearsAccounts[h.ReceivableAccount]; inArrears && a != "" {
		return a
	}
	return h.ReceivableAccount
}

var (
	servicePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	headPattern    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,39}$`)
)

// Service raises demands and reads dues for every tenant.
type Service struct {
	pool   *pgxpool.Pool
	ledger *ledger.Ledger
	now    func() time.Time
	jobs   jobs.Inserter // enqueues demand runs
	// runBatch is the entries a demand run takes per transaction (0: runBatch).
	runBatch int
}

// NewService returns a Service posting through led.
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, ledger: led, now: now}
}

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

// SaveTaxHead creates or updates a head. Its accounts are checked now, so
// that no demand can ever meet a head whose posting would fail: the
// receivable must be a postable asset head, the income head a postable
// income or liability head (cesses collected for the state are owed to it),
// and the fund and function must exist.
func (s *Service) SaveTaxHead(ctx context.Context, tenant string, h TaxHead, actor string) (TaxHead, error) {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	if !servicePattern.MatchString(h.Service) {
		bad("tax_head.service", "must be lower case letters, digits and _, e.g. property_tax")
	}
	if !headPattern.MatchString(h.Code) {
		bad("tax_head.code", "must be upper case letters, digits and _, e.g. PT")
	}
	if h.Name == "" {
		bad("tax_head.name", "is required")
	}
	if !categories[h.Category] {
		bad("tax_head.category", "must be one of tax, cess, rebate, penalty, interest, fee, advance, round_off")
	}
	if h.Priority < 1 || h.Priority > 99 {
		bad("tax_head.priority", "must be 1 to 99")
	}
	accounts, _, err := s.ledger.Accounts(ctx, tenant, ledger.AccountFilter{PostableOnly: true, PageSize: 2000})
	if err != nil {
		return TaxHead{}, err
	}
	kind := map[string]string{}
	for _, a := range accounts {
		kind[a.Code] = a.Kind
	}
	switch k := kind[h.ReceivableAccount]; {
	case k == "":
		bad("tax_head.receivable_account", fmt.Sprintf("%q is not a postable head of this tenant", h.ReceivableAccount))
	case k != "A":
		bad("tax_head.receivable_account", fmt.Sprintf("%q is not an asset head (receivables are 431-433)", h.ReceivableAccount))
	}
	switch k := kind[h.IncomeAccount]; {
	case k == "":
		bad("tax_head.income_account", fmt.Sprintf("%q is not a postable head of this tenant", h.IncomeAccount))
	case k != "I" && k != "L":
		bad("tax_head.income_account", fmt.Sprintf("%q is neither an income head nor a liability head", h.IncomeAccount))
	}
	if len(vs) > 0 {
		return TaxHead{}, &ledger.ValidationError{Violations: vs}
	}
	rounding := "paise"
	if h.RoundToRupee {
		rounding = "rupee"
	}
	var row dbq.TaxHead
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		row, err = dbq.New(tx).TaxHeadUpsert(ctx, dbq.TaxHeadUpsertParams{TenantID: tenant, Service: h.Service, Code: h.Code,
			Name: h.Name, Category: string(h.Category), Priority: int32(h.Priority), IncomeAccount: h.IncomeAccount,
			ReceivableAccount: h.ReceivableAccount, FundCode: h.FundCode, FunctionCode: h.FunctionCode,
			Rounding: rounding, CreatedBy: actor})
		return err
	})
	if db.ForeignKeyViolation(err) != "" {
		return TaxHead{}, invalid("tax_head", "fund %q or function %q does not exist", h.FundCode, h.FunctionCode)
	}
	if err != nil {
		return TaxHead{}, fmt.Errorf("save tax head: %w", err)
	}
	return headOf(row), nil
}

func headOf(r dbq.TaxHead) TaxHead {
	return TaxHead{Service: r.Service, Code: r.Code, Name: r.Name, Category: Category(r.Category), Priority: int(r.Priority),
		IncomeAccount: r.IncomeAccount, ReceivableAccount: r.ReceivableAccount, FundCode: r.FundCode,
		FunctionCode: r.FunctionCode, RoundToRupee: r.Rounding == "rupee", CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

// TaxHeads lists a tenant's heads, optionally of one service.
func (s *Service) TaxHeads(ctx context.Context, tenant, service string) ([]TaxHead, error) {
	var rows []dbq.TaxHead
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).TaxHeadList(ctx, dbq.TaxHeadListParams{TenantID: tenant, Service: service})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list tax heads: %w", err)
	}
	out := make([]TaxHead, len(rows))
	for i, r := range rows {
		out[i] = headOf(r)
	}
	return out, nil
}
