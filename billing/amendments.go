package billing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Amendments change what a raised demand asks for without touching it: one
// person proposes, another approves, and approval posts the amendment's own
// voucher and moves the demand lines' adjusted column in one transaction. A
// rejected amendment posts nothing; every amendment is kept.

// AmendmentKind is why a demand is amended.
type AmendmentKind string

// The kinds. All but a correction only reduce what is due.
const (
	Remission  AmendmentKind = "remission"   // granted by the ULB (vacancy, hardship)
	CourtOrder AmendmentKind = "court_order" // ordered by a court or tribunal; names the order
	WriteOff   AmendmentKind = "write_off"   // an irrecoverable due taken off the books
	Correction AmendmentKind = "correction"  // an error in the demand put right, up or down
)

var amendmentKinds = map[AmendmentKind]bool{Remission: true, CourtOrder: true, WriteOff: true, Correction: true}

// AmendmentStatus is where an amendment stands.
type AmendmentStatus string

// The statuses.
const (
	AmendmentProposed AmendmentStatus = "proposed"
	AmendmentApproved AmendmentStatus = "approved"
	AmendmentRejected AmendmentStatus = "rejected"
)

// The heads a reduction is charged to (DESIGN.md section 4), unless the
// head's income account is a liability: a cess collected for the state is
// the state's to lose, so its liability is reduced instead.
const (
	remissionAccount = "1109001" // tax remission and refund
	writeOffAccount  = "2703001" // revenues written off
)

// ErrAmendmentDecided reports a decision on an amendment already approved
// or rejected.
var ErrAmendmentDecided = errors.New("amendment already decided")

// ErrAmendmentExceedsBalance reports an amendment that, when approved,
// would reduce a line below what has been collected on it: the balance
// moved since it was proposed.
var ErrAmendmentExceedsBalance = errors.New("amendment exceeds the balance")

// AmendmentInput is an amendment to propose.
type AmendmentInput struct {
	DemandID  int64
	Kind      AmendmentKind
	Reason    string
	Reference string    // order, resolution or file number; required for a court order
	Date      time.Time // accounting date of the voucher approval posts
	// IdempotencyKey makes the proposal safe to retry.
	IdempotencyKey string
	Lines          []AmendmentLineInput
}

// AmendmentLineInput changes one head of the demand.
type AmendmentLineInput struct {
	Head  string
	Delta decimal.Decimal // negative reduces what is due; positive adds (a correction only)
}

// Amendment is a proposed, approved or rejected amendment.
type Amendment struct {
	ID             int64
	TenantID       string
	DemandID       int64
	Kind           AmendmentKind
	Reason         string
	Reference      string
	Date           time.Time
	Status         AmendmentStatus
	IdempotencyKey string
	ProposedBy     string
	ProposedAt     time.Time
	DecidedBy      string
	DecidedAt      *time.Time
	DecisionNote   string
	VoucherID      int64 // the voucher approval posted
	Lines          []AmendmentLine
}

// AmendmentLine is one head's change.
type AmendmentLine struct {
	LineNo int // the demand line amended
	Head   string
	Delta  decimal.Decimal
}

