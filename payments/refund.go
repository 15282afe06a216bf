package payments

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// Refund statuses.
const (
	RefundProposed  = "proposed"
	RefundApproved  = "approved" // sent, or being sent, to the gateway
	RefundProcessed = "processed"
	RefundFailed    = "failed"
)

// RefundInput proposes returning (part of) a captured payment.
type RefundInput struct {
	IdempotencyKey string
	PaymentID      string
	Amount         decimal.Decimal
	Reason         string
}

// Refund is a refund of an online payment.
type Refund struct {
	ID           int64
	PaymentID    string
	RefundID     string // the gateway's, once processed
	Amount       decimal.Decimal
	Reason       string
	Service      string
	ConsumerCode string // whose advance it returns
	ReceiptID    int64
	Status       string
	ProposedBy   string
	ProposedAt   time.Time
	ApprovedBy   string
	VoucherID    int64
	Failure      string
}

func refundOf(r dbq.GatewayRefund) Refund {
	out := Refund{ID: r.ID, PaymentID: r.PaymentID, RefundID: r.RefundID.String, Amount: r.Amount, Reason: r.Reason,
		Service: r.Service, ConsumerCode: r.ConsumerCode, ReceiptID: r.ReceiptID, Status: r.Status, ProposedBy: r.ProposedBy,
		ProposedAt: r.ProposedAt, ApprovedBy: r.ApprovedBy.String, VoucherID: r.VoucherID.Int64, Failure: r.Failure}
	return out
}

func (in *RefundInput) hash() []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%q", in.PaymentID, in.Amount.StringFixed(2), in.Reason)
	return h.Sum(nil)
}

// InitiateRefund proposes a refund of a captured payment: the money must
// still be held as advance by a consumer the payment's receipt paid for
// (dues it settled are not refunded; cancel the receipt for that), and the
// payment's refunds may not exceed it. Another must approve it
// (ApproveRefund). A refund_pending exception stays open until the gateway
// has processed it.
func (s *Service) InitiateRefund(ctx context.Context, tenant, actor string, in RefundInput) (Refund, error) {
	if _, _, err := s.gateway(tenant); err != nil {
		return Refund{}, err
	}
	switch {
	case in.IdempotencyKey == "":
		return Refund{}, invalid("idempotency_key", "is required")
	case !in.Amount.IsPositive() || !in.Amount.Equal(in.Amount.Round(2)):
		return Refund{}, invalid("amount", "must be more than zero, with at most 2 decimals")
	case strings.TrimSpace(in.Reason) == "":
		return Refund{}, invalid("reason", "is required")
	}
	hash := in.hash()
	var out dbq.GatewayRefund
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		prev, err := q.GatewayRefundByKey(ctx, dbq.GatewayRefundByKeyParams{TenantID: tenant, IdempotencyKey: in.IdempotencyKey})
		if replay, err := ledger.Replayed(err, prev.RequestHash, hash, in.IdempotencyKey); err != nil || replay {
			out = prev
			return err
		}
		p, err := q.GatewayPaymentGet(ctx, dbq.GatewayPaymentGetParams{TenantID: tenant, PaymentID: in.PaymentID})
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.ReceiptID.Valid) {
			return invalid("payment_id", "%s is not a captured payment of ours", in.PaymentID)
		}
		if err != nil {
			return err
		}
		claimed, err := q.GatewayRefundsOfPayment(ctx, dbq.GatewayRefundsOfPaymentParams{TenantID: tenant, PaymentID: in.PaymentID})
		if err != nil {
			return err
		}
		if left := p.Amount.Sub(claimed.Claimed); in.Amount.GreaterThan(left) {
			return invalid("amount", "payment %s has %s left to refund", in.PaymentID, left.StringFixed(2))
		}
		r, err := receipts.GetTx(ctx, tx, tenant, p.ReceiptID.Int64)
		if err != nil {
			return err
		}
		var from *billing.ConsumerKey
		for _, it := range r.Items {
			if it.Advance.IsPositive() {
				from = &billing.ConsumerKey{Service: it.Service, ConsumerCode: it.ConsumerCode}
				break
			}
		}
		if from == nil {
			return &ledger.PreconditionError{Field: "payment_id", Reason: fmt.Sprintf(
				"receipt %s of payment %s settled dues and left no advance: there is nothing to refund", r.Number, in.PaymentID)}
		}
		held, err := s.billing.LockConsumers(ctx, tx, tenant, []billing.ConsumerKey{*from})
		if err != nil {
			return err
		}
		if bal := held[*from].Balance; in.Amount.GreaterThan(bal) {
			return &ledger.PreconditionError{Field: "amount", Reason: fmt.Sprintf(
				"%s holds %s as advance for %s: no more can be refunded", from.ConsumerCode, bal.StringFixed(2), from.Service)}
		}
		out, err = q.GatewayRefundInsert(ctx, dbq.GatewayRefundInsertParams{TenantID: tenant, PaymentID: in.PaymentID,
			Amount: in.Amount, Reason: in.Reason, Service: from.Service, ConsumerCode: from.ConsumerCode, ReceiptID: r.ID,
			IdempotencyKey: in.IdempotencyKey, RequestHash: hash, ProposedBy: actor, ProposedAt: s.now()})
		if err != nil {
			return fmt.Errorf("record refund: %w", err)
		}
		return s.raise(ctx, q, tenant, RefundPending, fmt.Sprintf("refund:%d", out.ID), p.TransactionID, in.Amount,
			"refund of %s of payment %s to %s proposed by %s: %s", in.Amount.StringFixed(2), in.PaymentID, from.ConsumerCode, actor, in.Reason)
	})
	if err != nil {
		return Refund{}, err
	}
	return refundOf(out), nil
}

