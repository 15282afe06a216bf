package assets_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	tenant  = "uk.dehradun"
	maker   = "user:ravi"
	checker = "user:meena"
)

type bundle struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	assets *assets.Service
	exp    *expenditure.Service
	ledger *ledger.Ledger
}

// setup gives a test a tenant with the default asset classes (RCC roads
// with a 5% residual value) and a contractor, CON-7.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	led := ledger.New(pool, ledger.Config{})
	b := bundle{ctx: ctx, pool: pool, assets: assets.NewService(pool, led, nil), exp: expenditure.NewService(pool, led, budget.NewService(pool, nil), nil), ledger: led}
	require.NoError(t, b.assets.SeedDefaultClasses(ctx, tenant))
	for _, c := range assets.DefaultClasses() {
		if c.Code == "ROAD_RCC" {
			c.ResidualPercent = decimal.NewFromInt(5)
			_, err := b.assets.SaveClass(ctx, tenant, c)
			require.NoError(t, err)
		}
	}
	_, err = b.exp.SaveParty(ctx, tenant, expenditure.Party{Code: "CON-7", Name: "Doon Builders", Kind: "contractor"})
	require.NoError(t, err)
	return b
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(y int, m time.Month, d int) time.Time { return ledger.Date(y, m, d) }

func ptr(t time.Time) *time.Time { return &t }

// requireTie checks the register ties to the ledger at the year's end.
func requireTie(t *testing.T, b bundle) {
	t.Helper()
	tie, err := b.assets.Tie(b.ctx, tenant, day(2027, 3, 31))
	require.NoError(t, err)
	for _, r := range tie {
		assert.True(t, r.Difference.IsZero(), "%s %s: register %s, ledger %s", r.Account, r.Kind, r.SubLedger.StringFixed(2), r.Ledger.StringFixed(2))
	}
	require.True(t, ledger.Tied(tie))
}

// contractorBill posts an approved contractor's bill of amount on head
// (fund 02, function 2010) and returns its voucher id.
func contractorBill(t *testing.T, b bundle, key, head, amount string, date time.Time) int64 {
	t.Helper()
	bill, err := b.exp.SubmitBill(b.ctx, tenant, maker, expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: key, Date: date,
		Narration: "works", FundCode: "02", IdempotencyKey: key,
		Lines:      []expenditure.BillLineInput{{AccountCode: head, FunctionCode: "2010", Amount: amt(amount)}},
		Deductions: []expenditure.DeductionInput{{Kind: expenditure.Retention, Amount: amt(amount).Div(decimal.NewFromInt(20)).Round(2)}}})
	require.NoError(t, err)
	bill, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
	require.NoError(t, err)
	return bill.VoucherID
}

// road adds a road under construction (RCC, fund 02, roads 2010).
func road(t *testing.T, b bundle, code string) assets.Asset {
	t.Helper()
	a, err := b.assets.AddAsset(b.ctx, tenant, maker, assets.AssetInput{Code: code, Name: "Rajpur Road " + code, ClassCode: "ROAD_RCC",
		Location: "Rajpur Road", Ward: "W07", FunctionCode: "2010", FundCode: "02", FundingSource: "grant", Scheme: "AMRUT 2.0",
		AcquisitionMode: "construction", AcquiredOn: day(2026, 5, 1), Quantity: "1.2 km x 7 m"})
	require.NoError(t, err)
	return a
}

// entries lists a voucher's lines as "Dr|Cr account fund/function amount".
func entries(t *testing.T, b bundle, id int64) []string {
	t.Helper()
	v, err := b.ledger.Voucher(b.ctx, tenant, id)
	require.NoError(t, err)
	var out []string
	for _, l := range v.Lines {
		side, a := "Dr", l.Debit
		if l.Credit.IsPositive() {
			side, a = "Cr", l.Credit
		}
		out = append(out, fmt.Sprintf("%s %s %s/%s %s", side, l.AccountCode, l.FundCode, l.FunctionCode, a.StringFixed(2)))
	}
	return out
}

