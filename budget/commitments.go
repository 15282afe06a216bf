package budget

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// CommitmentInput is a sanctioned work or purchase order to reserve budget for.
type CommitmentInput struct {
	LineID         int64
	Kind           string // work_order or purchase_order
	Reference      string // the order's number, e.g. "WO/2026/14"
	Party          string // the contractor or supplier
	Date           time.Time
	Amount         decimal.Decimal
	IdempotencyKey string
}

// Commitment is a reservation of budget on a line.
type Commitment struct {
	ID             int64
	LineID         int64
	Kind           string
	Reference      string
	Party          string
	Date           time.Time
	Amount         decimal.Decimal
	Consumed       decimal.Decimal
	Status         string // open, closed (wholly consumed) or cancelled
	CreatedBy      string
	CancelledBy    string
	CancelReason   string
	IdempotencyKey string
}

// Open is what the commitment still reserves.
func (c Commitment) Open() decimal.Decimal {
	if c.Status != "open" {
		return decimal.Zero
	}
	return c.Amount.Sub(c.Consumed)
}

func commitmentOf(r dbq.BudgetCommitment) Commitment {
	return Commitment{ID: r.ID, LineID: r.LineID, Kind: r.Kind, Reference: r.Reference, Party: r.Party, Date: r.OrderDate,
		Amount: r.Amount, Consumed: r.Consumed, Status: r.Status, CreatedBy: r.CreatedBy, CancelledBy: r.CancelledBy.String,
		CancelReason: r.CancelReason, IdempotencyKey: r.IdempotencyKey}
}

func (in CommitmentInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%s|%q|%q|%s|%s", in.LineID, in.Kind, in.Reference, in.Party, in.Date.Format(time.DateOnly), in.Amount.StringFixed(2))
	return h.Sum(nil)
}

// Commit reserves budget for a sanctioned order on its line, under the
// line's lock and its control: a block-mode line refuses an order larger
// than what is available; a warn-mode line takes it and reports the Flag.
// The same key and order returns the first commitment.
func (s *Service) Commit(ctx context.Context, tenant, actor string, in CommitmentInput) (Commitment, []Flag, error) {
	var vs []ledger.FieldViolation
	if in.Kind != "work_order" && in.Kind != "purchase_order" {
		vs = append(vs, ledger.FieldViolation{Field: "kind", Rule: "must be work_order or purchase_order"})
	}
	if strings.TrimSpace(in.Reference) == "" {
		vs = append(vs, ledger.FieldViolation{Field: "reference", Rule: "is required: the order's number"})
	}
	if in.Date.IsZero() {
		vs = append(vs, ledger.FieldViolation{Field: "date", Rule: "is required"})
	}
	if in.IdempotencyKey == "" {
		vs = append(vs, ledger.FieldViolation{Field: "idempotency_key", Rule: "is required"})
	}
	if v := validAmount("amount", in.Amount, true); v != nil {
		vs = append(vs, *v)
	}
	if len(vs) > 0 {
		return Commitment{}, nil, &ledger.ValidationError{Violations: vs}
	}
	hash := in.hash()
	var (
		out   dbq.BudgetCommitment
		flags []Flag
	)
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		flags = nil
		q := dbq.New(tx)
		// The line first: a retry of the same order waits for the first
		// attempt and then finds its key.
		lines, err := lockLines(ctx, q, tenant, []int64{in.LineID})
		if err != nil {
			return err
		}
		prev, err := q.BudgetCommitmentByKey(ctx, dbq.BudgetCommitmentByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		l := lines[in.LineID]
		if fy := ledger.FiscalYearOf(in.Date); fy != l.FiscalYear {
			return invalid("date", "falls in %s; %s is of %s", ledger.FiscalYearLabel(fy), l.Label(), ledger.FiscalYearLabel(l.FiscalYear))
		}
		shortfall, err := check(l, in.Amount)
		if err != nil {
			return err
		}
		if shortfall.IsPositive() {
			flags = []Flag{{LineID: l.ID, Line: l.Label(), Shortfall: shortfall}}
		}
		out, err = q.BudgetCommitmentInsert(ctx, dbq.BudgetCommitmentInsertParams{TenantID: tenant, LineID: l.ID, Kind: in.Kind,
			Reference: in.Reference, Party: in.Party, OrderDate: in.Date, Amount: in.Amount, CreatedBy: actor,
			IdempotencyKey: in.IdempotencyKey, RequestHash: hash})
		if db.UniqueViolation(err) != "" {
			// The key was used, concurrently, for an order on another line.
			return &ledger.ConflictError{Field: "idempotency_key", Key: in.IdempotencyKey}
		}
		if err != nil {
			return fmt.Errorf("insert commitment: %w", err)
		}
		return q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: l.ID, Committed: in.Amount})
	})
	if err != nil {
		return Commitment{}, nil, err
	}
	return commitmentOf(out), flags, nil
}

