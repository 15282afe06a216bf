package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/server"
)

// testDemo is a small demo ULB with every kind of entry, seeded in a second
// or two.
var testDemo = demoSize{properties: 60, wards: 4, connections: 30, licences: 12}

// demoWorld is a test database with the demo ULB of testDemo's size seeded
// by the app's services, job workers and all.
type demoWorld struct {
	ctx  context.Context
	pool *pgxpool.Pool
	app  *app
	log  *slog.Logger
}

func seededDemo(t *testing.T) demoWorld {
	t.Helper()
	d := demoWorld{ctx: context.Background(), pool: dbtest.NewDB(t), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var err error
	d.app, err = newApp(d.ctx, server.Config{}, authConfig{secret: testSecret}, d.pool, d.log)
	require.NoError(t, err)
	t.Cleanup(d.app.Close)
	require.NoError(t, seedDemo(d.ctx, d.log, d.pool, d.app.ledger, d.app.billing, testDemo))
	return d
}

// demoRows counts, straight from the tables, the demo's register entries,
// its demands by service and year, their lines, and its vouchers.
func demoRows(t *testing.T, pool *pgxpool.Pool) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"properties", "water_connections", "meter_readings", "trade_licences", "demand_lines", "vouchers"} {
		out[table] = demoCount(t, pool, table)
	}
	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		rows, err := tx.Query(t.Context(), "SELECT service, fiscal_year, count(*) FROM demands WHERE tenant_id = $1 GROUP BY 1, 2", demoTenant)
		require.NoError(t, err)
		for rows.Next() {
			var service string
			var fy, n int
			require.NoError(t, rows.Scan(&service, &fy, &n))
			out[fmt.Sprintf("demands %s %d", service, fy)] = n
		}
		require.NoError(t, rows.Err())
	})
	return out
}

// demoCount counts the demo's rows of a table.
func demoCount(t *testing.T, pool *pgxpool.Pool, table string) int {
	t.Helper()
	var n int
	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		require.NoError(t, tx.QueryRow(t.Context(), "SELECT count(*) FROM "+table+" WHERE tenant_id = $1", demoTenant).Scan(&n))
	})
	return n
}

// expectedDemands is what the demo's runs must raise from its registers:
// every property for both years, every connection for each month it was
// live in (every meter is read), every active licence's renewal.
func expectedDemands(r demoRegisters) map[string]int {
	want := map[string]int{
		fmt.Sprintf("demands property_tax %d", demoFY-1): len(r.properties),
		fmt.Sprintf("demands property_tax %d", demoFY):   len(r.properties),
	}
	for _, req := range demoRuns() {
		for _, c := range r.connections {
			if req.Service == billing.Water && !c.ConnectedOn.After(req.Period.To) {
				want[fmt.Sprintf("demands water %d", demoFY)]++
			}
		}
	}
	for _, l := range r.licences {
		if l.Status == billing.LicenceActive {
			want[fmt.Sprintf("demands trade_licence %d", demoFY)]++
		}
	}
	return want
}

