package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// LatePaymentMaster is a service's early-payment rebate and late-payment
// penalty and interest for the demands of one fiscal year, and the heads
// they are charged under. Any of the three may be left out.
//
// Penalty and interest are charged on the unpaid balance of the heads whose
// category is in BaseCategories (tax, cess or fee), never on penalty or
// interest: nothing compounds. Round-off lines are not in the base either.
type LatePaymentMaster struct {
	// RebateWindows are open for payments of the year's demands; the
	// rebate is allowed under RebateHead (category rebate).
	RebateWindows []calc.RebateWindow `json:"rebate_windows,omitempty"`
	RebateHead    string              `json:"rebate_head,omitempty"`
	// Penalty is charged once, the day after the due date, under
	// PenaltyHead (category penalty).
	Penalty     *calc.PenaltyRule `json:"penalty,omitempty"`
	PenaltyHead string            `json:"penalty_head,omitempty"`
	// Interest is charged for every month or part of a month after the due
	// date, under InterestHead (category interest). Interest.Head must be
	// empty: the head is InterestHead.
	Interest     *calc.InterestRule `json:"interest,omitempty"`
	InterestHead string             `json:"interest_head,omitempty"`
	// BaseCategories are the head categories charges are worked out on.
	BaseCategories []Category `json:"base_categories"`
}

// baseCategories are the categories a master may charge on: principal.
var baseCategories = map[Category]bool{Tax: true, Cess: true, Fee: true}

// SaveLatePaymentMaster stores service's late-payment master for fiscal
// year fy, after checking its rules and that each head it names is one of
// the service's heads, of the right category.
func (s *Service) SaveLatePaymentMaster(ctx context.Context, tenant, service string, fy int, m LatePaymentMaster, actor string) error {
	if !servicePattern.MatchString(service) {
		return invalid("service", "must be lower case letters, digits and _, e.g. property_tax")
	}
	if fy < 2000 || fy > 2100 {
		return invalid("fiscal_year", "must be a year from 2000 to 2100, the year the fiscal year starts")
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		heads, err := serviceHeads(ctx, q, tenant, service)
		if err != nil {
			return err
		}
		if len(heads) == 0 {
			return invalid("service", "service %q has no tax heads configured; configure them first", service)
		}
		if vs := m.validate(fy, heads); len(vs) > 0 {
			return &ledger.ValidationError{Violations: vs}
		}
		return q.RateMasterSave(ctx, dbq.RateMasterSaveParams{TenantID: tenant, Service: service,
			FiscalYear: int32(fy), Method: MethodLatePayment, Body: body, CreatedBy: actor})
	})
}