// validate checks what needs no database, naming fields as the RPC does.
func (in *AmendmentInput) validate() []ledger.FieldViolation {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if in.DemandID <= 0 {
		bad("demand_id", "is required")
	}
	if !amendmentKinds[in.Kind] {
		bad("kind", "must be one of remission, court_order, write_off, correction")
	}
	if strings.TrimSpace(in.Reason) == "" {
		bad("reason", "is required: say why the demand is amended")
	}
	if in.Kind == CourtOrder && strings.TrimSpace(in.Reference) == "" {
		bad("reference", "a court order amendment names the order (its number and date)")
	}
	if in.IdempotencyKey == "" {
		bad("idempotency_key", "is required")
	}
	if in.Date.IsZero() {
		bad("date", "is required")
	}
	if len(in.Lines) == 0 {
		bad("lines", "an amendment changes at least one head")
	}
	seen := map[string]int{}
	for i, l := range in.Lines {
		lp := fmt.Sprintf("lines[%d]", i)
		if j, dup := seen[l.Head]; dup {
			bad(lp+".head", "%q already appears in lines[%d]", l.Head, j)
		}
		seen[l.Head] = i
		switch {
		case l.Delta.IsZero():
			bad(lp+".delta", "must not be zero")
		case !l.Delta.Equal(l.Delta.Round(2)):
			bad(lp+".delta", "must have at most 2 decimals")
		case l.Delta.Abs().GreaterThanOrEqual(decimal.New(1, 15)):
			bad(lp+".delta", "must be less than 10^15 in size")
		case l.Delta.IsPositive() && in.Kind != Correction && amendmentKinds[in.Kind]:
			bad(lp+".delta", "a %s only reduces what is due: the delta must be negative (only a correction may add)", in.Kind)
		}
	}
	return vs
}

// requestHash fingerprints a proposal for idempotent replay.
func (in *AmendmentInput) requestHash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%q|%q|%s", in.DemandID, in.Kind, in.Reason, in.Reference, in.Date.Format(time.DateOnly))
	for _, l := range in.Lines {
		fmt.Fprintf(h, "|%s=%s", l.Head, l.Delta.StringFixed(2))
	}
	return h.Sum(nil)
}

// amendedLine is an amendment line matched with the demand line it changes.
type amendedLine struct {
	delta decimal.Decimal
	line  dbq.DemandLinesLockForAmendmentRow
}

// fit matches the amendment's heads with the demand's lines and checks each
// change against the line as it stands: a line keeps its sign and never
// falls below what has been collected on it.
func (in *AmendmentInput) fit(d dbq.DemandGetManyRow, lines []dbq.DemandLinesLockForAmendmentRow) ([]amendedLine, []ledger.FieldViolation) {
	var vs []ledger.FieldViolation
	bad := func(field, format string, args ...any) {
		vs = append(vs, ledger.FieldViolation{Field: field, Rule: fmt.Sprintf(format, args...)})
	}
	if in.Date.Before(d.DemandDate) {
		bad("date", "must not be before the demand's date (%s)", d.DemandDate.Format(time.DateOnly))
	}
	byHead := map[string]dbq.DemandLinesLockForAmendmentRow{}
	rupeeHead := ""
	for _, l := range lines {
		byHead[l.HeadCode] = l
		if l.Rounding == "rupee" && Category(l.Category) != RoundOff {
			rupeeHead = l.HeadCode
		}
	}
	out := make([]amendedLine, 0, len(in.Lines))
	net := decimal.Zero
	for i, al := range in.Lines {
		lp := fmt.Sprintf("lines[%d]", i)
		l, ok := byHead[al.Head]
		if !ok {
			bad(lp+".head", "%q is not a head of demand %d", al.Head, d.ID)
			continue
		}
		due := l.Amount.Add(l.Adjusted)
		after := due.Add(al.Delta)
		balance := due.Sub(l.Collected)
		switch {
		case l.Amount.IsNegative() && in.Kind != Correction:
			bad(lp+".head", "%q is a negative (round-off) line, which only a correction changes", al.Head)
		case !l.Amount.IsNegative() && after.LessThan(l.Collected):
			bad(lp+".delta", "a reduction of %s exceeds the balance %s of head %s (due %s, collected %s)",
				al.Delta.Neg().StringFixed(2), balance.StringFixed(2), al.Head, due.StringFixed(2), l.Collected.StringFixed(2))
		case l.Amount.IsNegative() && after.GreaterThan(l.Collected):
			bad(lp+".delta", "an increase of %s takes the negative line of head %s (due %s, collected %s) past zero or what was collected",
				al.Delta.StringFixed(2), al.Head, due.StringFixed(2), l.Collected.StringFixed(2))
		}
		net = net.Add(al.Delta)
		out = append(out, amendedLine{delta: al.Delta, line: l})
	}
	// A correction changes the demand as levied, so it keeps the demand in
	// whole rupees; a remission or write-off may take off any balance,
	// paise and all.
	if len(vs) == 0 && in.Kind == Correction && rupeeHead != "" && !net.Equal(net.Round(0)) {
		bad("lines", "head %q is levied to the rupee: the correction's net change (%s) must be whole rupees; put the difference on the round-off head",
			rupeeHead, net.StringFixed(2))
	}
	return out, vs
}