// Contractor bills build a road in CWIP; capitalisation moves its cost to
// the gross block. The register ties at every step, and not when a CWIP
// bill is left uncaptured.
func TestCWIPIsBuiltFromBillsAndCapitalised(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := road(t, b, "RD-1")
	assert.Equal(t, "cwip", a.Status)
	v1 := contractorBill(t, b, "RA-1", "4120041", "400000", day(2026, 6, 10))
	v2 := contractorBill(t, b, "RA-2", "4120041", "600000", day(2026, 8, 10))

	a, err := b.assets.CaptureCost(b.ctx, tenant, maker, a.ID, v1, nil)
	require.NoError(t, err)
	tie, err := b.assets.Tie(b.ctx, tenant, day(2027, 3, 31))
	require.NoError(t, err)
	assert.False(t, ledger.Tied(tie), "RA-2 sits in CWIP with no asset")
	a, err = b.assets.CaptureCost(b.ctx, tenant, maker, a.ID, v2, nil)
	require.NoError(t, err)
	assert.Equal(t, "1000000.00", a.Cost.StringFixed(2))
	requireTie(t, b)
	_, err = b.assets.CaptureCost(b.ctx, tenant, maker, a.ID, v1, nil)
	assert.ErrorIs(t, err, ledger.ErrExists, "a bill builds an asset once")

	_, err = b.assets.Dispose(b.ctx, tenant, maker, a.ID, day(2026, 9, 1), decimal.Zero)
	assert.ErrorIs(t, err, assets.ErrAssetState, "a work in CWIP is not disposed of")
	a, err = b.assets.Capitalise(b.ctx, tenant, maker, a.ID, day(2026, 10, 1))
	require.NoError(t, err)
	assert.Equal(t, "in_use", a.Status)
	assert.Equal(t, "50000.00", a.ResidualValue.StringFixed(2), "5% of cost")
	requireTie(t, b)

	events, err := b.assets.Events(b.ctx, tenant, a.ID)
	require.NoError(t, err)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, e.Kind+" "+e.Detail)
	}
	assert.Equal(t, []string{"cost BILL/1", "cost BILL/2", "capitalised "}, kinds, "the bills that built it are linked")
	assert.Equal(t, []string{"Dr 4103001 02/2010 1000000.00", "Cr 4120041 02/2010 1000000.00"}, entries(t, b, events[2].VoucherID))
}

// Depreciation is straight line, pro rata from the day put to use, never
// below the residual value, idempotent (a rerun posts nothing twice), and
// skips land.
func TestDepreciation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := road(t, b, "RD-1")
	_, err := b.assets.CaptureCost(b.ctx, tenant, maker, a.ID, contractorBill(t, b, "RA-1", "4120041", "1000000", day(2026, 6, 10)), nil)
	require.NoError(t, err)
	_, err = b.assets.Capitalise(b.ctx, tenant, maker, a.ID, day(2026, 10, 1))
	require.NoError(t, err)
	land, err := b.assets.AddAsset(b.ctx, tenant, maker, assets.AssetInput{Code: "LD-1", Name: "Parade ground", ClassCode: "LAND",
		FunctionCode: "5010", FundCode: "02", FundingSource: "own", AcquisitionMode: "purchase", AcquiredOn: day(2026, 4, 10), PutToUseOn: ptr(day(2026, 4, 10))})
	require.NoError(t, err)
	_, err = b.assets.CaptureCost(b.ctx, tenant, maker, land.ID, landBill(t, b), nil)
	require.NoError(t, err)
	requireTie(t, b)

	// A computer from the opening register, nearly at its residual value.
	imp, err := b.assets.ImportOpening(b.ctx, tenant, maker, day(2026, 4, 1), strings.NewReader(
		"code,name,class,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation,residual_value\n"+
			"PC-1,Accounts PC,COMPUTER,0200,01,own,2023-04-01,2023-04-01,90000,84000,4500\n"))
	require.NoError(t, err)
	_, err = b.assets.ApproveImport(b.ctx, tenant, checker, imp.ID)
	require.NoError(t, err)

	// The quarter to December: the road's 92 days of (10,00,000 - 50,000) / 10 years.
	q3, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2026, 12, 31))
	require.NoError(t, err)
	assert.Equal(t, "23945.21", roadNow(t, b, a.ID).Accumulated.StringFixed(2), "950000 x 92 / 3650")
	assert.Equal(t, "1500.00", assetNow(t, b, "PC-1").Accumulated.Sub(amt("84000")).StringFixed(2), "the computer stops at its residual value")
	assert.Equal(t, "25445.21", q3.Total.StringFixed(2))
	assert.True(t, assetNow(t, b, "LD-1").Accumulated.IsZero(), "land is not depreciated")
	assert.Equal(t, []string{
		"Dr 2723000 02/2010 23945.21", "Cr 4113001 02/2010 23945.21",
		"Dr 2726000 01/0200 1500.00", "Cr 4116002 01/0200 1500.00",
	}, entries(t, b, q3.VoucherID), "by class, fund and function")
	requireTie(t, b)

	// A rerun through the same day returns the first run and posts nothing.
	again, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2026, 12, 31))
	require.NoError(t, err)
	assert.True(t, again.Replayed)
	assert.Equal(t, q3.VoucherID, again.VoucherID)
	// An earlier day charges nothing more: those days are charged.
	earlier, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2026, 11, 30))
	require.NoError(t, err)
	assert.True(t, earlier.Total.IsZero())
	assert.Zero(t, earlier.VoucherID)

	// The year's last quarter: 90 more days; the computer has nothing left.
	q4, err := b.assets.Depreciate(b.ctx, tenant, maker, day(2027, 3, 31))
	require.NoError(t, err)
	assert.Equal(t, "23424.66", q4.Total.StringFixed(2), "950000 x 90 / 3650")
	assert.Equal(t, "85500.00", assetNow(t, b, "PC-1").Accumulated.StringFixed(2))
	requireTie(t, b)
}

