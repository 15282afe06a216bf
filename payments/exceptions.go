package payments

import (
	"context"
	"errors"
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

// Kind is a kind of exception.
type Kind string

// The kinds of exception.
const (
	// CapturedNotReceipted: the gateway settled a payment we had not
	// receipted (no callback, webhook or poll saw it captured).
	// Reconciliation receipts it at once and resolves the exception.
	CapturedNotReceipted Kind = "captured_not_receipted"
	// ReceiptedNotCaptured: we receipted a payment the gateway no longer
	// shows captured.
	ReceiptedNotCaptured Kind = "receipted_not_captured"
	// AmountMismatch: a payment captured for other than its order's amount,
	// or settled for other than we receipted.
	AmountMismatch Kind = "amount_mismatch"
	// SettledUnknown: the gateway settled a payment or refund that is not
	// ours; held on 3504007 until identified.
	SettledUnknown Kind = "settled_unknown"
	// RefundPending: a refund initiated and not yet processed.
	RefundPending Kind = "refund_pending"
	// DuplicatePayment: a second capture for one checkout (held as advance;
	// refund it or keep it).
	DuplicatePayment Kind = "duplicate_payment"
	// SettlementMissing: a captured payment not settled within the
	// account's settlement window.
	SettlementMissing Kind = "settlement_missing"
)

// Exception is something the books and the gateway disagree on, open
// until someone (or reconciliation) resolves it.
type Exception struct {
	ID            int64
	Kind          Kind
	Reference     string // a payment, settlement item or settlement id
	TransactionID int64
	Amount        decimal.Decimal
	Detail        string
	RaisedAt      time.Time
	ResolvedAt    time.Time
	ResolvedBy    string
	Resolution    string
	// Age is how long it was (or has been) open.
	Age time.Duration
}

// Open reports whether the exception awaits resolution.
func (e Exception) Open() bool { return e.ResolvedAt.IsZero() }

func (s *Service) exceptionOf(r dbq.PaymentException) Exception {
	e := Exception{ID: r.ID, Kind: Kind(r.Kind), Reference: r.Reference, Amount: r.Amount, Detail: r.Detail, RaisedAt: r.RaisedAt}
	if r.TransactionID.Valid {
		e.TransactionID = r.TransactionID.Int64
	}
	end := s.now()
	if r.ResolvedAt != nil {
		e.ResolvedAt, end = *r.ResolvedAt, *r.ResolvedAt
		e.ResolvedBy, e.Resolution = r.ResolvedBy.String, r.Resolution.String
	}
	e.Age = end.Sub(r.RaisedAt)
	return e
}

// raise records an exception, once per kind and reference.
func (s *Service) raise(ctx context.Context, q *dbq.Queries, tenant string, k Kind, ref string, txn int64, amount decimal.Decimal, format string, args ...any) error {
	arg := dbq.PaymentExceptionRaiseParams{TenantID: tenant, Kind: string(k), Reference: ref, Amount: amount,
		Detail: fmt.Sprintf(format, args...), RaisedAt: s.now()}
	if txn != 0 {
		arg.TransactionID = pgtype.Int8{Int64: txn, Valid: true}
	}
	if err := q.PaymentExceptionRaise(ctx, arg); err != nil {
		return fmt.Errorf("raise %s exception: %w", k, err)
	}
	return nil
}

// resolveByRef resolves the open exception of kind on ref, if any.
func (s *Service) resolveByRef(ctx context.Context, q *dbq.Queries, tenant string, k Kind, ref, by, resolution string) error {
	now := s.now()
	return q.PaymentExceptionResolveByRef(ctx, dbq.PaymentExceptionResolveByRefParams{TenantID: tenant, Kind: string(k),
		Reference: ref, ResolvedAt: &now, ResolvedBy: pgtype.Text{String: by, Valid: true},
		Resolution: pgtype.Text{String: resolution, Valid: true}})
}

// ExceptionFilter narrows ListExceptions.
type ExceptionFilter struct {
	All  bool // resolved ones too; default open only
	Kind Kind
}

// ListExceptions returns exceptions oldest first, each with its age.
func (s *Service) ListExceptions(ctx context.Context, tenant string, f ExceptionFilter) ([]Exception, error) {
	var out []Exception
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := dbq.New(tx).PaymentExceptionList(ctx, dbq.PaymentExceptionListParams{TenantID: tenant, OpenOnly: !f.All,
			Kind: string(f.Kind), MaxRows: 1000})
		for _, r := range rows {
			out = append(out, s.exceptionOf(r))
		}
		return err
	})
	return out, err
}

// ResolveException closes an open exception with what was done about it.
func (s *Service) ResolveException(ctx context.Context, tenant, actor string, id int64, resolution string) (Exception, error) {
	if strings.TrimSpace(resolution) == "" {
		return Exception{}, invalid("resolution", "say what was done")
	}
	var out Exception
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		now := s.now()
		n, err := q.PaymentExceptionResolve(ctx, dbq.PaymentExceptionResolveParams{TenantID: tenant, ID: id, ResolvedAt: &now,
			ResolvedBy: pgtype.Text{String: actor, Valid: true}, Resolution: pgtype.Text{String: resolution, Valid: true}})
		if err != nil {
			return err
		}
		r, err := q.PaymentExceptionGet(ctx, dbq.PaymentExceptionGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("exception %d: %w", id, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		out = s.exceptionOf(r)
		if n == 0 && out.Resolution != resolution {
			return &ledger.PreconditionError{Field: "id", Reason: fmt.Sprintf("exception %d was resolved already", id)}
		}
		return nil
	})
	return out, err
}