// validate names every broken rule of the master, under "master.".
func (m LatePaymentMaster) validate(fy int, heads map[string]TaxHead) []ledger.FieldViolation {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: "master." + field, Rule: fmt.Sprintf(format, args...)})
	}
	calcRule := func(err error) {
		var ie *calc.InputError
		if errors.As(err, &ie) {
			vs = append(vs, ledger.FieldViolation{Field: ie.Field, Rule: ie.Rule})
		}
	}
	if len(m.RebateWindows) == 0 && m.Penalty == nil && m.Interest == nil {
		vs = append(vs, ledger.FieldViolation{Field: "master", Rule: "sets no rebate window, penalty or interest"})
	}
	calcRule(calc.ValidateRebateWindows(m.RebateWindows))
	first, last := ledger.Date(fy, time.April, 1), ledger.Date(fy+1, time.March, 31)
	for i, w := range m.RebateWindows {
		if !w.LastDay.IsZero() && (w.LastDay.Before(first) || w.LastDay.After(last)) {
			bad(fmt.Sprintf("rebate_windows[%d].last_day", i), "must fall in fiscal year %s (%s to %s)",
				ledger.FiscalYearLabel(fy), first.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	}
	if m.Penalty != nil {
		calcRule(m.Penalty.Validate())
	}
	if m.Interest != nil {
		calcRule(m.Interest.Validate())
		if m.Interest.Head != "" {
			bad("interest.head", "must be empty: interest is charged under interest_head")
		}
	}
	for _, h := range []struct {
		field, code string
		used        bool
		want        Category
	}{
		{"rebate_head", m.RebateHead, len(m.RebateWindows) > 0, Rebate},
		{"penalty_head", m.PenaltyHead, m.Penalty != nil, Penalty},
		{"interest_head", m.InterestHead, m.Interest != nil, Interest},
	} {
		if rule := headRule(h.code, h.used, h.want, heads); rule != "" {
			bad(h.field, "%s", rule)
		}
	}
	return append(vs, m.validateBase()...)
}

// headRule is what is wrong with a head the master names, or "".
func headRule(code string, used bool, want Category, heads map[string]TaxHead) string {
	h, ok := heads[code]
	switch {
	case !used && code != "":
		return fmt.Sprintf("names a head, but the master has no %s rule", want)
	case !used:
		return ""
	case code == "":
		return fmt.Sprintf("is required: the %s head the charge is booked to", want)
	case !ok:
		return fmt.Sprintf("%q is not a tax head of the service; configure it first", code)
	case h.Category != want:
		return fmt.Sprintf("%q is a %s head; a %s head is needed", code, h.Category, want)
	}
	return ""
}

func (m LatePaymentMaster) validateBase() []ledger.FieldViolation {
	var vs []ledger.FieldViolation
	if len(m.BaseCategories) == 0 {
		return []ledger.FieldViolation{{Field: "master.base_categories", Rule: "at least one of tax, cess, fee is required"}}
	}
	for i, c := range m.BaseCategories {
		field := fmt.Sprintf("master.base_categories[%d]", i)
		switch {
		case c == Penalty || c == Interest:
			vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf("%s is not a base: charging on charges would compound", c)})
		case !baseCategories[c]:
			vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf("must be tax, cess or fee, got %q", c)})
		case slices.Index(m.BaseCategories, c) < i:
			vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf("%q appears twice", c)})
		}
	}
	return vs
}

// inBase reports whether a line of head h counts in the master's base.
func (m *LatePaymentMaster) inBase(h TaxHead) bool {
	return slices.Contains(m.BaseCategories, h.Category)
}

// masters reads a service's late-payment masters by fiscal year, each once.
type masters struct {
	q       *dbq.Queries
	tenant  string
	service string
	byYear  map[int]*LatePaymentMaster
}

func newMasters(q *dbq.Queries, tenant, service string) *masters {
	return &masters{q: q, tenant: tenant, service: service, byYear: map[int]*LatePaymentMaster{}}
}

// of returns the master for fy, or nil when the service has none that year:
// its demands then earn no rebate and bear no charges.
func (ms *masters) of(ctx context.Context, fy int) (*LatePaymentMaster, error) {
	if m, ok := ms.byYear[fy]; ok {
		return m, nil
	}
	body, err := ms.q.RateMasterGet(ctx, dbq.RateMasterGetParams{TenantID: ms.tenant, Service: ms.service,
		FiscalYear: int32(fy), Method: MethodLatePayment})
	var m *LatePaymentMaster
	switch {
	case errors.Is(err, pgx.ErrNoRows): // none that year: m stays nil
	case err != nil:
		return nil, fmt.Errorf("read late-payment master: %w", err)
	default:
		m = new(LatePaymentMaster)
		if err := json.Unmarshal(body, m); err != nil {
			return nil, fmt.Errorf("read late-payment master of %s %d: %w", ms.service, fy, err)
		}
	}
	ms.byYear[fy] = m
	return m, nil
}

func serviceHeads(ctx context.Context, q *dbq.Queries, tenant, service string) (map[string]TaxHead, error) {
	rows, err := q.TaxHeadList(ctx, dbq.TaxHeadListParams{TenantID: tenant, Service: service})
	if err != nil {
		return nil, fmt.Errorf("list tax heads: %w", err)
	}
	heads := make(map[string]TaxHead, len(rows))
	for _, r := range rows {
		heads[r.Code] = headOf(r)
	}
	return heads, nil
}

