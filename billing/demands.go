package billing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Source says who raised a demand.
type Source string

// The sources.
const (
	FromRun        Source = "run"        // the demand generation run
	FromDepartment Source = "department" // a department app, by RPC
	FromManual     Source = "manual"     // staff
)

// DemandInput is a demand to raise.
type DemandInput struct {
	Service        string
	ConsumerCode   string
	Ward           string
	PeriodFrom     time.Time
	PeriodTo       time.Time
	Date           time.Time // the accounting date of the accrual
	DueDate        time.Time
	IdempotencyKey string
	Lines          []DemandLineInput
}

// DemandLineInput is one head of a demand.
type DemandLineInput struct {
	Head   string
	Amount decimal.Decimal
	// Basis is the calculator's working, for a preview or a bill; a demand
	// does not keep it, and it is no part of the idempotent request.
	Basis string
}

// Demand is a raised demand.
type Demand struct {
	ID             int64
	TenantID       string
	Service        string
	ConsumerCode   string
	Ward           string
	PeriodFrom     time.Time
	PeriodTo       time.Time
	FiscalYear     int
	Date           time.Time
	DueDate        time.Time
	Total          decimal.Decimal
	Source         Source
	IdempotencyKey string
	VoucherID      int64
	CreatedBy      string
	// InArrears reports that a year-end close moved the demand's fiscal
	// year to arrears: its receivable is the heads' arrears account
	// (TaxHead.ReceivableFor).
	InArrears bool
	Lines     []DemandLine
}

// DemandLine is a demand's head with what approved amendments changed and
// what is collected against it. Amount is as raised, forever. A penalty or
// interest line charged after the demand was raised carries the day it is
// charged through and the voucher that posted it.
type DemandLine struct {
	LineNo         int
	Head           string
	Amount         decimal.Decimal
	Adjusted       decimal.Decimal // the sum of the approved amendments' deltas; negative reduces
	Collected      decimal.Decimal
	ChargedThrough time.Time // zero on lines raised with the demand
	VoucherID      int64     // zero on lines raised with the demand
}

// Due is what the line demands after amendments.
func (l DemandLine) Due() decimal.Decimal { return l.Amount.Add(l.Adjusted) }

// charge reports whether the line was charged after the demand was raised.
func (l DemandLine) charge() bool { return !l.ChargedThrough.IsZero() }

// Balance is what is left to collect on the line.
func (l DemandLine) Balance() decimal.Decimal { return l.Due().Sub(l.Collected) }

// validate checks a demand against its service's heads, naming fields
// under prefix ("demands[3]").
func (d *DemandInput) validate(prefix string, heads map[string]TaxHead) []ledger.FieldViolation {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(d.ConsumerCode) == "" {
		bad(".consumer_code", "is required")
	}
	if d.IdempotencyKey == "" {
		bad(".idempotency_key", "is required")
	}
	if d.PeriodFrom.IsZero() || d.PeriodTo.IsZero() || d.PeriodTo.Before(d.PeriodFrom) {
		bad(".period", "needs a from date on or before its to date")
	}
	if d.Date.IsZero() {
		bad(".date", "is required")
	}
	if d.DueDate.IsZero() {
		bad(".due_date", "is required")
	}
	if len(d.Lines) == 0 {
		bad(".lines", "a demand needs at least one line")
	}
	seen := map[string]bool{}
	rupeeHead := ""
	for i, l := range d.Lines {
		lp := fmt.Sprintf(".lines[%d]", i)
		h, ok := heads[l.Head]
		switch {
		case !ok:
			bad(lp+".head", "%q is not a tax head of service %q; configure it first", l.Head, d.Service)
		case h.Category == Rebate || h.Category == Advance:
			bad(lp+".head", "%q is a %s head, which a demand does not raise", l.Head, h.Category)
		case seen[l.Head]:
			bad(lp+".head", "%q appears twice", l.Head)
		}
		seen[l.Head] = true
		switch {
		case !l.Amount.Equal(l.Amount.Round(2)):
			bad(lp+".amount", "must have at most 2 decimals")
		case l.Amount.IsNegative() && (!ok || h.Category != RoundOff):
			bad(lp+".amount", "must not be negative (only a round-off line may be)")
		}
		if ok && h.RoundToRupee && h.Category != RoundOff {
			rupeeHead = l.Head
		}
	}
	total := d.total()
	if len(vs) == 0 && !total.IsPositive() {
		bad(".lines", "the demand's total must be positive")
	}
	// The head keeps its exact amount; the round-off line carries the
	// difference, so the consumer is charged whole rupees and the books
	// show both the tax and its rounding.
	if len(vs) == 0 && rupeeHead != "" && !total.Equal(total.Round(0)) {
		bad(".lines", "head %q is levied to the rupee: the demand's total (%s) must be whole rupees; put the difference on the round-off head", rupeeHead, total.StringFixed(2))
	}
	return vs
}