// voucher is what approving the amendment posts, line by line: a reduction
// debits the remission (or write-off) head and credits the consumer's
// receivable; a correction extends or reverses the head's accrual.
func (a *Amendment) voucher(d dbq.DemandGetManyRow, lines []amendedLine) ledger.Voucher {
	narration := fmt.Sprintf("%s of demand %d (%s %s, %s to %s): %s", kindLabel[a.Kind], d.ID, d.Service, d.ConsumerCode,
		d.PeriodFrom.Format(time.DateOnly), d.PeriodTo.Format(time.DateOnly), a.Reason)
	if a.Reference != "" {
		narration += "; ref. " + a.Reference
	}
	v := ledger.Voucher{Type: ledger.Journal, Date: a.Date, IdempotencyKey: fmt.Sprintf("amendment:%d", a.ID),
		SourceRef: fmt.Sprintf("AMENDMENT/%d/DEMAND/%d", a.ID, d.ID), Narration: narration}
	for _, al := range lines {
		h := al.line
		receivable := ledger.Line{AccountCode: TaxHead{ReceivableAccount: h.ReceivableAccount}.ReceivableFor(d.InArrears), FundCode: h.FundCode, FunctionCode: h.FunctionCode,
			FieldCode: d.Ward, Party: d.ConsumerCode}
		other := ledger.Line{AccountCode: h.IncomeAccount, FundCode: h.FundCode, FunctionCode: h.FunctionCode, FieldCode: d.Ward}
		if a.Kind != Correction && h.IncomeKind != "L" {
			other.AccountCode = remissionAccount
			if a.Kind == WriteOff {
				other.AccountCode = writeOffAccount
			}
		}
		amt := al.delta.Abs()
		if al.delta.IsNegative() {
			other.Debit, receivable.Credit = amt, amt
		} else {
			receivable.Debit, other.Credit = amt, amt
		}
		v.Lines = append(v.Lines, other, receivable)
	}
	return v
}

var kindLabel = map[AmendmentKind]string{Remission: "Remission", CourtOrder: "Court order", WriteOff: "Write-off", Correction: "Correction"}

// ProposeAmendment records an amendment for someone else to approve. It is
// checked now against the demand as it stands (the heads are the demand's,
// no line falls below what is collected) and again at approval. Replaying
// the same request returns the first proposal; the key reused with another
// body is a conflict.
func (s *Service) ProposeAmendment(ctx context.Context, tenant, actor string, in AmendmentInput) (Amendment, error) {
	if vs := in.validate(); len(vs) > 0 {
		return Amendment{}, &ledger.ValidationError{Violations: vs}
	}
	hash := in.requestHash()
	var id int64
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		var found bool
		var err error
		if id, found, err = replayedAmendment(ctx, q, tenant, in.IdempotencyKey, hash); err != nil || found {
			return err
		}
		d, lines, err := lockDemand(ctx, q, tenant, in.DemandID)
		if err != nil {
			return err
		}
		fitted, vs := in.fit(d, lines)
		if len(vs) > 0 {
			return &ledger.ValidationError{Violations: vs}
		}
		id, err = q.AmendmentInsert(ctx, dbq.AmendmentInsertParams{TenantID: tenant, DemandID: d.ID, Kind: string(in.Kind),
			Reason: in.Reason, Reference: in.Reference, AmendmentDate: in.Date, IdempotencyKey: in.IdempotencyKey,
			RequestHash: hash, ProposedBy: actor})
		if errors.Is(err, pgx.ErrNoRows) {
			// A concurrent request with the same key committed first.
			id, _, err = replayedAmendment(ctx, q, tenant, in.IdempotencyKey, hash)
			return err
		}
		if err != nil {
			return fmt.Errorf("insert amendment: %w", err)
		}
		arg := dbq.AmendmentLineInsertManyParams{TenantID: tenant, AmendmentID: id, DemandID: d.ID}
		for _, al := range fitted {
			arg.LineNos = append(arg.LineNos, al.line.LineNo)
			arg.Deltas = append(arg.Deltas, al.delta)
		}
		if err := q.AmendmentLineInsertMany(ctx, arg); err != nil {
			return fmt.Errorf("insert amendment lines: %w", err)
		}
		return nil
	})
	if err != nil {
		return Amendment{}, err
	}
	return s.amendment(ctx, tenant, id)
}

