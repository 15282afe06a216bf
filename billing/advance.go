package billing

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// ConsumerAdvance is what a consumer paid beyond its dues of a service, held on a
// liability account (advance collection of revenues) until the consumer's
// next demand takes it.
type ConsumerAdvance struct {
	Service      string
	ConsumerCode string
	Balance      decimal.Decimal
	// Where the balance is held; set with the first advance received.
	Account      string
	FundCode     string
	FunctionCode string
	Ward         string
}

// AdvanceReason says why an advance moved.
type AdvanceReason string

// The reasons.
const (
	AdvanceReceived    AdvanceReason = "received"
	AdvanceApplied     AdvanceReason = "applied"
	AdvanceCancelled   AdvanceReason = "cancelled"
	AdvanceDishonoured AdvanceReason = "dishonoured"
	// AdvanceReinstated is an application partly or wholly undone (the
	// demand that took the advance owes it again) so that a dishonoured
	// receipt can take back the advance it left.
	AdvanceReinstated AdvanceReason = "reinstated"
	// AdvanceRefunded: returned to the payer (an online payment refunded).
	AdvanceRefunded AdvanceReason = "refunded"
)

// AdvanceMove changes a consumer's advance: positive when received,
// negative when applied or when the receipt that brought it is undone.
type AdvanceMove struct {
	Service      string
	ConsumerCode string
	Amount       decimal.Decimal
	Reason       AdvanceReason
	ReceiptID    int64 // received, cancelled, dishonoured
	DemandID     int64 // applied, reinstated
	VoucherID    int64
	// Where a first advance is held (ignored once the consumer has one).
	Account, FundCode, FunctionCode, Ward string
}

// ErrAdvanceSpent is why a receipt whose advance a later demand has taken
// cannot be cancelled: the advance is no longer there to take back. (A
// dishonour is recorded all the same: see TakeBackAdvance.)
var ErrAdvanceSpent = errors.New("advance already applied")

// MoveAdvance records m in tx; the consumer must be locked
// (LockConsumers). An advance never goes below zero: taking back more than
// is held is a PreconditionError of kind ErrAdvanceSpent.
func (s *Service) MoveAdvance(ctx context.Context, tx pgx.Tx, tenant string, m AdvanceMove) error {
	return moveAdvance(ctx, dbq.New(tx), tenant, m)
}

func moveAdvance(ctx context.Context, q *dbq.Queries, tenant string, m AdvanceMove) error {
	if m.Amount.IsZero() {
		return nil
	}
	held, err := q.AdvanceGet(ctx, dbq.AdvanceGetParams{TenantID: tenant, Service: m.Service, ConsumerCode: m.ConsumerCode})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("read advance: %w", err)
	}
	if held.Balance.Add(m.Amount).IsNegative() {
		return &ledger.PreconditionError{Field: "receipt", Kind: ErrAdvanceSpent,
			Reason: fmt.Sprintf("%s's advance for %s is %s, less than the %s to take back: a later demand has taken it",
				m.ConsumerCode, m.Service, held.Balance.StringFixed(2), m.Amount.Neg().StringFixed(2))}
	}
	if err := q.AdvanceMove(ctx, dbq.AdvanceMoveParams{TenantID: tenant, Service: m.Service, ConsumerCode: m.ConsumerCode,
		Delta: m.Amount, AccountCode: m.Account, FundCode: m.FundCode, FunctionCode: m.FunctionCode, Ward: m.Ward}); err != nil {
		return fmt.Errorf("move advance: %w", err)
	}
	id := func(v int64) pgtype.Int8 { return pgtype.Int8{Int64: v, Valid: v != 0} }
	if err := q.AdvanceMovementInsert(ctx, dbq.AdvanceMovementInsertParams{TenantID: tenant, Service: m.Service,
		ConsumerCode: m.ConsumerCode, Amount: m.Amount, Reason: string(m.Reason), ReceiptID: id(m.ReceiptID),
		DemandID: id(m.DemandID), VoucherID: id(m.VoucherID)}); err != nil {
		return fmt.Errorf("record advance movement: %w", err)
	}
	return nil
}

// GetAdvance returns a consumer's advance for a service (zero when none).
func (s *Service) GetAdvance(ctx context.Context, tx pgx.Tx, tenant, service, consumer string) (ConsumerAdvance, error) {
	r, err := dbq.New(tx).AdvanceGet(ctx, dbq.AdvanceGetParams{TenantID: tenant, Service: service, ConsumerCode: consumer})
	if errors.Is(err, pgx.ErrNoRows) {
		return ConsumerAdvance{Service: service, ConsumerCode: consumer}, nil
	}
	if err != nil {
		return ConsumerAdvance{}, fmt.Errorf("read advance: %w", err)
	}
	return ConsumerAdvance{Service: r.Service, ConsumerCode: r.ConsumerCode, Balance: r.Balance, Account: r.AccountCode,
		FundCode: r.FundCode, FunctionCode: r.FunctionCode, Ward: r.Ward}, nil
}

// heldAdvance is an advance a demand being raised will take.
type heldAdvance struct {
	ConsumerAdvance
	demand int // index into the staged demands
}