// ApproveRefund approves a proposed refund (never its proposer's) and
// sends it to the gateway. Once the gateway has processed it, the refund
// voucher posts (the consumer's advance Dr, 4501002 Cr), the advance is
// reduced and the refund_pending exception resolved. If the gateway does
// not answer the refund stays approved and the same call again finishes it,
// asking the gateway first whether the first attempt went through, so the
// money is never refunded twice.
func (s *Service) ApproveRefund(ctx context.Context, tenant, actor string, id int64) (Refund, error) {
	gw, _, err := s.gateway(tenant)
	if err != nil {
		return Refund{}, err
	}
	var r dbq.GatewayRefund
	retry := false
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		r, err = q.GatewayRefundLock(ctx, dbq.GatewayRefundLockParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("refund %d: %w", id, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if r.ProposedBy == actor {
			return fmt.Errorf("refund %d was proposed by %s, who may not approve it too: %w", id, actor, ledger.ErrSelfApproval)
		}
		switch r.Status {
		case RefundProposed:
			now := s.now()
			return q.GatewayRefundApprove(ctx, dbq.GatewayRefundApproveParams{TenantID: tenant, ID: id,
				ApprovedBy: pgtype.Text{String: actor, Valid: true}, ApprovedAt: &now})
		case RefundApproved:
			retry = true
			return nil
		}
		return nil
	})
	if err != nil {
		return Refund{}, err
	}
	if r.Status == RefundProcessed || r.Status == RefundFailed {
		return refundOf(r), nil
	}
	if retry {
		// Did the first attempt reach the gateway? Then do not send it again.
		p, err := gw.FetchPayment(ctx, r.PaymentID)
		if err != nil {
			return Refund{}, err
		}
		var done decimal.Decimal
		err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			c, err := dbq.New(tx).GatewayRefundsOfPayment(ctx, dbq.GatewayRefundsOfPaymentParams{TenantID: tenant, PaymentID: r.PaymentID})
			done = c.Processed
			return err
		})
		if err != nil {
			return Refund{}, err
		}
		if rupees(p.AmountRefunded).GreaterThanOrEqual(done.Add(r.Amount)) {
			return s.bookRefund(ctx, tenant, actor, id, "")
		}
	}
	g, err := gw.Refund(ctx, r.PaymentID, paise(r.Amount))
	var ge *gateway.Error
	switch {
	case errors.As(err, &ge) && !ge.Unreachable():
		ferr := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			q := dbq.New(tx)
			if err := q.GatewayRefundFailed(ctx, dbq.GatewayRefundFailedParams{TenantID: tenant, ID: id, Failure: ge.Error()}); err != nil {
				return err
			}
			return s.resolveByRef(ctx, q, tenant, RefundPending, fmt.Sprintf("refund:%d", id), Actor, "the gateway refused: "+ge.Description)
		})
		return Refund{}, errors.Join(err, ferr)
	case err != nil:
		return Refund{}, err // unreachable: approved, open; call again
	}
	return s.bookRefund(ctx, tenant, actor, id, g.ID)
}

