package db_test

import (
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/tenancy"
)

// The budget, expenditure and asset migrations taken down over books that
// use them, and applied again: down removes their tables and leaves the
// vouchers their bills posted; up gives a working budget and register again.
func TestBudgetAndAssetMigrationsOverTheirData(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool, dsn := dbtest.NewDBWithDSN(t)
	_, err := tenancy.NewService(pool).Create(ctx, "uk.dehradun", "Dehradun", 2026, "test")
	require.NoError(t, err)
	seed := func(pool *pgxpool.Pool, key string) (budget.Line, ledger.Posted, []ledger.Tie) {
		led := ledger.New(pool, ledger.Config{})
		bud := budget.NewService(pool, nil)
		spend := expenditure.NewService(pool, led, bud, nil)
		reg := assets.NewService(pool, led, nil)
		line, err := bud.CreateLine(ctx, "uk.dehradun", "user:ravi", budget.LineInput{FiscalYear: 2026, HeadCode: "4120041",
			FunctionCode: "2010", FundCode: "02", Name: "roads", Control: budget.ControlBlock})
		require.NoError(t, err)
		e, err := bud.DraftEstimate(ctx, "uk.dehradun", "user:ravi", 2026, budget.BE, "BE", map[int64]decimal.Decimal{line.ID: decimal.NewFromInt(500000)})
		require.NoError(t, err)
		_, err = bud.SubmitEstimate(ctx, "uk.dehradun", "user:ravi", e.ID)
		require.NoError(t, err)
		_, err = bud.ApproveEstimate(ctx, "uk.dehradun", "user:meena", e.ID)
		require.NoError(t, err)
		_, err = spend.SaveParty(ctx, "uk.dehradun", expenditure.Party{Code: "CON-7", Name: "Doon Builders", Kind: "contractor"})
		require.NoError(t, err)
		bill, err := spend.SubmitBill(ctx, "uk.dehradun", "user:ravi", expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: key,
			Date: ledger.Date(2026, time.June, 1), Narration: "road", FundCode: "02", IdempotencyKey: key,
			Lines: []expenditure.BillLineInput{{AccountCode: "4120041", FunctionCode: "2010", Amount: decimal.NewFromInt(300000)}}})
		require.NoError(t, err)
		bill, _, err = spend.ApproveBill(ctx, "uk.dehradun", "user:meena", bill.ID)
		require.NoError(t, err)
		require.NoError(t, reg.SeedDefaultClasses(ctx, "uk.dehradun"))
		// A state's default and a class on a rate (migration 00021) go down and up with the rest.
		_, err = reg.SetStateDefault(ctx, "uk", "COMPUTER", "user:state", assets.Terms{RatePercent: decimal.NewFromInt(40)})
		require.NoError(t, err)
		_, err = reg.SaveClass(ctx, "uk.dehradun", assets.Class{Code: "STREET_LIGHT", Name: "Street lighting", GrossBlockAccount: "4103301",
			AccumulatedAccount: "4113301", DepreciationAccount: "2723300", CWIPAccount: "4120061", RatePercent: decimal.NewFromInt(10), Depreciable: true})
		require.NoError(t, err)
		classes, err := reg.Classes(ctx, "uk.dehradun")
		require.NoError(t, err)
		for _, c := range classes {
			if c.Code == "COMPUTER" || c.Code == "STREET_LIGHT" {
				assert.Equal(t, map[string]string{"COMPUTER": "40", "STREET_LIGHT": "10"}[c.Code], c.Terms.RatePercent.String(), c.Code)
			}
		}
		a, err := reg.AddAsset(ctx, "uk.dehradun", "user:ravi", assets.AssetInput{Code: "RD-" + key, Name: "road", ClassCode: "ROAD_RCC",
			FunctionCode: "2010", FundCode: "02", FundingSource: "own", AcquisitionMode: "construction", AcquiredOn: ledger.Date(2026, time.May, 1)})
		require.NoError(t, err)
		_, err = reg.CaptureCost(ctx, "uk.dehradun", "user:ravi", a.ID, bill.VoucherID, nil)
		require.NoError(t, err)
		tie, err := reg.Tie(ctx, "uk.dehradun", ledger.Date(2027, time.March, 31))
		require.NoError(t, err)
		v, err := led.Voucher(ctx, "uk.dehradun", bill.VoucherID)
		require.NoError(t, err)
		line, err = bud.Line(ctx, "uk.dehradun", line.ID)
		require.NoError(t, err)
		return line, v, tie
	}
	line, v, tie := seed(pool, "RA-1")
	assert.Equal(t, "300000.00", line.Actual.StringFixed(2))
	assert.True(t, ledger.Tied(tie))
	pool.Close()

	sqlDB, err := goose.OpenDBWithDriver("pgx", dsn)
	require.NoError(t, err)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, os.DirFS("migrations"))
	require.NoError(t, err)
	_, err = provider.DownTo(ctx, 12)
	require.NoError(t, err)
	var tables int
	require.NoError(t, sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_name LIKE 'budget%' OR table_name LIKE 'expenditure%' OR table_name LIKE 'asset%' OR table_name = 'depreciation_runs'`).Scan(&tables))
	assert.Zero(t, tables, "down removes the budget, expenditure and asset tables")
	_, err = provider.Up(ctx)
	require.NoError(t, err)

	pool, err = db.Open(ctx, dsn)
	require.NoError(t, err)
	defer pool.Close()
	kept, err := ledger.New(pool, ledger.Config{}).Voucher(ctx, "uk.dehradun", v.ID)
	require.NoError(t, err)
	assert.Equal(t, v.Hash, kept.Hash, "the bill's voucher outlives its bill")
	line, _, tie = seed(pool, "RA-2")
	assert.Equal(t, "300000.00", line.Actual.StringFixed(2), "a new budget counts only what it checked")
	assert.False(t, ledger.Tied(tie), "RA-1's cost in CWIP lost its asset with the register: the tie shows it")
	for _, r := range tie {
		if r.Account == "4120041" {
			assert.Equal(t, "300000.00", r.Difference.StringFixed(2), "the ledger holds what the register lost")
		}
	}
}