// Charge is a rebate, penalty or interest line worked out on a demand as of
// a day. A penalty or interest charge, once posted, is a line of the demand
// with its own voucher; a rebate is only offered (see RebateDue).
type Charge struct {
	DemandID int64
	Head     string
	Category Category
	// Amount is positive for penalty and interest, negative for a rebate.
	Amount decimal.Decimal
	// Basis is the working, in words and figures.
	Basis string
	// Date is the day the charge is worked out as of (and posted on).
	Date time.Time
	// ChargedThrough is, for a penalty, the due date whose lapse it follows;
	// for interest, the last day of the last month it charges. Zero for a
	// rebate.
	ChargedThrough time.Time
	LineNo         int   // the demand line it was posted as
	VoucherID      int64 // the voucher that posted it
}

// AccrueCharges posts, inside tx, the penalty and interest that have fallen
// due as of asOf on consumer's demands of service, and returns them. A
// penalty is posted once; interest only for months started since the months
// already charged. Each charge is a new line on its demand with a voucher
// (receivable Dr, penalty or interest income Cr) posted in tx. tx must be
// scoped to tenant (db.InTenant); the collections path calls this before it
// applies a payment, so that months started while an amount was unpaid are
// charged on it.
//
// Each demand is charged by the master of its own fiscal year; demands of a
// year with no late-payment master bear no charges. It locks the consumer's
// overdue demands of the service (in id order) until tx ends, so concurrent
// bills and payments charge once.
func (s *Service) AccrueCharges(ctx context.Context, tx pgx.Tx, tenant, consumer, service string, asOf time.Time, actor string) ([]Charge, error) {
	if err := required(consumer, service, asOf); err != nil {
		return nil, err
	}
	day := ledger.DayOf(asOf)
	q := dbq.New(tx)
	ids, err := q.ChargeDemandsLock(ctx, dbq.ChargeDemandsLockParams{TenantID: tenant, ConsumerCode: consumer, Service: service, AsOf: day})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	demands, err := readDemands(ctx, q, tenant, ids)
	if err != nil {
		return nil, err
	}
	heads, err := serviceHeads(ctx, q, tenant, service)
	if err != nil {
		return nil, err
	}
	ms := newMasters(q, tenant, service)
	var charges []Charge
	for _, d := range demands {
		m, err := ms.of(ctx, d.FiscalYear)
		if err != nil {
			return nil, err
		}
		if m == nil {
			continue
		}
		cs, err := chargesDue(d, m, heads, day)
		if err != nil {
			// The master was checked when saved: a failure here is ours.
			return nil, fmt.Errorf("charges on demand %d: %w", d.ID, err)
		}
		charges = append(charges, cs...)
	}
	if len(charges) == 0 {
		return nil, nil
	}
	return charges, s.postCharges(ctx, tx, tenant, actor, demands, heads, charges)
}

// chargesDue works out the penalty and interest on d as of day that are not
// charged yet, numbering them as the demand's next lines.
func chargesDue(d Demand, m *LatePaymentMaster, heads map[string]TaxHead, day time.Time) ([]Charge, error) {
	arrear := calc.Arrear{Amount: d.base(m, heads), DueDate: d.DueDate}
	var out []Charge
	if m.Penalty != nil && d.chargedThrough(heads, Penalty).IsZero() {
		lines, err := calc.Penalty(arrear, *m.Penalty, day)
		if err != nil {
			return nil, err
		}
		out = appendCharge(out, d, heads[m.PenaltyHead], lines, day, d.DueDate)
	}
	if m.Interest != nil {
		lines, through, err := calc.InterestSince(arrear, *m.Interest, d.chargedThrough(heads, Interest), day)
		if err != nil {
			return nil, err
		}
		out = appendCharge(out, d, heads[m.InterestHead], lines, day, through)
	}
	next := d.lastLineNo()
	for i := range out {
		next++
		out[i].LineNo = next
	}
	return out, nil
}