// CancelCommitment cancels an open order: what it still reserves is
// released to its line. What bills already drew stays spent. Cancelling a
// cancelled commitment again is a no-op; a closed (wholly consumed) one is
// refused.
func (s *Service) CancelCommitment(ctx context.Context, tenant, actor string, id int64, reason string) (Commitment, error) {
	if strings.TrimSpace(reason) == "" {
		return Commitment{}, invalid("reason", "is required")
	}
	var out dbq.BudgetCommitment
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		got, err := q.BudgetCommitmentGetMany(ctx, dbq.BudgetCommitmentGetManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("read commitment: %w", err)
		}
		if len(got) == 0 {
			return &ledger.NotFoundError{What: fmt.Sprintf("commitment %d", id)}
		}
		// The line first, then the commitment: the order ChargeTx takes.
		if _, err := lockLines(ctx, q, tenant, []int64{got[0].LineID}); err != nil {
			return err
		}
		rows, err := q.BudgetCommitmentLockMany(ctx, dbq.BudgetCommitmentLockManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("lock commitment: %w", err)
		}
		out = rows[0]
		switch out.Status {
		case "cancelled":
			return nil
		case "closed":
			return refused("commitment_id", "commitment %d (%s) is wholly consumed by bills; cancel the bills instead", id, out.Reference)
		}
		open := out.Amount.Sub(out.Consumed)
		if _, err := q.BudgetCommitmentCancel(ctx, dbq.BudgetCommitmentCancelParams{TenantID: tenant, ID: id,
			CancelledBy: pgtype.Text{String: actor, Valid: true}, CancelReason: reason}); err != nil {
			return fmt.Errorf("cancel commitment: %w", err)
		}
		if err := q.BudgetLineAddTotals(ctx, dbq.BudgetLineAddTotalsParams{TenantID: tenant, ID: out.LineID, Committed: open.Neg()}); err != nil {
			return fmt.Errorf("release commitment: %w", err)
		}
		rows, err = q.BudgetCommitmentGetMany(ctx, dbq.BudgetCommitmentGetManyParams{TenantID: tenant, Ids: []int64{id}})
		if err != nil {
			return fmt.Errorf("read commitment: %w", err)
		}
		out = rows[0]
		return nil
	})
	if err != nil {
		return Commitment{}, err
	}
	return commitmentOf(out), nil
}

// Commitments lists a year's commitments, of one line when lineID is set.
func (s *Service) Commitments(ctx context.Context, tenant string, fiscalYear int, lineID int64) ([]Commitment, error) {
	var out []Commitment
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).BudgetCommitmentList(ctx, dbq.BudgetCommitmentListParams{TenantID: tenant, FiscalYear: int32(fiscalYear), LineID: lineID})
		for _, r := range rows {
			out = append(out, commitmentOf(r))
		}
		return err
	})
	return out, err
}