// lockAdvancesFor finds and locks the advances held by the consumers of
// demands being raised: one query for the whole batch, which almost always
// finds none. It runs before the batch posts (and so before it takes the
// ledger's chain head), the order payments lock in too.
func lockAdvancesFor(ctx context.Context, q *dbq.Queries, tenant string, in []DemandInput) ([]heldAdvance, error) {
	arg := dbq.AdvanceLockPositiveParams{TenantID: tenant, Services: make([]string, len(in)), ConsumerCodes: make([]string, len(in))}
	for i, d := range in {
		arg.Services[i], arg.ConsumerCodes[i] = d.Service, d.ConsumerCode
	}
	rows, err := q.AdvanceLockPositive(ctx, arg)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	held := make(map[ConsumerKey]ConsumerAdvance, len(rows))
	for _, r := range rows {
		held[ConsumerKey{r.Service, r.ConsumerCode}] = ConsumerAdvance{Service: r.Service, ConsumerCode: r.ConsumerCode,
			Balance: r.Balance, Account: r.AccountCode, FundCode: r.FundCode, FunctionCode: r.FunctionCode, Ward: r.Ward}
	}
	var out []heldAdvance
	for i, d := range in {
		if a, ok := held[ConsumerKey{d.Service, d.ConsumerCode}]; ok {
			out = append(out, heldAdvance{ConsumerAdvance: a, demand: i})
		}
	}
	return out, nil
}

// applyAdvances applies held advances to the demands just raised (after
// their accruals are posted): each demand's lines are settled in head
// priority order as far as its consumer's advance goes, by an
// advance-adjustment journal (advance liability Dr, receivables Cr), and the
// advance is reduced. The lines it settled are recorded, so that a
// dishonour of the receipt that brought the advance reinstates exactly them. A consumer with two demands in the batch has its
// advance applied to the older period first.
func (s *Service) applyAdvances(ctx context.Context, tx pgx.Tx, tenant, actor string, st staged) error {
	q := dbq.New(tx)
	ids := make([]int64, len(st.advances))
	for i, a := range st.advances {
		ids[i] = st.ids[a.demand]
	}
	demands, err := readDemands(ctx, q, tenant, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]Demand, len(demands))
	for _, d := range demands {
		byID[d.ID] = d
	}
	left := map[ConsumerKey]decimal.Decimal{}
	for _, a := range st.advances {
		left[ConsumerKey{a.Service, a.ConsumerCode}] = a.Balance
	}
	for _, a := range st.advances {
		k := ConsumerKey{a.Service, a.ConsumerCode}
		d := byID[st.ids[a.demand]]
		if !left[k].IsPositive() {
			continue
		}
		heads, err := serviceHeads(ctx, q, tenant, d.Service)
		if err != nil {
			return err
		}
		allocs, rest := newLedgerOf([]Demand{d}, heads).apportion(left[k])
		if len(allocs) == 0 {
			continue
		}
		used := left[k].Sub(rest)
		left[k] = rest
		v := ledger.Voucher{Type: ledger.Journal, Date: d.Date, IdempotencyKey: fmt.Sprintf("advance-applied:%d", d.ID),
			SourceRef: fmt.Sprintf("ADVANCE/%s/%s/%d", d.Service, d.ConsumerCode, d.ID),
			Narration: fmt.Sprintf("Advance of %s applied to its %s demand %s to %s", d.ConsumerCode, d.Service,
				d.PeriodFrom.Format("2006-01-02"), d.PeriodTo.Format("2006-01-02")),
			Lines: append([]ledger.Line{{AccountCode: a.Account, FundCode: a.FundCode, FunctionCode: a.FunctionCode,
				FieldCode: a.Ward, Party: d.ConsumerCode, Debit: used}}, receivableLines(allocs, ByPayment, false)...)}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
		if err != nil {
			return err
		}
		if err := collectLines(ctx, q, tenant, allocs, false); err != nil {
			return err
		}
		if err := recordAdvanceAllocations(ctx, q, tenant, d.ID, advanceApplied, allocs, posted[0].ID); err != nil {
			return err
		}
		if err := moveAdvance(ctx, q, tenant, AdvanceMove{Service: d.Service, ConsumerCode: d.ConsumerCode, Amount: used.Neg(),
			Reason: AdvanceApplied, DemandID: d.ID, VoucherID: posted[0].ID}); err != nil {
			return err
		}
	}
	return nil
}

// RaiseTx raises demands in the caller's transaction (scoped to tenant),
// each with its accrual voucher: for a charge a collection raises, such as
// a dishonoured cheque's. The demands are checked as PostDemands checks
// them; a key used before is refused, not replayed.
func (s *Service) RaiseTx(ctx context.Context, tx pgx.Tx, tenant, actor string, src Source, in []DemandInput) ([]int64, error) {
	q := dbq.New(tx)
	rows, err := q.TaxHeadList(ctx, dbq.TaxHeadListParams{TenantID: tenant})
	if err != nil {
		return nil, fmt.Errorf("list tax heads: %w", err)
	}
	byService := map[string]map[string]TaxHead{}
	for _, r := range rows {
		if byService[r.Service] == nil {
			byService[r.Service] = map[string]TaxHead{}
		}
		byService[r.Service][r.Code] = headOf(r)
	}
	var vs []ledger.FieldViolation
	for i := range in {
		vs = append(vs, in[i].validate(fmt.Sprintf("demands[%d]", i), byService[in[i].Service])...)
	}
	if len(vs) > 0 {
		return nil, &ledger.ValidationError{Violations: vs}
	}
	if err := s.refuseDuplicates(ctx, q, tenant, in); err != nil {
		return nil, err
	}
	return s.raiseTx(ctx, tx, tenant, actor, src, in, byService)
}