// total is what the demand's lines come to.
func (d *DemandInput) total() decimal.Decimal {
	total := decimal.Zero
	for _, l := range d.Lines {
		total = total.Add(l.Amount)
	}
	return total
}

// requestHash fingerprints a demand for idempotent replay.
func (d *DemandInput) requestHash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s", d.Service, d.ConsumerCode, d.Ward, d.PeriodFrom.Format(time.DateOnly),
		d.PeriodTo.Format(time.DateOnly), d.Date.Format(time.DateOnly), d.DueDate.Format(time.DateOnly))
	for _, l := range d.Lines {
		fmt.Fprintf(h, "|%s=%s", l.Head, l.Amount.StringFixed(2))
	}
	return h.Sum(nil)
}

// accrual is the voucher a demand posts: each head's income (or the
// state's cess liability) credited, and the consumer's receivable debited
// once per receivable account with the sum of its heads (for the consumer,
// in its ward). A negative round-off line reverses its side.
func (d *DemandInput) accrual(heads map[string]TaxHead, inArrears bool) ledger.Voucher {
	v := ledger.Voucher{Type: ledger.Journal, Date: d.Date, IdempotencyKey: "demand:" + d.IdempotencyKey,
		SourceRef: fmt.Sprintf("DEMAND/%s/%s/%s", d.Service, d.ConsumerCode, d.PeriodFrom.Format(time.DateOnly)),
		Narration: fmt.Sprintf("%s demand %s to %s, %s", d.Service, d.PeriodFrom.Format(time.DateOnly), d.PeriodTo.Format(time.DateOnly), d.ConsumerCode)}
	type receivable struct{ account, fund, function string }
	var order []receivable
	due := map[receivable]decimal.Decimal{}
	for _, l := range d.Lines {
		if l.Amount.IsZero() {
			continue
		}
		h := heads[l.Head]
		r := receivable{h.ReceivableFor(inArrears), h.FundCode, h.FunctionCode}
		if _, seen := due[r]; !seen {
			order = append(order, r)
		}
		due[r] = due[r].Add(l.Amount)
		cr := ledger.Line{AccountCode: h.IncomeAccount, FundCode: h.FundCode, FunctionCode: h.FunctionCode, FieldCode: d.Ward}
		if l.Amount.IsNegative() {
			cr.Debit = l.Amount.Neg()
		} else {
			cr.Credit = l.Amount
		}
		v.Lines = append(v.Lines, cr)
	}
	debits := make([]ledger.Line, 0, len(order))
	for _, r := range order {
		dr := ledger.Line{AccountCode: r.account, FundCode: r.fund, FunctionCode: r.function, FieldCode: d.Ward, Party: d.ConsumerCode}
		switch amt := due[r]; amt.Sign() {
		case 0:
			continue
		case 1:
			dr.Debit = amt
		default:
			dr.Credit = amt.Neg()
		}
		debits = append(debits, dr)
	}
	v.Lines = append(debits, v.Lines...)
	return v
}

