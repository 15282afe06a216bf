package payments_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/razorpaysim"
)

// TestDatabaseGuardsTheStateMachine moves rows by hand, past the Go code:
// the database itself refuses every step back.
func TestDatabaseGuardsTheStateMachine(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.raise(t, "PT-1")
	tx := b.order(t, "k1", "PT-1", "3780")
	_, err := b.sim.Pay(tx.OrderID, razorpaysim.Pay{})
	require.NoError(t, err)
	got := b.get(t, tx.ID)
	for _, tc := range []struct {
		name, sql string
		arg       any
	}{
		{"a successful transaction never goes back to pending", `UPDATE gateway_transactions SET status = 'pending' WHERE id = $1`, got.ID},
		{"a successful transaction never fails", `UPDATE gateway_transactions SET status = 'failed' WHERE id = $1`, got.ID},
		{"nothing returns to created", `UPDATE gateway_transactions SET status = 'created' WHERE id = $1`, got.ID},
		{"an order never changes", `UPDATE gateway_transactions SET order_id = 'order_other' WHERE id = $1`, got.ID},
		{"a captured payment never fails", `UPDATE gateway_payments SET status = 'failed' WHERE payment_id = $1`, got.Payments[0].PaymentID},
		{"a captured payment keeps its receipt", `UPDATE gateway_payments SET receipt_id = NULL, status = 'authorized' WHERE payment_id = $1`, got.Payments[0].PaymentID},
		{"a payment is never deleted", `DELETE FROM gateway_payments WHERE payment_id = $1`, got.Payments[0].PaymentID},
		{"a webhook event is never forgotten", `DELETE FROM gateway_webhook_events WHERE payment_id = $1`, got.Payments[0].PaymentID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
				_, err := tx.Exec(b.ctx, tc.sql, tc.arg)
				return err
			})
			require.Error(t, err)
		})
	}
	// Forward is allowed: a refund.
	require.NoError(t, db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		_, err := tx.Exec(b.ctx, `UPDATE gateway_transactions SET status = 'refunded' WHERE id = $1`, got.ID)
		return err
	}))
}