func landBill(t *testing.T, b bundle) int64 {
	t.Helper()
	bill, err := b.exp.SubmitBill(b.ctx, tenant, maker, expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: "LAND-1", Date: day(2026, 4, 10),
		Narration: "parade ground", FundCode: "02", IdempotencyKey: "land-1",
		Lines: []expenditure.BillLineInput{{AccountCode: "4101001", FunctionCode: "5010", Amount: amt("2500000")}}})
	require.NoError(t, err)
	bill, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
	require.NoError(t, err)
	return bill.VoucherID
}

func roadNow(t *testing.T, b bundle, id int64) assets.Asset {
	t.Helper()
	a, err := b.assets.Asset(b.ctx, tenant, id)
	require.NoError(t, err)
	return a
}

func assetNow(t *testing.T, b bundle, code string) assets.Asset {
	t.Helper()
	all, err := b.assets.Assets(b.ctx, tenant, "", "")
	require.NoError(t, err)
	for _, a := range all {
		if a.Code == code {
			return a
		}
	}
	t.Fatalf("no asset %s", code)
	return assets.Asset{}
}

// Disposal charges depreciation to its day, takes the asset off the books
// and books the difference from the proceeds as a gain or a loss.
func TestDisposalGainAndLoss(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, proceeds, gain string
		entry                string
	}{
		{"sold above book value: a gain", "760000", "10136.99", "Cr 1803000 01/2000 10136.99"},
		{"sold below book value: a loss", "700000", "-49863.01", "Dr 2711000 01/2000 49863.01"},
		{"scrapped: the whole book value lost", "0", "-749863.01", "Dr 2711000 01/2000 749863.01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			imp, err := b.assets.ImportOpening(b.ctx, tenant, maker, day(2026, 4, 1), strings.NewReader(
				"code,name,class,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n"+
					"CAR-1,Commissioner's car,CAR,2000,01,own,2026-03-31,2026-03-31,800000,0\n"))
			require.NoError(t, err)
			_, err = b.assets.ApproveImport(b.ctx, tenant, checker, imp.ID)
			require.NoError(t, err)
			requireTie(t, b)
			car := assetNow(t, b, "CAR-1")

			d, err := b.assets.Dispose(b.ctx, tenant, maker, car.ID, day(2026, 9, 30), amt(c.proceeds))
			require.NoError(t, err)
			assert.Equal(t, "50136.99", d.Depreciation.StringFixed(2), "800000 x 183 / 2920: April to September")
			assert.Equal(t, "749863.01", d.BookValue.StringFixed(2))
			assert.Equal(t, c.gain, d.Gain.StringFixed(2))
			assert.Contains(t, entries(t, b, d.VoucherID), c.entry)
			assert.Contains(t, entries(t, b, d.VoucherID), "Cr 4105003 01/2000 800000.00")
			assert.Equal(t, "disposed", d.Asset.Status)
			requireTie(t, b)
			_, err = b.assets.Dispose(b.ctx, tenant, maker, car.ID, day(2026, 10, 1), decimal.Zero)
			assert.ErrorIs(t, err, assets.ErrAssetState, "disposed once")
		})
	}
}