// PostDemands raises demands, all or nothing, each with its accrual voucher
// in the same transaction. Replaying the same request returns the demands
// first raised; a key reused with another body, or a second demand for a
// consumer and period, is refused.
func (s *Service) PostDemands(ctx context.Context, tenant, actor string, src Source, in []DemandInput) ([]Demand, error) {
	if len(in) == 0 {
		return nil, invalid("demands", "at least one demand is required")
	}
	byService, err := s.headsByService(ctx, tenant)
	if err != nil {
		return nil, err
	}
	var vs []ledger.FieldViolation
	keys := make([]string, len(in))
	for i := range in {
		prefix := fmt.Sprintf("demands[%d]", i)
		if byService[in[i].Service] == nil {
			vs = append(vs, ledger.FieldViolation{Field: prefix + ".service", Rule: fmt.Sprintf("service %q has no tax heads configured", in[i].Service)})
			continue
		}
		vs = append(vs, in[i].validate(prefix, byService[in[i].Service])...)
		keys[i] = in[i].IdempotencyKey
	}
	if len(vs) > 0 {
		return nil, &ledger.ValidationError{Violations: vs}
	}

	var ids []int64
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var replay bool
		var err error
		if ids, replay, err = s.replayed(ctx, q, tenant, in, keys); err != nil || replay {
			return err
		}
		if err := s.refuseDuplicates(ctx, q, tenant, in); err != nil {
			return err
		}
		ids, err = s.raiseTx(ctx, tx, tenant, actor, src, in, byService)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Demands(ctx, tenant, ids)
}

// headsByService reads the tenant's tax heads, by service then code.
func (s *Service) headsByService(ctx context.Context, tenant string) (map[string]map[string]TaxHead, error) {
	heads, err := s.TaxHeads(ctx, tenant, "")
	if err != nil {
		return nil, err
	}
	byService := map[string]map[string]TaxHead{}
	for _, h := range heads {
		if byService[h.Service] == nil {
			byService[h.Service] = map[string]TaxHead{}
		}
		byService[h.Service][h.Code] = h
	}
	return byService, nil
}

// raiseTx writes checked demands and posts their accrual vouchers in the
// caller's transaction, returning the demands' ids in input order.
func (s *Service) raiseTx(ctx context.Context, tx pgx.Tx, tenant, actor string, src Source, in []DemandInput, heads map[string]map[string]TaxHead) ([]int64, error) {
	st, err := s.stageTx(ctx, tx, tenant, actor, src, in, heads)
	if err != nil {
		return nil, err
	}
	return st.ids, s.postStaged(ctx, tx, st)
}

// staged is demands written but whose accrual vouchers are not posted yet.
type staged struct {
	ids      []int64
	vouchers *ledger.Staged // their accrual vouchers, lines written
	// advances are what the demands' consumers hold, applied once the
	// accruals are posted (almost always none), by actor.
	advances      []heldAdvance
	tenant, actor string
}

// stageTx writes checked demands and their lines, naming accrual vouchers
// by ids reserved for them, which postStaged must then post in the same
// transaction. Split so that a demand run can write one batch's demands
// while the batch before it holds the ledger.
func (s *Service) stageTx(ctx context.Context, tx pgx.Tx, tenant, actor string, src Source, in []DemandInput, heads map[string]map[string]TaxHead) (staged, error) {
	vids, err := s.ledger.ReserveVoucherIDs(ctx, tx, len(in))
	if err != nil {
		return staged{}, err
	}
	// A demand raised for a year already closed is arrears from the start.
	arrears, err := dbq.New(tx).ArrearsYearList(ctx, tenant)
	if err != nil {
		return staged{}, fmt.Errorf("read arrears years: %w", err)
	}
	vouchers := make([]ledger.Voucher, len(in))
	for i := range in {
		vouchers[i] = in[i].accrual(heads[in[i].Service], slices.Contains(arrears, int32(ledger.FiscalYearOf(in[i].PeriodFrom))))
		vouchers[i].ID = vids[i]
	}
	st := staged{tenant: tenant, actor: actor}
	if st.vouchers, err = s.ledger.StageTx(ctx, tx, tenant, actor, vouchers); err != nil {
		return staged{}, renameVoucherFields(err)
	}
	if st.ids, err = insertDemands(ctx, tx, tenant, actor, src, in, vids); err != nil {
		return st, err
	}
	st.advances, err = lockAdvancesFor(ctx, dbq.New(tx), tenant, in)
	return st, err
}

