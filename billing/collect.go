package billing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The collection side of a demand: what a payment settles. Package
// receipts takes the money, numbers the receipt and posts its voucher; it
// calls these, in its one transaction, for everything that moves a demand
// line's collected amount or a consumer's advance.

// ConsumerKey names a consumer of a service.
type ConsumerKey struct {
	Service      string
	ConsumerCode string
}

// LockConsumers takes the collection locks of consumers (their advance
// rows, made on first use) in a fixed order, so that payments, cancellations
// and demand runs touching one consumer take turns and never deadlock. It
// returns each consumer's advance. Call it first in the transaction, before
// anything that posts to the ledger.
func (s *Service) LockConsumers(ctx context.Context, tx pgx.Tx, tenant string, keys []ConsumerKey) (map[ConsumerKey]ConsumerAdvance, error) {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b ConsumerKey) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.ConsumerCode, b.ConsumerCode))
	})
	keys = slices.Compact(keys)
	arg := dbq.AdvanceLockManyParams{TenantID: tenant}
	for _, k := range keys {
		arg.Services = append(arg.Services, k.Service)
		arg.ConsumerCodes = append(arg.ConsumerCodes, k.ConsumerCode)
	}
	rows, err := dbq.New(tx).AdvanceLockMany(ctx, arg)
	if err != nil {
		return nil, fmt.Errorf("lock consumers: %w", err)
	}
	out := make(map[ConsumerKey]ConsumerAdvance, len(rows))
	for _, r := range rows {
		out[ConsumerKey{r.Service, r.ConsumerCode}] = ConsumerAdvance{Service: r.Service, ConsumerCode: r.ConsumerCode,
			Balance: r.Balance, Account: r.AccountCode, FundCode: r.FundCode, FunctionCode: r.FunctionCode, Ward: r.Ward}
	}
	return out, nil
}

// Payment is one consumer's share of a payment.
type Payment struct {
	Service      string
	ConsumerCode string
	Amount       decimal.Decimal
	PaidOn       time.Time
	// Field names the amount in the caller's request, for errors.
	Field string
}

// CollectionRules are a service's terms of payment.
type CollectionRules struct {
	PartialAllowed bool
	AdvanceAllowed bool
}

// AllocationKind says how a demand line was settled.
type AllocationKind string

// The kinds of allocation.
const (
	ByPayment AllocationKind = "payment"
	ByRebate  AllocationKind = "rebate" // the early-payment rebate the payment earned
)

// Allocation is what a payment put on one demand line.
type Allocation struct {
	DemandID int64
	LineNo   int
	Head     string
	Kind     AllocationKind
	Amount   decimal.Decimal // negative on a negative (round-off) line
	// Receivable is the line's receivable, without an amount: the account
	// the allocation is credited to.
	Receivable ledger.Line
}

// Collection is what a payment did to one consumer's dues.
type Collection struct {
	Payment
	Due     decimal.Decimal // outstanding before the payment, penalty and interest to the day included
	Rebate  decimal.Decimal // the early-payment rebate earned (positive), or zero
	Advance decimal.Decimal // what was left over, to hold as advance
	// Allocations are the lines settled, in apportionment order: rebate
	// first, then the payment, oldest period first, then head priority.
	Allocations []Allocation
	// Credits are the receivable credits of the payment (by account,
	// fund, function, ward and consumer), for the receipt voucher; the
	// advance is the caller's to credit.
	Credits []ledger.Line
	// RebateLines are the rebate's journal lines (rebate head Dr,
	// receivables Cr); empty when none was earned. The caller posts them.
	RebateLines []ledger.Line
	// Home is where an advance of the consumer is posted: the fund and
	// function of the service's principal head, the consumer's ward (of
	// its latest demand) and the consumer as party. No account or amount.
	Home ledger.Line
}

