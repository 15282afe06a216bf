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
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/tenancy"
)

// An advance applied before migration 00016 recorded what applications
// settle: a dishonour of the cheque that brought it still reinstates the
// demand that took it, line by line (worked out again from the lines as
// raised), and the books tie.
func TestDishonourOfAnAdvanceAppliedBeforeItsLinesWereRecorded(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	const tenant = "uk.dehradun"
	now := func() time.Time {
		return time.Date(2026, time.May, 10, 10, 30, 0, 0, time.FixedZone("IST", 5*3600+1800))
	}
	services := func(t *testing.T, dsn string) (*billing.Service, *receipts.Service) {
		pool, err := db.Open(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		led := ledger.New(pool, ledger.Config{Now: now})
		bill := billing.NewService(pool, led, now)
		rs, err := receipts.NewService(pool, led, bill, receipts.Config{Now: now})
		require.NoError(t, err)
		return bill, rs
	}
	pool, dsn := dbtest.NewDBWithDSN(t)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	pool.Close()
	bill, rs := services(t, dsn)
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "test")
		require.NoError(t, err)
	}
	r, err := rs.CollectPayment(ctx, tenant, "cashier1", receipts.PaymentInput{IdempotencyKey: "c1", Mode: receipts.Cheque,
		Amount: decimal.RequireFromString("500"), PayerName: "Meera Rawat",
		Instrument: receipts.Instrument{Number: "123456", Date: ledger.Date(2026, time.May, 9), Bank: "State Bank of India"},
		Items:      []receipts.ItemInput{{Service: "property_tax", ConsumerCode: "PT-1", Amount: decimal.RequireFromString("500")}}})
	require.NoError(t, err)
	ds, err := bill.PostDemands(ctx, tenant, "test", billing.FromRun, []billing.DemandInput{{Service: "property_tax",
		ConsumerCode: "PT-1", Ward: "W07", PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
		Date: ledger.Date(2026, time.May, 10), DueDate: ledger.Date(2026, time.September, 30), IdempotencyKey: "d1",
		Lines: []billing.DemandLineInput{{Head: "PT", Amount: decimal.RequireFromString("3600")},
			{Head: "LIB_CESS", Amount: decimal.RequireFromString("180")}}}})
	require.NoError(t, err)

	sqlDB, err := goose.OpenDBWithDriver("pgx", dsn)
	require.NoError(t, err)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"))
	require.NoError(t, err)
	_, err = provider.DownTo(ctx, 15)
	require.NoError(t, err)
	_, err = provider.Up(ctx)
	require.NoError(t, err)

	bill, rs = services(t, dsn)
	_, err = rs.RecordDishonour(ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r.ID, Reason: "insufficient funds"})
	require.NoError(t, err)
	got, err := bill.Demands(ctx, tenant, []int64{ds[0].ID})
	require.NoError(t, err)
	for _, l := range got[0].Lines {
		assert.True(t, l.Collected.IsZero(), "%s still collected %s", l.Head, l.Collected)
	}
	ties, err := bill.CheckDcbAgainstLedger(ctx, tenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "%+v", ties)
}