// postStaged posts staged demands' accrual vouchers. A demand's voucher
// key is new whenever the demand is, so a voucher posted before fails it.
// Then the advances the demands' consumers hold are applied to them.
func (s *Service) postStaged(ctx context.Context, tx pgx.Tx, st staged) error {
	if _, err := s.ledger.PostStagedTx(ctx, tx, st.vouchers); err != nil {
		return renameVoucherFields(err)
	}
	if len(st.advances) > 0 {
		return s.applyAdvances(ctx, tx, st.tenant, st.actor, st)
	}
	return nil
}

// replayed reports whether every demand of the request was raised before
// with the same body (a replay), returning their ids; any other overlap
// with earlier keys is a conflict.
func (s *Service) replayed(ctx context.Context, q *dbq.Queries, tenant string, in []DemandInput, keys []string) ([]int64, bool, error) {
	rows, err := q.DemandByIdempotencyKeys(ctx, dbq.DemandByIdempotencyKeysParams{TenantID: tenant, Keys: keys})
	if err != nil {
		return nil, false, fmt.Errorf("look up idempotency keys: %w", err)
	}
	if len(rows) == 0 {
		return nil, false, nil
	}
	byKey := map[string]dbq.DemandByIdempotencyKeysRow{}
	for _, r := range rows {
		byKey[r.IdempotencyKey] = r
	}
	ids := make([]int64, len(in))
	for i := range in {
		r, ok := byKey[in[i].IdempotencyKey]
		if !ok || !bytes.Equal(r.RequestHash, in[i].requestHash()) {
			return nil, false, &ledger.ConflictError{Field: fmt.Sprintf("demands[%d].idempotency_key", i), Key: in[i].IdempotencyKey}
		}
		ids[i] = r.ID
	}
	return ids, true, nil
}

func (s *Service) refuseDuplicates(ctx context.Context, q *dbq.Queries, tenant string, in []DemandInput) error {
	arg := dbq.DemandExistingParams{TenantID: tenant}
	seen := map[string]int{}
	for i, d := range in {
		k := d.Service + "|" + d.ConsumerCode + "|" + d.PeriodFrom.Format(time.DateOnly)
		if j, dup := seen[k]; dup {
			return invalid(fmt.Sprintf("demands[%d]", i), "repeats the consumer and period of demands[%d]", j)
		}
		seen[k] = i
		arg.Services = append(arg.Services, d.Service)
		arg.ConsumerCodes = append(arg.ConsumerCodes, d.ConsumerCode)
		arg.PeriodsFrom = append(arg.PeriodsFrom, d.PeriodFrom)
	}
	rows, err := q.DemandExisting(ctx, arg)
	if err != nil {
		return fmt.Errorf("look up existing demands: %w", err)
	}
	if len(rows) > 0 {
		r := rows[0]
		i := seen[r.Service+"|"+r.ConsumerCode+"|"+r.PeriodFrom.Format(time.DateOnly)]
		return &ledger.ExistsError{What: fmt.Sprintf("demands[%d]: demand %d for %s of %s from %s", i, r.ID, r.Service,
			r.ConsumerCode, r.PeriodFrom.Format(time.DateOnly))}
	}
	return nil
}

// renameVoucherFields points a voucher error at the demand that caused it.
func renameVoucherFields(err error) error {
	var pe *ledger.PreconditionError
	if errors.As(err, &pe) {
		pe.Field = strings.Replace(pe.Field, "vouchers[", "demands[", 1)
	}
	return err
}