// Revaluation raises the gross block against the revaluation reserve; a
// transfer to another function moves the asset's figures in the books.
func TestRevaluationAndTransfer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	imp, err := b.assets.ImportOpening(b.ctx, tenant, maker, day(2026, 4, 1), strings.NewReader(
		"code,name,class,location,ward,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n"+
			"LD-1,Town hall land,LAND,Clock Tower,W01,0100,01,own,1990-01-01,1990-01-01,1500000,0\n"+
			"BLD-1,Town hall,BUILDING_RCC,Clock Tower,W01,0100,01,own,1990-01-01,1990-01-01,6000000,3600000\n"))
	require.NoError(t, err)
	_, err = b.assets.ApproveImport(b.ctx, tenant, maker, imp.ID)
	assert.ErrorIs(t, err, ledger.ErrSelfApproval)
	approved, err := b.assets.ApproveImport(b.ctx, tenant, checker, imp.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"Dr 4101001 01/0100 1500000.00",
		"Dr 4102001 01/0100 6000000.00",
		"Cr 4112001 01/0100 3600000.00",
		"Cr 3101001 01/0100 3900000.00",
	}, entries(t, b, approved.VoucherID))
	requireTie(t, b)

	land := assetNow(t, b, "LD-1")
	land, err = b.assets.Revalue(b.ctx, tenant, maker, land.ID, day(2026, 7, 1), amt("500000"), "Valuer's report VR/2026/3")
	require.NoError(t, err)
	assert.Equal(t, "2000000.00", land.Gross().StringFixed(2))
	land, err = b.assets.Revalue(b.ctx, tenant, maker, land.ID, day(2026, 7, 1), amt("500000"), "Valuer's report VR/2026/3")
	require.NoError(t, err)
	assert.Equal(t, "2000000.00", land.Gross().StringFixed(2), "a retried revaluation changes nothing")
	requireTie(t, b)

	bld := assetNow(t, b, "BLD-1")
	moved, err := b.assets.Transfer(b.ctx, tenant, maker, bld.ID, day(2026, 8, 1), "Clock Tower", "W01", "0200")
	require.NoError(t, err)
	assert.Equal(t, "0200", moved.FunctionCode)
	events, err := b.assets.Events(b.ctx, tenant, bld.ID)
	require.NoError(t, err)
	last := events[len(events)-1]
	assert.Equal(t, []string{
		"Dr 4102001 01/0200 6000000.00", "Cr 4102001 01/0100 6000000.00",
		"Dr 4112001 01/0100 3600000.00", "Cr 4112001 01/0200 3600000.00",
	}, entries(t, b, last.VoucherID))
	requireTie(t, b)

	// Disposing of the revalued land releases its reserve.
	d, err := b.assets.Dispose(b.ctx, tenant, maker, land.ID, day(2026, 12, 1), amt("2100000"))
	require.NoError(t, err)
	assert.Equal(t, "100000.00", d.Gain.StringFixed(2))
	assert.Contains(t, entries(t, b, d.VoucherID), "Dr 3126001 01/0100 500000.00")
	requireTie(t, b)
}

// A bad opening row refuses the whole file, naming the row and column;
// until approval the imported assets are outside the register's figures.
func TestOpeningImportIsCheckedAndWaitsForApproval(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.assets.ImportOpening(b.ctx, tenant, maker, day(2026, 4, 1), strings.NewReader(
		"code,name,class,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n"+
			"OK-1,Desk,FURNITURE,0100,01,own,2020-04-01,2020-04-01,10000,6000\n"+
			"BAD-1,Field,LAND,0100,01,own,2020-04-01,2020-04-01,10000,100\n"+
			"BAD-2,Chair,FURNITURE,0100,01,own,2020-04-01,2020-04-01,1000,1000.5\n"))
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	var fields []string
	for _, v := range ve.Violations {
		fields = append(fields, v.Field)
	}
	assert.Equal(t, []string{"rows[1].accumulated_depreciation", "rows[2].accumulated_depreciation"}, fields)
	all, err := b.assets.Assets(b.ctx, tenant, "", "")
	require.NoError(t, err)
	assert.Empty(t, all, "nothing of a refused file is kept")

	imp, err := b.assets.ImportOpening(b.ctx, tenant, maker, day(2026, 4, 1), strings.NewReader(
		"code,name,class,function,fund,funding_source,acquired_on,put_to_use_on,cost,accumulated_depreciation\n"+
			"OK-1,Desk,FURNITURE,0100,01,own,2020-04-01,2020-04-01,10000,6000\n"))
	require.NoError(t, err)
	assert.Equal(t, "proposed", imp.Status)
	assert.Equal(t, "opening", assetNow(t, b, "OK-1").Status)
	requireTie(t, b)
	_, err = b.assets.ApproveImport(b.ctx, tenant, checker, imp.ID)
	require.NoError(t, err)
	assert.Equal(t, "in_use", assetNow(t, b, "OK-1").Status)
	requireTie(t, b)
}