// replayedAmendment finds an earlier proposal under key: the same request
// is a replay, another is a conflict.
func replayedAmendment(ctx context.Context, q *dbq.Queries, tenant, key string, hash []byte) (int64, bool, error) {
	prev, err := q.AmendmentByIdempotencyKey(ctx, dbq.AmendmentByIdempotencyKeyParams{TenantID: tenant, IdempotencyKey: key})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("look up idempotency key: %w", err)
	case !bytes.Equal(prev.RequestHash, hash):
		return 0, false, &ledger.ConflictError{Field: "idempotency_key", Key: key}
	}
	return prev.ID, true, nil
}

// lockDemand reads a demand and locks its lines, in line order.
func lockDemand(ctx context.Context, q *dbq.Queries, tenant string, id int64) (dbq.DemandGetManyRow, []dbq.DemandLinesLockForAmendmentRow, error) {
	ds, err := q.DemandGetMany(ctx, dbq.DemandGetManyParams{TenantID: tenant, Ids: []int64{id}})
	if err != nil {
		return dbq.DemandGetManyRow{}, nil, fmt.Errorf("read demand: %w", err)
	}
	if len(ds) == 0 {
		return dbq.DemandGetManyRow{}, nil, &ledger.NotFoundError{What: fmt.Sprintf("demand %d", id)}
	}
	lines, err := q.DemandLinesLockForAmendment(ctx, dbq.DemandLinesLockForAmendmentParams{TenantID: tenant, DemandID: id})
	if err != nil {
		return dbq.DemandGetManyRow{}, nil, fmt.Errorf("lock demand lines: %w", err)
	}
	return ds[0], lines, nil
}

// lockAmendment reads an amendment that a checker may decide, holding it
// until the transaction ends so two checkers cannot decide it at once.
func lockAmendment(ctx context.Context, q *dbq.Queries, tenant string, id int64, checker, verb string) (Amendment, error) {
	row, err := q.AmendmentGetForUpdate(ctx, dbq.AmendmentGetForUpdateParams{TenantID: tenant, ID: id})
	if errors.Is(err, pgx.ErrNoRows) {
		return Amendment{}, &ledger.NotFoundError{What: fmt.Sprintf("amendment %d", id)}
	}
	if err != nil {
		return Amendment{}, fmt.Errorf("lock amendment: %w", err)
	}
	a := amendmentOf(row)
	switch {
	case a.Status != AmendmentProposed:
		reason := fmt.Sprintf("amendment %d is already %s by %s", id, a.Status, a.DecidedBy)
		if a.Status == AmendmentApproved {
			reason += fmt.Sprintf(" (voucher %d)", a.VoucherID)
		}
		return Amendment{}, &ledger.PreconditionError{Field: "amendment_id", Kind: ErrAmendmentDecided, Reason: reason}
	case a.ProposedBy == checker:
		return Amendment{}, &ledger.PreconditionError{Field: "amendment_id", Kind: ledger.ErrSelfApproval,
			Reason: fmt.Sprintf("%s proposed amendment %d and may not %s it: another approver must", checker, id, verb)}
	}
	lines, err := q.AmendmentLinesOf(ctx, dbq.AmendmentLinesOfParams{TenantID: tenant, AmendmentIds: []int64{id}})
	if err != nil {
		return Amendment{}, fmt.Errorf("read amendment lines: %w", err)
	}
	for _, l := range lines {
		a.Lines = append(a.Lines, AmendmentLine{LineNo: int(l.LineNo), Head: l.HeadCode, Delta: l.Delta})
	}
	return a, nil
}