func insertDemands(ctx context.Context, tx pgx.Tx, tenant, actor string, src Source, in []DemandInput, voucherIDs []int64) ([]int64, error) {
	q := dbq.New(tx)
	ids, err := q.DemandIDsNext(ctx, int32(len(in)))
	if err != nil {
		return nil, fmt.Errorf("reserve demand ids: %w", err)
	}
	demands := make([]dbq.DemandInsertManyParams, len(in))
	var lines []dbq.DemandLineInsertManyParams
	for i, d := range in {
		for n, l := range d.Lines {
			lines = append(lines, dbq.DemandLineInsertManyParams{TenantID: tenant, DemandID: ids[i], LineNo: int16(n + 1),
				HeadCode: l.Head, Amount: l.Amount})
		}
		demands[i] = dbq.DemandInsertManyParams{TenantID: tenant, ID: ids[i], Service: d.Service, ConsumerCode: d.ConsumerCode,
			Ward: d.Ward, PeriodFrom: d.PeriodFrom, PeriodTo: d.PeriodTo, FiscalYear: int32(ledger.FiscalYearOf(d.PeriodFrom)),
			DemandDate: d.Date, DueDate: d.DueDate, Total: d.total(), Source: string(src), IdempotencyKey: d.IdempotencyKey,
			RequestHash: d.requestHash(), VoucherID: voucherIDs[i], CreatedBy: actor}
	}
	err = db.WriterTx(ctx, tx, func() error {
		if _, err := q.DemandInsertMany(ctx, demands); err != nil {
			return fmt.Errorf("copy demands: %w", err)
		}
		if _, err := q.DemandLineInsertMany(ctx, lines); err != nil {
			return fmt.Errorf("copy demand lines: %w", err)
		}
		return nil
	})
	return ids, err
}

// Demands reads demands with their lines, in the order of ids.
func (s *Service) Demands(ctx context.Context, tenant string, ids []int64) ([]Demand, error) {
	var out []Demand
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = readDemands(ctx, dbq.New(tx), tenant, ids)
		return err
	})
	return out, err
}

func readDemands(ctx context.Context, q *dbq.Queries, tenant string, ids []int64) ([]Demand, error) {
	rows, err := q.DemandGetMany(ctx, dbq.DemandGetManyParams{TenantID: tenant, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("read demands: %w", err)
	}
	lines, err := q.DemandLinesOf(ctx, dbq.DemandLinesOfParams{TenantID: tenant, DemandIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read demand lines: %w", err)
	}
	byID := map[int64]*Demand{}
	for _, r := range rows {
		byID[r.ID] = &Demand{ID: r.ID, TenantID: r.TenantID, Service: r.Service, ConsumerCode: r.ConsumerCode, Ward: r.Ward,
			PeriodFrom: r.PeriodFrom, PeriodTo: r.PeriodTo, FiscalYear: int(r.FiscalYear), Date: r.DemandDate,
			DueDate: r.DueDate, Total: r.Total, Source: Source(r.Source), IdempotencyKey: r.IdempotencyKey,
			VoucherID: r.VoucherID, CreatedBy: r.CreatedBy, InArrears: r.InArrears}
	}
	for _, l := range lines {
		d := byID[l.DemandID]
		line := DemandLine{LineNo: int(l.LineNo), Head: l.HeadCode, Amount: l.Amount, Adjusted: l.Adjusted,
			Collected: l.Collected, VoucherID: l.ChargeVoucherID}
		if l.ChargedThrough != nil {
			line.ChargedThrough = *l.ChargedThrough
		}
		d.Lines = append(d.Lines, line)
	}
	out := make([]Demand, 0, len(ids))
	for _, id := range ids {
		if d, ok := byID[id]; ok {
			out = append(out, *d)
		}
	}
	return out, nil
}
