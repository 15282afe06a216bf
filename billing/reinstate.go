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

// The kinds of advance allocation (table advance_allocations).
const (
	advanceApplied    = "applied"
	advanceReinstated = "reinstated"
)

// TakeBackAdvance takes back, in tx, the advance a dishonoured receipt
// left (m: a negative amount, reason dishonoured). A bounced cheque is a
// fact the books must record even when a later demand has taken the
// advance it brought, so where the consumer holds less than m, the
// applications are undone for the difference first: the most recent first,
// each un-collecting the lines it settled, tax before cess before penalty
// and interest (the reverse of apportionment), by a journal (receivables
// Dr, advance liability Cr) dated day, or the application's date if later.
// Each is recorded as an advance movement (reinstated). The consumer must
// be locked (LockConsumers).
func (s *Service) TakeBackAdvance(ctx context.Context, tx pgx.Tx, tenant, actor string, m AdvanceMove, day time.Time) error {
	q := dbq.New(tx)
	held, err := s.GetAdvance(ctx, tx, tenant, m.Service, m.ConsumerCode)
	if err != nil {
		return err
	}
	if short := m.Amount.Neg().Sub(held.Balance); short.IsPositive() {
		if err := s.reinstateApplications(ctx, tx, tenant, actor, m, short, day); err != nil {
			return err
		}
	}
	return moveAdvance(ctx, q, tenant, m)
}

// reinstateApplications gives short back to m's consumer's advance by
// undoing its applications, the most recent first.
func (s *Service) reinstateApplications(ctx context.Context, tx pgx.Tx, tenant, actor string, m AdvanceMove, short decimal.Decimal, day time.Time) error {
	q := dbq.New(tx)
	apps, err := q.AdvanceApplicationsOf(ctx, dbq.AdvanceApplicationsOfParams{TenantID: tenant, Service: m.Service, ConsumerCode: m.ConsumerCode})
	if err != nil {
		return fmt.Errorf("read advance applications: %w", err)
	}
	heads, err := serviceHeads(ctx, q, tenant, m.Service)
	if err != nil {
		return err
	}
	for _, app := range apps {
		if !short.IsPositive() {
			break
		}
		ds, err := readDemands(ctx, q, tenant, []int64{app.DemandID})
		if err != nil {
			return err
		}
		d := &ds[0]
		left, err := appliedLeft(ctx, q, tenant, d, heads, app.Amount)
		if err != nil {
			return err
		}
		back := lastOf(left, short)
		if len(back) == 0 {
			continue
		}
		amount := decimal.Zero
		for _, a := range back {
			amount = amount.Add(a.Amount)
		}
		applied, err := s.ledger.Voucher(ctx, tenant, app.VoucherID)
		if err != nil {
			return err
		}
		// The application's first line is its debit to the advance
		// liability (applyAdvances): the reinstatement credits it back.
		adv := applied.Lines[0].Line
		adv.Debit, adv.Credit = decimal.Zero, amount
		date := day
		if applied.Date.After(date) {
			date = applied.Date
		}
		v := ledger.Voucher{Type: ledger.Journal, Date: date,
			IdempotencyKey: fmt.Sprintf("advance-reinstated:%d:%d", d.ID, m.ReceiptID),
			SourceRef:      fmt.Sprintf("ADVANCE/%s/%s/%d", d.Service, d.ConsumerCode, d.ID),
			Narration: fmt.Sprintf("Advance of %s applied to its %s demand %s to %s reinstated (%s): the receipt %d that brought it is %s",
				d.ConsumerCode, d.Service, d.PeriodFrom.Format(time.DateOnly), d.PeriodTo.Format(time.DateOnly),
				amount.StringFixed(2), m.ReceiptID, m.Reason),
			Lines: append(receivableLines(back, ByPayment, true), adv)}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
		if err != nil {
			return err
		}
		if err := collectLines(ctx, q, tenant, back, true); err != nil {
			return err
		}
		if err := recordAdvanceAllocations(ctx, q, tenant, d.ID, advanceReinstated, back, posted[0].ID); err != nil {
			return err
		}
		if err := moveAdvance(ctx, q, tenant, AdvanceMove{Service: m.Service, ConsumerCode: m.ConsumerCode, Amount: amount,
			Reason: AdvanceReinstated, DemandID: d.ID, VoucherID: posted[0].ID, Account: adv.AccountCode, FundCode: adv.FundCode,
			FunctionCode: adv.FunctionCode, Ward: adv.FieldCode}); err != nil {
			return err
		}
		short = short.Sub(amount)
	}
	if short.IsPositive() {
		// Unreachable while the advance and its movements agree: a receipt
		// still standing brought at least what it left, so what is not held
		// was applied.
		return &ledger.PreconditionError{Field: "receipt", Kind: ErrAdvanceSpent,
			Reason: fmt.Sprintf("%s's advance for %s falls %s short of what its applications can give back",
				m.ConsumerCode, m.Service, short.StringFixed(2))}
	}
	return nil
}