// bookRefund records a refund the gateway made: the voucher, the advance
// and the exception, in one transaction.
func (s *Service) bookRefund(ctx context.Context, tenant, actor string, id int64, refundID string) (Refund, error) {
	var out dbq.GatewayRefund
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		r, err := q.GatewayRefundLock(ctx, dbq.GatewayRefundLockParams{TenantID: tenant, ID: id})
		if err != nil {
			return err
		}
		if r.Status != RefundApproved {
			out = r
			return nil
		}
		key := billing.ConsumerKey{Service: r.Service, ConsumerCode: r.ConsumerCode}
		held, err := s.billing.LockConsumers(ctx, tx, tenant, []billing.ConsumerKey{key})
		if err != nil {
			return err
		}
		adv := held[key]
		y, m, d := s.now().In(gateway.IST).Date()
		v := ledger.Voucher{Type: ledger.Payment, Date: ledger.Date(y, m, d), IdempotencyKey: fmt.Sprintf("refund:%d", id),
			SourceRef: cmp.Or(refundID, r.PaymentID),
			Narration: fmt.Sprintf("Refund %s of online payment %s to %s (%s): %s", cmp.Or(refundID, "(id not known)"), r.PaymentID,
				r.ConsumerCode, r.Service, r.Reason),
			Lines: []ledger.Line{
				{AccountCode: adv.Account, FundCode: adv.FundCode, FunctionCode: adv.FunctionCode, FieldCode: adv.Ward,
					Party: r.ConsumerCode, Debit: r.Amount},
				{AccountCode: Clearing, FundCode: municipalFund, FunctionCode: financeFunction, Credit: r.Amount},
			}}
		posted, err := s.ledger.PostTx(ctx, tx, tenant, actor, []ledger.Voucher{v})
		if err != nil {
			return err
		}
		if err := s.billing.MoveAdvance(ctx, tx, tenant, billing.AdvanceMove{Service: r.Service, ConsumerCode: r.ConsumerCode,
			Amount: r.Amount.Neg(), Reason: billing.AdvanceRefunded, ReceiptID: r.ReceiptID, VoucherID: posted[0].ID}); err != nil {
			return err
		}
		if err := q.GatewayRefundProcessed(ctx, dbq.GatewayRefundProcessedParams{TenantID: tenant, ID: id,
			RefundID: pgtype.Text{String: refundID, Valid: refundID != ""}, VoucherID: pgtype.Int8{Int64: posted[0].ID, Valid: true}}); err != nil {
			return err
		}
		if err := s.resolveByRef(ctx, q, tenant, RefundPending, fmt.Sprintf("refund:%d", id), Actor, "processed by the gateway"); err != nil {
			return err
		}
		out, err = q.GatewayRefundGet(ctx, dbq.GatewayRefundGetParams{TenantID: tenant, ID: id})
		return err
	})
	return refundOf(out), err
}