// Collect settles p against the consumer's dues of p.Service, in tx: it
// posts the penalty and interest due by the payment's day (AccrueCharges),
// grants the early-payment rebate when the payment clears everything due
// (rebate included) within the rebate window, apportions the payment
// oldest period first and within a period by head priority, and moves the
// lines' collected amounts. What is left over is returned as Advance: the
// caller credits it and records it with MoveAdvance. The consumer must be
// locked (LockConsumers). A payment below what is payable is refused when
// the service takes no part payment; one above it, or with nothing due,
// when the service takes no advance.
func (s *Service) Collect(ctx context.Context, tx pgx.Tx, tenant string, p Payment, rules CollectionRules, actor string) (Collection, error) {
	if err := required(p.ConsumerCode, p.Service, p.PaidOn); err != nil {
		return Collection{}, err
	}
	q := dbq.New(tx)
	day := ledger.DayOf(p.PaidOn)
	if _, err := q.DemandLinesLockOutstanding(ctx, dbq.DemandLinesLockOutstandingParams{TenantID: tenant,
		ConsumerCode: p.ConsumerCode, Service: p.Service}); err != nil {
		return Collection{}, fmt.Errorf("lock dues: %w", err)
	}
	if _, err := s.AccrueCharges(ctx, tx, tenant, p.ConsumerCode, p.Service, day, actor); err != nil {
		return Collection{}, err
	}
	dues, err := duesOf(ctx, q, tenant, p.ConsumerCode, p.Service)
	if err != nil {
		return Collection{}, err
	}
	heads, err := serviceHeads(ctx, q, tenant, p.Service)
	if err != nil {
		return Collection{}, err
	}
	if len(heads) == 0 {
		return Collection{}, invalid(p.Field, "service %q has no tax heads: nothing can be collected for it", p.Service)
	}
	rebates, err := rebatesOn(ctx, q, tenant, p.Service, dues.Demands, day)
	if err != nil {
		return Collection{}, err
	}
	c := Collection{Payment: p, Due: dues.Total, Home: home(heads, dues.Demands, p.ConsumerCode)}
	rebate := decimal.Zero
	for _, r := range rebates {
		rebate = rebate.Sub(r.Amount)
	}
	// The rebate is for paying in full in time: it is earned only when the
	// payment, with the rebate, clears every due of the service.
	if rebate.IsPositive() && p.Amount.GreaterThanOrEqual(dues.Total.Sub(rebate)) {
		c.Rebate = rebate
	} else {
		rebates = nil
	}
	payable := dues.Total.Sub(c.Rebate)
	switch {
	case dues.Total.IsZero() && !rules.AdvanceAllowed:
		return Collection{}, invalid(p.Field, "nothing is due from %s for %s, and the service takes no advance", p.ConsumerCode, p.Service)
	case p.Amount.LessThan(payable) && !rules.PartialAllowed:
		return Collection{}, invalid(p.Field, "must be at least the payable %s: %s takes no part payment", payable.StringFixed(2), p.Service)
	case p.Amount.GreaterThan(payable) && !rules.AdvanceAllowed:
		return Collection{}, invalid(p.Field, "must not exceed the payable %s: %s takes no advance", payable.StringFixed(2), p.Service)
	}
	lines := newLedgerOf(dues.Demands, heads)
	for _, r := range rebates {
		c.Allocations = append(c.Allocations, lines.rebate(r)...)
	}
	paid, left := lines.apportion(p.Amount)
	c.Allocations = append(c.Allocations, paid...)
	c.Advance = left
	c.Credits = receivableLines(c.Allocations, ByPayment, false)
	if c.Rebate.IsPositive() {
		c.RebateLines = rebateJournal(c.Allocations, heads, rebates)
	}
	return c, collectLines(ctx, q, tenant, c.Allocations, false)
}