// appliedLeft is what an application of amount to demand d settled and
// still stands (less what reinstatements took off), a line each, in
// apportionment order (negative lines first, then head priority).
func appliedLeft(ctx context.Context, q *dbq.Queries, tenant string, d *Demand, heads map[string]TaxHead, amount decimal.Decimal) ([]Allocation, error) {
	rows, err := q.AdvanceAllocationsOf(ctx, dbq.AdvanceAllocationsOfParams{TenantID: tenant, DemandID: d.ID})
	if err != nil {
		return nil, fmt.Errorf("read advance allocations: %w", err)
	}
	net := map[int]decimal.Decimal{}
	recorded := false
	for _, r := range rows {
		if r.Kind == advanceApplied {
			recorded = true
			net[int(r.LineNo)] = net[int(r.LineNo)].Add(r.Amount)
		} else {
			net[int(r.LineNo)] = net[int(r.LineNo)].Sub(r.Amount)
		}
	}
	if !recorded {
		// Applied before its lines were recorded (migration 00016). An
		// application is the first thing to settle a demand, when it is
		// just raised: apportioning the amount over the lines as raised
		// (no amendment, charge or collection yet) is what it settled.
		fresh := *d
		fresh.Lines = nil
		for _, l := range d.Lines {
			if !l.charge() {
				fresh.Lines = append(fresh.Lines, DemandLine{LineNo: l.LineNo, Head: l.Head, Amount: l.Amount})
			}
		}
		allocs, _ := newLedgerOf([]Demand{fresh}, heads).apportion(amount)
		for _, a := range allocs {
			net[a.LineNo] = net[a.LineNo].Add(a.Amount)
		}
	}
	var out []Allocation
	for _, l := range d.Lines {
		if amt := net[l.LineNo]; !amt.IsZero() {
			out = append(out, Allocation{DemandID: d.ID, LineNo: l.LineNo, Head: l.Head, Kind: ByPayment, Amount: amt,
				Receivable: receivableOf(d, heads[l.Head])})
		}
	}
	slices.SortStableFunc(out, func(a, b Allocation) int {
		return cmp.Or(cmp.Compare(a.Amount.Sign(), b.Amount.Sign()), cmp.Compare(heads[a.Head].Priority, heads[b.Head].Priority),
			cmp.Compare(a.LineNo, b.LineNo))
	})
	return out, nil
}

// lastOf takes up to amount off the end of allocs (apportionment order):
// everything when amount covers their total; otherwise the positive lines
// from the last back, the last one taken in part. Negative (round-off)
// lines, settled first, are undone only with the whole application.
func lastOf(allocs []Allocation, amount decimal.Decimal) []Allocation {
	total := decimal.Zero
	for _, a := range allocs {
		total = total.Add(a.Amount)
	}
	if !total.IsPositive() {
		return nil
	}
	if amount.GreaterThanOrEqual(total) {
		out := slices.Clone(allocs)
		slices.Reverse(out)
		return out
	}
	var out []Allocation
	for i := len(allocs) - 1; i >= 0 && amount.IsPositive(); i-- {
		a := allocs[i]
		if !a.Amount.IsPositive() {
			continue
		}
		a.Amount = decimal.Min(a.Amount, amount)
		amount = amount.Sub(a.Amount)
		out = append(out, a)
	}
	return out
}

// recordAdvanceAllocations records allocs, of kind, on demand.
func recordAdvanceAllocations(ctx context.Context, q *dbq.Queries, tenant string, demand int64, kind string, allocs []Allocation, voucher int64) error {
	arg := dbq.AdvanceAllocationInsertParams{TenantID: tenant, DemandID: demand, Kind: kind, VoucherID: voucher}
	for _, a := range allocs {
		arg.LineNos = append(arg.LineNos, int16(a.LineNo))
		arg.Amounts = append(arg.Amounts, a.Amount)
	}
	if err := q.AdvanceAllocationInsert(ctx, arg); err != nil {
		return fmt.Errorf("record advance allocations: %w", err)
	}
	return nil
}