// ApproveAmendment approves amendment id as checker, who must not be its
// proposer. Under the demand lines' locks it checks the amendment against
// the balances as they are now, then posts its voucher, adds its deltas to
// the lines' adjusted amounts and records the decision, all in one
// transaction. An amendment is decided once: approving it again is refused.
func (s *Service) ApproveAmendment(ctx context.Context, tenant string, id int64, checker string) (Amendment, error) {
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		a, err := lockAmendment(ctx, q, tenant, id, checker, "approve")
		if err != nil {
			return err
		}
		d, lines, err := lockDemand(ctx, q, tenant, a.DemandID)
		if err != nil {
			return err
		}
		in := AmendmentInput{DemandID: a.DemandID, Kind: a.Kind, Date: a.Date}
		for _, l := range a.Lines {
			in.Lines = append(in.Lines, AmendmentLineInput{Head: l.Head, Delta: l.Delta})
		}
		fitted, vs := in.fit(d, lines)
		if len(vs) > 0 {
			return &ledger.PreconditionError{Field: vs[0].Field, Kind: ErrAmendmentExceedsBalance,
				Reason: fmt.Sprintf("amendment %d no longer fits demand %d: %s", id, d.ID, vs[0].Rule)}
		}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, checker, []ledger.Voucher{a.voucher(d, fitted)})
		if err != nil {
			var pe *ledger.PreconditionError
			if errors.As(err, &pe) {
				pe.Field = strings.Replace(pe.Field, "vouchers[0].", "", 1)
			}
			return err
		}
		adjust := dbq.DemandLineAdjustParams{TenantID: tenant, DemandID: d.ID}
		for _, al := range fitted {
			adjust.LineNos = append(adjust.LineNos, al.line.LineNo)
			adjust.Deltas = append(adjust.Deltas, al.delta)
		}
		if err := q.DemandLineAdjust(ctx, adjust); err != nil {
			return fmt.Errorf("adjust demand lines: %w", err)
		}
		return decide(ctx, q, tenant, id, AmendmentApproved, checker, "", posted[0].ID)
	})
	if err != nil {
		return Amendment{}, err
	}
	return s.amendment(ctx, tenant, id)
}

// RejectAmendment refuses amendment id with a note; it is kept, and posts
// nothing. The checker must not be its proposer.
func (s *Service) RejectAmendment(ctx context.Context, tenant string, id int64, checker, note string) (Amendment, error) {
	if strings.TrimSpace(note) == "" {
		return Amendment{}, invalid("note", "is required: say why the amendment is rejected")
	}
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if _, err := lockAmendment(ctx, q, tenant, id, checker, "reject"); err != nil {
			return err
		}
		return decide(ctx, q, tenant, id, AmendmentRejected, checker, note, 0)
	})
	if err != nil {
		return Amendment{}, err
	}
	return s.amendment(ctx, tenant, id)
}

func decide(ctx context.Context, q *dbq.Queries, tenant string, id int64, status AmendmentStatus, checker, note string, voucherID int64) error {
	n, err := q.AmendmentDecide(ctx, dbq.AmendmentDecideParams{TenantID: tenant, ID: id, Status: string(status),
		DecidedBy: checker, DecisionNote: note, VoucherID: pgtype.Int8{Int64: voucherID, Valid: voucherID != 0}})
	if err != nil {
		return fmt.Errorf("record decision: %w", err)
	}
	if n != 1 {
		// The row is locked and was proposed: this cannot happen.
		return fmt.Errorf("record decision: amendment %d changed under its lock", id)
	}
	return nil
}