// collectLines adds allocations to their lines' collected amounts (or,
// undo, takes them off), one update per line.
func collectLines(ctx context.Context, q *dbq.Queries, tenant string, allocs []Allocation, undo bool) error {
	type key struct {
		demand int64
		line   int
	}
	sum := map[key]decimal.Decimal{}
	var order []key
	for _, a := range allocs {
		k := key{a.DemandID, a.LineNo}
		if _, ok := sum[k]; !ok {
			order = append(order, k)
		}
		sum[k] = sum[k].Add(a.Amount)
	}
	arg := dbq.DemandLineCollectParams{TenantID: tenant}
	for _, k := range order {
		amt := sum[k]
		if undo {
			amt = amt.Neg()
		}
		if amt.IsZero() {
			continue
		}
		arg.DemandIds = append(arg.DemandIds, k.demand)
		arg.LineNos = append(arg.LineNos, int16(k.line))
		arg.Amounts = append(arg.Amounts, amt)
	}
	if len(arg.DemandIds) == 0 {
		return nil
	}
	if err := q.DemandLineCollect(ctx, arg); err != nil {
		return fmt.Errorf("move collected amounts: %w", err)
	}
	return nil
}

// Uncollect takes a cancelled or dishonoured receipt's allocations off
// their demand lines, in tx, reinstating what they settled; the consumers
// must be locked (LockConsumers).
func (s *Service) Uncollect(ctx context.Context, tx pgx.Tx, tenant string, allocs []Allocation) error {
	return collectLines(ctx, dbq.New(tx), tenant, allocs, true)
}

// receivableLines nets allocations of kind into one line per receivable
// (account, fund, function, ward, consumer): credits, or debits when undo.
// A net negative (a round-off line) takes the other side.
func receivableLines(allocs []Allocation, kind AllocationKind, undo bool) []ledger.Line {
	var order []ledger.Line
	sum := map[ledger.Line]decimal.Decimal{}
	for _, a := range allocs {
		if a.Kind != kind {
			continue
		}
		if _, ok := sum[a.Receivable]; !ok {
			order = append(order, a.Receivable)
		}
		sum[a.Receivable] = sum[a.Receivable].Add(a.Amount)
	}
	var out []ledger.Line
	for _, k := range order {
		amt := sum[k]
		if undo {
			amt = amt.Neg()
		}
		l := k
		switch amt.Sign() {
		case 0:
			continue
		case 1:
			l.Credit = amt
		default:
			l.Debit = amt.Neg()
		}
		out = append(out, l)
	}
	return out
}

// ReceivableLines are the receipt voucher's receivable credits for
// allocations (of payments, not rebates), or with undo the debits that
// reinstate them.
func ReceivableLines(allocs []Allocation, undo bool) []ledger.Line {
	return receivableLines(allocs, ByPayment, undo)
}

// rebateJournal is the rebate's posting: each demand's rebate head's
// remission account debited, the receivables it settles credited.
func rebateJournal(allocs []Allocation, heads map[string]TaxHead, rebates []Charge) []ledger.Line {
	var out []ledger.Line
	for _, r := range rebates {
		h := heads[r.Head]
		ward := ""
		for _, a := range allocs {
			if a.DemandID == r.DemandID {
				ward = a.Receivable.FieldCode
			}
		}
		out = append(out, ledger.Line{AccountCode: h.IncomeAccount, FundCode: h.FundCode, FunctionCode: h.FunctionCode,
			FieldCode: ward, Debit: r.Amount.Neg()})
	}
	return append(out, receivableLines(allocs, ByRebate, false)...)
}

// dueLine is a line with a balance, as apportionment sees it.
type dueLine struct {
	demand  *Demand
	line    DemandLine
	head    TaxHead
	balance decimal.Decimal
}

// duesLedger is a consumer's outstanding lines in apportionment order:
// oldest period first, then head priority (interest, penalty, cess, tax),
// then line number.
type duesLedger struct {
	byDemand [][]*dueLine
}

func newLedgerOf(demands []Demand, heads map[string]TaxHead) *duesLedger {
	ds := slices.Clone(demands)
	slices.SortStableFunc(ds, func(a, b Demand) int {
		return cmp.Or(a.PeriodFrom.Compare(b.PeriodFrom), cmp.Compare(a.ID, b.ID))
	})
	out := &duesLedger{}
	for i := range ds {
		d := &ds[i]
		var ls []*dueLine
		for _, l := range d.Lines {
			if b := l.Balance(); !b.IsZero() {
				ls = append(ls, &dueLine{demand: d, line: l, head: heads[l.Head], balance: b})
			}
		}
		slices.SortStableFunc(ls, func(a, b *dueLine) int {
			return cmp.Or(cmp.Compare(a.head.Priority, b.head.Priority), cmp.Compare(a.line.LineNo, b.line.LineNo))
		})
		if len(ls) > 0 {
			out.byDemand = append(out.byDemand, ls)
		}
	}
	return out
}

