package payments

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/receipts"
)

// How we first heard of a payment.
const (
	viaCallback = "callback"
	viaWebhook  = "webhook"
	viaPoll     = "poll"
)

// rank orders a payment's statuses: a report never moves a payment back
// (webhooks arrive in any order, and a poll may read an older replica).
// A failed payment may still be captured: the gateway's capture wins.
var rank = map[string]int{gateway.PaymentCreated: 0, gateway.PaymentAuthorized: 1, gateway.PaymentFailed: 2,
	gateway.PaymentCaptured: 3, gateway.PaymentRefunded: 4}

// apply takes what the gateway says of a payment, in its own transaction.
func (s *Service) apply(ctx context.Context, tenant, via string, p gateway.Payment) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return s.applyTx(ctx, tx, tenant, via, p)
	})
}

// applyTx is the one transition that callback, webhook and poller share.
// Under the lock of the payment's transaction it records the payment (or
// moves it forward), receipts it the first time it is seen captured, and
// moves the transaction: SUCCESS once any payment is captured, FAILED when
// every payment failed (the gateway said so), PENDING otherwise. Applying
// the same report twice changes nothing.
func (s *Service) applyTx(ctx context.Context, tx pgx.Tx, tenant, via string, p gateway.Payment) error {
	if p.ID == "" || p.OrderID == "" {
		return fmt.Errorf("gateway payment %q of order %q: incomplete report", p.ID, p.OrderID)
	}
	if _, ok := rank[p.Status]; !ok {
		return fmt.Errorf("gateway payment %s: unknown status %q", p.ID, p.Status)
	}
	q := dbq.New(tx)
	t, err := q.GatewayTxnLockByOrder(ctx, dbq.GatewayTxnLockByOrderParams{TenantID: tenant,
		OrderID: pgtype.Text{String: p.OrderID, Valid: true}})
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("order %s: %w", p.OrderID, ErrUnknownOrder)
	}
	if err != nil {
		return fmt.Errorf("lock gateway transaction: %w", err)
	}
	amount := rupees(p.Amount)
	row, err := q.GatewayPaymentInsert(ctx, dbq.GatewayPaymentInsertParams{TenantID: tenant, PaymentID: p.ID,
		TransactionID: t.ID, Amount: amount, Method: p.Method, SeenVia: via})
	if err != nil {
		return fmt.Errorf("record gateway payment: %w", err)
	}
	if row.TransactionID != t.ID {
		return fmt.Errorf("gateway payment %s is of another order", p.ID)
	}
	upd := dbq.GatewayPaymentUpdateParams{TenantID: tenant, PaymentID: p.ID, Status: row.Status, Amount: row.Amount,
		Fee: row.Fee, Tax: row.Tax, AmountRefunded: row.AmountRefunded, ErrorCode: row.ErrorCode, ErrorText: row.ErrorText,
		ReceiptID: row.ReceiptID, CapturedAt: row.CapturedAt}
	if rank[p.Status] > rank[row.Status] {
		upd.Status = p.Status
	}
	if rank[p.Status] >= rank[row.Status] {
		upd.Amount, upd.ErrorCode, upd.ErrorText = amount, p.ErrorCode, p.ErrorDescription
		if p.Captured {
			upd.Fee, upd.Tax = rupees(p.Fee), rupees(p.Tax)
		}
	}
	if r := rupees(p.AmountRefunded); r.GreaterThan(upd.AmountRefunded) {
		upd.AmountRefunded = r
	}
	if captured := upd.Status == gateway.PaymentCaptured || upd.Status == gateway.PaymentRefunded; captured && !row.ReceiptID.Valid {
		items, err := q.GatewayTxnItems(ctx, dbq.GatewayTxnItemsParams{TenantID: tenant, TransactionIds: []int64{t.ID}})
		if err != nil {
			return err
		}
		id, err := s.receipts.CollectOnlineTx(ctx, tx, tenant, Actor, receipts.OnlinePayment{PaymentID: p.ID,
			Gateway: "Razorpay", Amount: upd.Amount, PayerName: t.PayerName, Items: split(upd.Amount, items)})
		if err != nil {
			return fmt.Errorf("receipt payment %s: %w", p.ID, err)
		}
		now := s.now()
		upd.ReceiptID, upd.CapturedAt = pgtype.Int8{Int64: id, Valid: true}, &now
		if err := s.flagCapture(ctx, q, tenant, t, p.ID, upd.Amount); err != nil {
			return err
		}
	}
	if err := q.GatewayPaymentUpdate(ctx, upd); err != nil {
		return fmt.Errorf("move gateway payment: %w", err)
	}
	return s.settleStatus(ctx, q, tenant, t)
}