// AmendmentFilter selects amendments for ListAmendments.
type AmendmentFilter struct {
	DemandID  int64           // 0: every demand
	Status    AmendmentStatus // "": every status
	PageSize  int             // default 100, at most 1000
	PageToken string          // the previous page's next token (its last id)
}

// ListAmendments lists amendments in id order (oldest first), and the token
// of the next page ("" on the last page).
func (s *Service) ListAmendments(ctx context.Context, tenant string, f AmendmentFilter) ([]Amendment, string, error) {
	switch f.Status {
	case "", AmendmentProposed, AmendmentApproved, AmendmentRejected:
	default:
		return nil, "", invalid("status", "must be proposed, approved or rejected (or empty for all)")
	}
	var after int64
	if f.PageToken != "" {
		var err error
		if after, err = strconv.ParseInt(f.PageToken, 10, 64); err != nil || after < 0 {
			return nil, "", invalid("page_token", "is not a token this list returned")
		}
	}
	size := f.PageSize
	switch {
	case size <= 0:
		size = 100
	case size > 1000:
		size = 1000
	}
	var out []Amendment
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.AmendmentList(ctx, dbq.AmendmentListParams{TenantID: tenant, DemandID: f.DemandID, Status: string(f.Status),
			AfterID: after, RowLimit: int32(size + 1)})
		if err != nil {
			return fmt.Errorf("list amendments: %w", err)
		}
		out, err = withLines(ctx, q, tenant, rows)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > size {
		out = out[:size]
		next = strconv.FormatInt(out[size-1].ID, 10)
	}
	return out, next, nil
}

// amendment reads one amendment with its lines.
func (s *Service) amendment(ctx context.Context, tenant string, id int64) (Amendment, error) {
	var out []Amendment
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		rows, err := q.AmendmentGetMany(ctx, dbq.AmendmentGetManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("read amendment: %w", err)
		}
		out, err = withLines(ctx, q, tenant, rows)
		return err
	})
	if err != nil {
		return Amendment{}, err
	}
	if len(out) == 0 {
		return Amendment{}, &ledger.NotFoundError{What: fmt.Sprintf("amendment %d", id)}
	}
	return out[0], nil
}

func withLines(ctx context.Context, q *dbq.Queries, tenant string, rows []dbq.DemandAmendment) ([]Amendment, error) {
	out := make([]Amendment, len(rows))
	ids := make([]int64, len(rows))
	at := map[int64]int{}
	for i, r := range rows {
		out[i] = amendmentOf(r)
		ids[i] = r.ID
		at[r.ID] = i
	}
	lines, err := q.AmendmentLinesOf(ctx, dbq.AmendmentLinesOfParams{TenantID: tenant, AmendmentIds: ids})
	if err != nil {
		return nil, fmt.Errorf("read amendment lines: %w", err)
	}
	for _, l := range lines {
		a := &out[at[l.AmendmentID]]
		a.Lines = append(a.Lines, AmendmentLine{LineNo: int(l.LineNo), Head: l.HeadCode, Delta: l.Delta})
	}
	return out, nil
}

func amendmentOf(r dbq.DemandAmendment) Amendment {
	return Amendment{ID: r.ID, TenantID: r.TenantID, DemandID: r.DemandID, Kind: AmendmentKind(r.Kind), Reason: r.Reason,
		Reference: r.Reference, Date: r.AmendmentDate, Status: AmendmentStatus(r.Status), IdempotencyKey: r.IdempotencyKey,
		ProposedBy: r.ProposedBy, ProposedAt: r.ProposedAt, DecidedBy: r.DecidedBy.String, DecidedAt: r.DecidedAt,
		DecisionNote: r.DecisionNote, VoucherID: r.VoucherID.Int64}
}
