package db_test

import (
	"os"
	"testing"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/tenancy"
)

// The amendments migration, taken down and applied again over a raised
// demand: the demand keeps its lines, adjusted starts at zero, and the old
// demand can be amended.
func TestAmendmentsMigrationOverRaisedDemands(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, dsn := dbtest.NewDBWithDSN(t)
	_, err := tenancy.NewService(pool).Create(ctx, "uk.dehradun", "Dehradun", 2026, "test")
	require.NoError(t, err)
	svc := billing.NewService(pool, ledger.New(pool, ledger.Config{}), nil)
	_, err = svc.SaveTaxHead(ctx, "uk.dehradun", billing.TaxHead{Service: "property_tax", Code: "PT", Name: "Property tax",
		Category: billing.Tax, Priority: 40, IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01",
		FunctionCode: "9091"}, "test")
	require.NoError(t, err)
	ds, err := svc.PostDemands(ctx, "uk.dehradun", "test", billing.FromRun, []billing.DemandInput{{Service: "property_tax",
		ConsumerCode: "PT-1", PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
		Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.June, 30), IdempotencyKey: "d1",
		Lines: []billing.DemandLineInput{{Head: "PT", Amount: decimal.RequireFromString("3600")}}}})
	require.NoError(t, err)
	pool.Close()

	sqlDB, err := goose.OpenDBWithDriver("pgx", dsn)
	require.NoError(t, err)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"))
	require.NoError(t, err)
	_, err = provider.DownTo(ctx, 4)
	require.NoError(t, err)
	var columns int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_name = 'demand_lines' AND column_name = 'adjusted'`).Scan(&columns))
	require.Zero(t, columns, "down removes adjusted")
	_, err = provider.Up(ctx)
	require.NoError(t, err)

	pool, err = db.Open(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	led := ledger.New(pool, ledger.Config{})
	svc = billing.NewService(pool, led, nil)
	got, err := svc.Demands(ctx, "uk.dehradun", []int64{ds[0].ID})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "3600.00", got[0].Lines[0].Amount.StringFixed(2))
	assert.True(t, got[0].Lines[0].Adjusted.IsZero())

	a, err := svc.ProposeAmendment(ctx, "uk.dehradun", "user:ravi", billing.AmendmentInput{DemandID: ds[0].ID, Kind: billing.Remission,
		Reason: "vacant", Date: ledger.Date(2026, time.May, 1), IdempotencyKey: "a1",
		Lines: []billing.AmendmentLineInput{{Head: "PT", Delta: decimal.RequireFromString("-600")}}})
	require.NoError(t, err)
	_, err = svc.ApproveAmendment(ctx, "uk.dehradun", a.ID, "user:meena")
	require.NoError(t, err)
	dues, err := svc.Dues(ctx, "uk.dehradun", "PT-1", "")
	require.NoError(t, err)
	assert.Equal(t, "3000.00", dues.Total.StringFixed(2))
	ties, err := svc.CheckDcbAgainstLedger(ctx, "uk.dehradun")
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "%+v", ties)
}