// appendCharge adds the calculator's line (if any) as a charge under head
// h, in whole rupees when h is levied so.
func appendCharge(out []Charge, d Demand, h TaxHead, lines []calc.Line, day, through time.Time) []Charge {
	if len(lines) == 0 {
		return out
	}
	amount, basis := lines[0].Amount, lines[0].Basis
	if h.RoundToRupee {
		amount = calc.RoundRupee(amount)
		if !amount.Equal(lines[0].Amount) {
			basis += fmt.Sprintf(", levied to the rupee = %s", amount.StringFixed(2))
		}
	}
	if amount.IsZero() {
		return out
	}
	return append(out, Charge{DemandID: d.ID, Head: h.Code, Category: h.Category, Amount: amount, Basis: basis,
		Date: day, ChargedThrough: through})
}

// base is what is unpaid on d's lines that the master charges on.
func (d Demand) base(m *LatePaymentMaster, heads map[string]TaxHead) decimal.Decimal {
	var base decimal.Decimal
	for _, l := range d.Lines {
		if h, ok := heads[l.Head]; ok && !l.charge() && m.inBase(h) {
			base = base.Add(l.Balance())
		}
	}
	return base
}

// chargedThrough is the latest day charges of category c on d run through,
// or zero when none was charged.
func (d Demand) chargedThrough(heads map[string]TaxHead, c Category) time.Time {
	var through time.Time
	for _, l := range d.Lines {
		if l.charge() && heads[l.Head].Category == c && l.ChargedThrough.After(through) {
			through = l.ChargedThrough
		}
	}
	return through
}

func (d Demand) lastLineNo() int {
	n := 0
	for _, l := range d.Lines {
		n = max(n, l.LineNo)
	}
	return n
}

// postCharges posts each charge's voucher and appends it to its demand, in
// tx. The vouchers' idempotency keys name the demand, head and day charged
// through, as the lines' unique index does: a charge posts at most once.
func (s *Service) postCharges(ctx context.Context, tx pgx.Tx, tenant, actor string, demands []Demand, heads map[string]TaxHead, charges []Charge) error {
	byID := make(map[int64]Demand, len(demands))
	for _, d := range demands {
		byID[d.ID] = d
	}
	vouchers := make([]ledger.Voucher, len(charges))
	for i, c := range charges {
		vouchers[i] = c.voucher(byID[c.DemandID], heads[c.Head])
	}
	posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, vouchers)
	if err != nil {
		var pe *ledger.PreconditionError
		if errors.As(err, &pe) {
			pe.Field = "as_of" // the day's period is closed or its year not open
		}
		return err
	}
	arg := dbq.ChargeLineInsertManyParams{TenantID: tenant}
	for i := range charges {
		c := &charges[i]
		c.VoucherID = posted[i].ID
		arg.DemandIds = append(arg.DemandIds, c.DemandID)
		arg.LineNos = append(arg.LineNos, int16(c.LineNo))
		arg.HeadCodes = append(arg.HeadCodes, c.Head)
		arg.Amounts = append(arg.Amounts, c.Amount)
		arg.ChargedThroughs = append(arg.ChargedThroughs, c.ChargedThrough)
		arg.VoucherIds = append(arg.VoucherIds, c.VoucherID)
	}
	err = dbq.New(tx).ChargeLineInsertMany(ctx, arg)
	if db.UniqueViolation(err) == chargeOnceIndex {
		// Only a caller that skipped the demands' lock can get here.
		return fmt.Errorf("%w: the charges were posted by a concurrent call", db.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("append charge lines: %w", err)
	}
	return nil
}

// chargeOnceIndex is the unique index that lets a charge line exist once.
const chargeOnceIndex = "demand_lines_charge_once"