func (l *dueLine) take(kind AllocationKind, amt decimal.Decimal) Allocation {
	l.balance = l.balance.Sub(amt)
	return Allocation{DemandID: l.demand.ID, LineNo: l.line.LineNo, Head: l.line.Head, Kind: kind, Amount: amt,
		Receivable: receivableOf(l.demand, l.head)}
}

// receivableOf is the receivable a line of head h on demand d is collected
// from: the head's receivable (or, in arrears, arrears) account in the
// demand's ward, the consumer as party.
func receivableOf(d *Demand, h TaxHead) ledger.Line {
	return ledger.Line{AccountCode: h.ReceivableFor(d.InArrears), FundCode: h.FundCode, FunctionCode: h.FunctionCode,
		FieldCode: d.Ward, Party: d.ConsumerCode}
}

// rebate settles a rebate on its demand's principal lines (tax, cess or
// fee), the lowest-priority head (the tax) first.
func (dl *duesLedger) rebate(r Charge) []Allocation {
	left := r.Amount.Neg()
	var out []Allocation
	for _, ls := range dl.byDemand {
		if ls[0].demand.ID != r.DemandID {
			continue
		}
		for i := len(ls) - 1; i >= 0 && left.IsPositive(); i-- {
			l := ls[i]
			if !baseCategories[l.head.Category] || l.line.charge() || !l.balance.IsPositive() {
				continue
			}
			amt := decimal.Min(left, l.balance)
			out = append(out, l.take(ByRebate, amt))
			left = left.Sub(amt)
		}
	}
	return out
}

// apportion spreads amount over the dues in order and returns what it
// settled and what is left over. A demand the amount clears is settled
// whole; the demand it runs out on has its negative (round-off) lines
// settled first, then its heads in priority order for as far as it goes.
func (dl *duesLedger) apportion(amount decimal.Decimal) ([]Allocation, decimal.Decimal) {
	var out []Allocation
	left := amount
	for _, ls := range dl.byDemand {
		if !left.IsPositive() {
			break
		}
		due := decimal.Zero
		for _, l := range ls {
			due = due.Add(l.balance)
		}
		if !due.IsPositive() {
			continue
		}
		if left.GreaterThanOrEqual(due) {
			for _, l := range ls {
				if !l.balance.IsZero() {
					out = append(out, l.take(ByPayment, l.balance))
				}
			}
			left = left.Sub(due)
			continue
		}
		budget := left
		for _, l := range ls {
			if l.balance.IsNegative() {
				budget = budget.Sub(l.balance)
				out = append(out, l.take(ByPayment, l.balance))
			}
		}
		for _, l := range ls {
			if !budget.IsPositive() {
				break
			}
			if l.balance.IsPositive() {
				amt := decimal.Min(budget, l.balance)
				out = append(out, l.take(ByPayment, amt))
				budget = budget.Sub(amt)
			}
		}
		left = decimal.Zero
	}
	return out, left
}

// home is where a consumer's advance for a service posts: the fund and
// function of the service's principal head (a tax or fee head, the last in
// apportionment order), in the ward of its latest demand.
func home(heads map[string]TaxHead, demands []Demand, consumer string) ledger.Line {
	var principal TaxHead
	for _, h := range heads {
		better := h.Priority > principal.Priority || (h.Priority == principal.Priority && h.Code < principal.Code)
		if principal.Code == "" || (baseCategories[h.Category] && (!baseCategories[principal.Category] || better)) {
			principal = h
		}
	}
	out := ledger.Line{FundCode: principal.FundCode, FunctionCode: principal.FunctionCode, Party: consumer}
	for _, d := range demands {
		out.FieldCode = d.Ward
	}
	return out
}
