package payments

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
)

// CheckoutResult is the checkout's success callback.
type CheckoutResult struct {
	OrderID   string
	PaymentID string
	Signature string
}

// ConfirmCheckout takes the checkout's success callback. The signature
// (HMAC of order and payment id under the key secret) is checked in
// constant time; a forged one is audited and refused. The payment itself
// is then read from the gateway, never taken from the browser's word, and
// applied as the webhook or poller would apply it. A gateway that does not
// answer leaves the transaction PENDING, for the poller: never FAILED.
func (s *Service) ConfirmCheckout(ctx context.Context, tenant, actor string, cb CheckoutResult) (Transaction, error) {
	gw, acct, err := s.gateway(tenant)
	if err != nil {
		return Transaction{}, err
	}
	if !gateway.VerifyCheckout(acct.KeySecret, cb.OrderID, cb.PaymentID, cb.Signature) {
		s.forged(ctx, tenant, actor, "checkout callback", fmt.Sprintf("order %s, payment %s", cb.OrderID, cb.PaymentID))
		return Transaction{}, ErrForged
	}
	t, err := s.byOrder(ctx, tenant, cb.OrderID)
	if err != nil {
		return Transaction{}, err
	}
	p, err := gw.FetchPayment(ctx, cb.PaymentID)
	switch {
	case gateway.Unreachable(err):
		s.log.WarnContext(ctx, "gateway unreachable at checkout; left pending for the poller", "tenant", tenant,
			"transaction", t.ID, "err", err)
		if err := s.markPending(ctx, tenant, t.ID, err.Error()); err != nil {
			return Transaction{}, err
		}
		return s.Get(ctx, tenant, t.ID)
	case err != nil:
		return Transaction{}, err
	case p.OrderID != cb.OrderID:
		s.forged(ctx, tenant, actor, "checkout callback", fmt.Sprintf("payment %s is of order %s, not %s", p.ID, p.OrderID, cb.OrderID))
		return Transaction{}, ErrForged
	}
	if err := s.apply(ctx, tenant, viaCallback, p); err != nil {
		return Transaction{}, err
	}
	return s.Get(ctx, tenant, t.ID)
}

func (s *Service) byOrder(ctx context.Context, tenant, orderID string) (dbq.GatewayTransaction, error) {
	var t dbq.GatewayTransaction
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		t, err = dbq.New(tx).GatewayTxnByOrder(ctx, dbq.GatewayTxnByOrderParams{TenantID: tenant,
			OrderID: pgtype.Text{String: orderID, Valid: true}})
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return t, fmt.Errorf("order %s: %w", orderID, ErrUnknownOrder)
	}
	return t, err
}

// markPending moves a CREATED transaction to PENDING (a payment is under
// way that we could not read) and has it polled at once.
func (s *Service) markPending(ctx context.Context, tenant string, id int64, why string) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		t, err := q.GatewayTxnLock(ctx, dbq.GatewayTxnLockParams{TenantID: tenant, ID: id})
		if err != nil {
			return err
		}
		if Status(t.Status) == Created || Status(t.Status) == Failed {
			if err := q.GatewayTxnSetStatus(ctx, dbq.GatewayTxnSetStatusParams{TenantID: tenant, ID: id, Status: string(Pending)}); err != nil {
				return err
			}
		}
		now := s.now()
		return q.GatewayTxnPolled(ctx, dbq.GatewayTxnPolledParams{TenantID: tenant, ID: id, NextPollAt: &now, LastError: why})
	})
}

// forged audits a signature that did not verify.
func (s *Service) forged(ctx context.Context, tenant, actor, what, detail string) {
	s.log.WarnContext(ctx, "forged gateway signature", "tenant", tenant, "what", what, "detail", detail)
	err := s.audit.Record(ctx, auth.Event{TenantID: tenant, Principal: cmp.Or(actor, "anonymous"),
		Procedure: "payments: " + what, Code: "permission_denied", Detail: "signature did not verify: " + detail, At: s.now()})
	if err != nil {
		s.log.ErrorContext(ctx, "audit forged signature", "err", err)
	}
}