// voucher is the charge's posting: the head's receivable for the consumer
// in the demand's ward, against the head's penalty or interest income.
func (c Charge) voucher(d Demand, h TaxHead) ledger.Voucher {
	through := c.ChargedThrough.Format(time.DateOnly)
	return ledger.Voucher{Type: ledger.Journal, Date: c.Date,
		IdempotencyKey: fmt.Sprintf("charge:%d:%s:%s", d.ID, c.Head, through),
		SourceRef:      fmt.Sprintf("CHARGE/%s/%s/%d/%s", d.Service, d.ConsumerCode, d.ID, c.Head),
		Narration: fmt.Sprintf("%s on %s demand %s to %s, %s: %s", h.Name, d.Service, d.PeriodFrom.Format(time.DateOnly),
			d.PeriodTo.Format(time.DateOnly), d.ConsumerCode, c.Basis),
		Lines: []ledger.Line{
			{AccountCode: h.ReceivableFor(d.InArrears), FundCode: h.FundCode, FunctionCode: h.FunctionCode, FieldCode: d.Ward,
				Party: d.ConsumerCode, Debit: c.Amount},
			{AccountCode: h.IncomeAccount, FundCode: h.FundCode, FunctionCode: h.FunctionCode, FieldCode: d.Ward, Credit: c.Amount},
		}}
}

// RebateDue returns the early-payment rebate consumer earns on service by
// paying on paidOn: for each outstanding demand of paidOn's fiscal year, the
// master's rebate on what is unpaid of its base, as a negative amount. It
// posts nothing; conditions such as "paid in full" are the caller's to check
// before granting it. tx must be scoped to tenant.
func (s *Service) RebateDue(ctx context.Context, tx pgx.Tx, tenant, consumer, service string, paidOn time.Time) ([]Charge, error) {
	if err := required(consumer, service, paidOn); err != nil {
		return nil, err
	}
	q := dbq.New(tx)
	ids, err := q.DemandOutstanding(ctx, dbq.DemandOutstandingParams{TenantID: tenant, ConsumerCode: consumer, Service: service})
	if err != nil {
		return nil, fmt.Errorf("find dues: %w", err)
	}
	demands, err := readDemands(ctx, q, tenant, ids)
	if err != nil {
		return nil, err
	}
	return rebatesOn(ctx, q, tenant, service, demands, paidOn)
}

// rebatesOn works out the rebate on each of demands of paidOn's fiscal year.
func rebatesOn(ctx context.Context, q *dbq.Queries, tenant, service string, demands []Demand, paidOn time.Time) ([]Charge, error) {
	day := ledger.DayOf(paidOn)
	fy := ledger.FiscalYearOf(day)
	m, err := newMasters(q, tenant, service).of(ctx, fy)
	if err != nil || m == nil || len(m.RebateWindows) == 0 {
		return nil, err
	}
	heads, err := serviceHeads(ctx, q, tenant, service)
	if err != nil {
		return nil, err
	}
	var out []Charge
	for _, d := range demands {
		if d.Service != service || d.FiscalYear != fy {
			continue
		}
		lines, err := calc.Rebate(d.base(m, heads), m.RebateWindows, day)
		if err != nil {
			return nil, fmt.Errorf("rebate on demand %d: %w", d.ID, err)
		}
		for _, c := range appendCharge(nil, d, heads[m.RebateHead], lines, day, time.Time{}) {
			c.Amount = c.Amount.Neg()
			out = append(out, c)
		}
	}
	return out, nil
}

// required names the missing ones of a consumer, a service and a date.
func required(consumer, service string, day time.Time) error {
	var vs []ledger.FieldViolation
	if consumer == "" {
		vs = append(vs, ledger.FieldViolation{Field: "consumer_code", Rule: "is required"})
	}
	if service == "" {
		vs = append(vs, ledger.FieldViolation{Field: "service", Rule: "is required"})
	}
	if day.IsZero() {
		vs = append(vs, ledger.FieldViolation{Field: "date", Rule: "is required"})
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return nil
}
