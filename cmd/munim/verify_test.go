package main

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The demo's books pass verification; after one line is edited behind the
// immutability trigger, verify fails.
func TestVerifyPassesTheDemoAndFailsAfterTampering(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	ctx, pool, led := d.ctx, d.pool, d.app.ledger
	require.NoError(t, verifyTenant(ctx, led, demoTenant))

	tb, err := led.TrialBalance(ctx, demoTenant, ledger.Date(2026, 10, 31), "")
	require.NoError(t, err)
	assert.True(t, tb.Balanced())

	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		_, err = tx.Exec(ctx, `
			ALTER TABLE voucher_lines DISABLE TRIGGER voucher_lines_immutable;
			UPDATE voucher_lines SET debit = debit + 1 WHERE tenant_id = 'uk.dehradun' AND voucher_id = (SELECT min(id) + 100 FROM vouchers) AND debit > 0;
			ALTER TABLE voucher_lines ENABLE TRIGGER voucher_lines_immutable;`)
		require.NoError(t, err)
	})
	assert.ErrorIs(t, verifyTenant(ctx, led, demoTenant), errVerifyFailed)
}