// The demo ULB holds its registers in full, last year's and this year's
// property tax, six months of water and the year's licence renewals, all
// raised by demand runs; its register ties to the receivable accounts to
// the paisa (no other voucher touches them); and seeding again, or every
// step of a seeding cut short run again, changes nothing.
func TestDemoSeedsAULBWhoseRegisterTiesToTheLedger(t *testing.T) {
	t.Parallel()
	d := seededDemo(t)
	regs := makeDemoRegisters(testDemo)
	rows := demoRows(t, d.pool)
	assert.Equal(t, testDemo.properties, rows["properties"])
	assert.Equal(t, testDemo.connections, rows["water_connections"])
	assert.Equal(t, testDemo.licences, rows["trade_licences"])
	require.NotEmpty(t, regs.readings)
	assert.Equal(t, len(regs.readings), rows["meter_readings"])
	want := expectedDemands(regs)
	for k, n := range want {
		assert.Equal(t, n, rows[k], k)
	}
	assert.Len(t, rows, 6+len(want), "no demands but those: %v", rows)

	ties, err := d.app.billing.CheckDcbAgainstLedger(d.ctx, demoTenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "%+v", ties)
	require.Len(t, ties, 3, "property tax, water and licence receivables")
	for _, tie := range ties {
		assert.True(t, tie.Ledger.IsPositive(), tie.Account)
	}
	books, err := d.app.receipts.CheckCashBook(d.ctx, demoTenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(books), "cash and cheques in hand equal the receipts' cash book: %+v", books)

	dcb, err := d.app.billing.DcbRegister(d.ctx, demoTenant, billing.PropertyTax, demoFY)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(dcb, func(r billing.DcbRow) bool { return r.Arrears && r.FiscalYear == demoFY-1 }),
		"last year's property tax is this year's arrears")

	// The property the printed examples name owes both years.
	dues, err := d.app.billing.Dues(d.ctx, demoTenant, regs.properties[0].ConsumerCode, "")
	require.NoError(t, err)
	require.Len(t, dues.Demands, 2)
	assert.Equal(t, demoFY-1, dues.Demands[0].FiscalYear)

	// Two weeks of counter collections, one cancelled and one cheque dishonoured.
	list, _, err := d.app.receipts.List(d.ctx, demoTenant, receipts.Filter{PageSize: 500})
	require.NoError(t, err)
	statuses := map[receipts.Status]int{}
	for _, r := range list {
		statuses[r.Status]++
	}
	assert.Equal(t, 1, statuses[receipts.Cancelled])
	assert.Equal(t, 1, statuses[receipts.Dishonoured])
	assert.Greater(t, statuses[receipts.Valid], 10)
	sum, err := d.app.receipts.CollectionSummary(d.ctx, demoTenant, ledger.Date(2026, time.November, 2), ledger.Date(2026, time.November, 13), "")
	require.NoError(t, err)
	assert.True(t, sum.CashInHand.IsZero(), "every day's cash remitted")

	// The year's budget, with re-appropriations, bills against it and an
	// office-power line the bills took past its warn limit; the asset
	// register, with a road in CWIP and a depreciation run, ties.
	bud := budget.NewService(d.pool, nil)
	rep, err := bud.BudgetVsActual(d.ctx, demoTenant, demoFY)
	require.NoError(t, err)
	require.Len(t, rep.Lines, len(demoLines))
	assert.True(t, rep.Total.Actual.IsPositive())
	reapps, err := bud.Reappropriations(d.ctx, demoTenant, demoFY, 0)
	require.NoError(t, err)
	assert.Len(t, reapps, 3)
	overspent := false
	for _, l := range rep.Lines {
		overspent = overspent || l.Available.IsNegative()
	}
	assert.True(t, overspent, "the warn-mode office-power line is overspent: %+v", rep.Lines)
	reg := assets.NewService(d.pool, d.app.ledger, nil)
	tie, err := reg.Tie(d.ctx, demoTenant, ledger.Date(2026, time.October, 31))
	require.NoError(t, err)
	assert.True(t, ledger.Tied(tie), "%+v", tie)
	cwip, err := reg.Assets(d.ctx, demoTenant, "", "cwip")
	require.NoError(t, err)
	require.Len(t, cwip, 1)
	assert.Equal(t, "10000000.00", cwip[0].Cost.StringFixed(2), "the road's two running bills")

	runs := demoCount(t, d.pool, "demand_runs")
	require.Equal(t, len(demoRuns()), runs)
	require.NoError(t, seedDemo(d.ctx, d.log, d.pool, d.app.ledger, d.app.billing, testDemo))
	assert.Equal(t, rows, demoRows(t, d.pool), "a seeded demo is left alone")
	assert.Equal(t, runs, demoCount(t, d.pool, "demand_runs"), "no run started")
	require.NoError(t, createDemo(d.ctx, d.log, d.pool, d.app.ledger, d.app.billing, testDemo, demoVouchers()))
	assert.Equal(t, rows, demoRows(t, d.pool), "every step again finds everything there")
	assert.Equal(t, 2*runs, demoCount(t, d.pool, "demand_runs"), "its runs found every demand raised")
	again, err := d.app.billing.CheckDcbAgainstLedger(d.ctx, demoTenant)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(ties), fmt.Sprint(again))
}