// flagCapture raises the exceptions a capture may show: an amount other
// than the order's, and a second capture of one checkout.
func (s *Service) flagCapture(ctx context.Context, q *dbq.Queries, tenant string, t dbq.GatewayTransaction, paymentID string, amount decimal.Decimal) error {
	if !amount.Equal(t.Amount) {
		if err := s.raise(ctx, q, tenant, AmountMismatch, paymentID, t.ID, amount.Sub(t.Amount),
			"payment %s captured %s for order %s of %s; receipted for what was captured", paymentID, amount.StringFixed(2),
			t.OrderID.String, t.Amount.StringFixed(2)); err != nil {
			return err
		}
	}
	pays, err := q.GatewayPaymentsOf(ctx, dbq.GatewayPaymentsOfParams{TenantID: tenant, TransactionIds: []int64{t.ID}})
	if err != nil {
		return err
	}
	for _, o := range pays {
		if o.PaymentID != paymentID && o.ReceiptID.Valid {
			return s.raise(ctx, q, tenant, DuplicatePayment, paymentID, t.ID, amount,
				"order %s paid again by %s after %s; held as advance: refund it or keep it", t.OrderID.String, paymentID, o.PaymentID)
		}
	}
	return nil
}

// settleStatus moves a transaction to what its payments say.
func (s *Service) settleStatus(ctx context.Context, q *dbq.Queries, tenant string, t dbq.GatewayTransaction) error {
	pays, err := q.GatewayPaymentsOf(ctx, dbq.GatewayPaymentsOfParams{TenantID: tenant, TransactionIds: []int64{t.ID}})
	if err != nil {
		return err
	}
	next := statusOf(Status(t.Status), pays)
	if next == Status(t.Status) {
		return nil
	}
	return q.GatewayTxnSetStatus(ctx, dbq.GatewayTxnSetStatusParams{TenantID: tenant, ID: t.ID, Status: string(next)})
}

// statusOf is a transaction's status given its payments.
func statusOf(cur Status, pays []dbq.GatewayPayment) Status {
	if cur == Refunded {
		return cur
	}
	var captured, open, failed bool
	refunded := cur == Success
	for _, p := range pays {
		switch p.Status {
		case gateway.PaymentCaptured, gateway.PaymentRefunded:
			captured = true
			refunded = refunded && p.Status == gateway.PaymentRefunded
		case gateway.PaymentFailed:
			failed = true
		default:
			open = true
		}
	}
	switch {
	case cur == Success && refunded:
		return Refunded // every captured payment refunded in full
	case captured:
		return Success
	case open:
		return Pending
	case failed:
		return Failed
	}
	return cur
}

// split shares a captured amount among the checkout's consumers: each in
// turn up to what it was opened for, anything over to the last (their
// dues decide what becomes advance).
func split(amount decimal.Decimal, items []dbq.GatewayTransactionItem) []receipts.ItemInput {
	var out []receipts.ItemInput
	left := amount
	for i, it := range items {
		take := decimal.Min(left, it.Amount)
		if i == len(items)-1 {
			take = left
		}
		if take.IsPositive() {
			out = append(out, receipts.ItemInput{Service: it.Service, ConsumerCode: it.ConsumerCode, Amount: take})
		}
		left = left.Sub(take)
	}
	return out
}
