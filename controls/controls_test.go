package controls_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/assets"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/controls"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var ist = time.FixedZone("IST", 5*3600+1800)

func on(m time.Month, d int) time.Time { return time.Date(2026, m, d, 10, 30, 0, 0, ist) }

type bundle struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	clock    *clock
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	controls *controls.Service
}

// setup gives a test a tenant (2026-27 open) with property tax heads, a
// demand of 3,780 on each of PT-1 and PT-2, and 1,000 cash from PT-1
// collected by cashier1 on 10 May and remitted the same day: books on
// which every control holds. The clock reads 10 May 2026.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	clk := &clock{t: on(time.May, 10)}
	led := ledger.New(pool, ledger.Config{Now: clk.Now})
	bill := billing.NewService(pool, led, clk.Now)
	rs, err := receipts.NewService(pool, led, bill, receipts.Config{Now: clk.Now})
	require.NoError(t, err)
	b := bundle{ctx: ctx, pool: pool, clock: clk, ledger: led, billing: bill, receipts: rs,
		controls: controls.NewService(pool, led, bill, rs, assets.NewService(pool, led, clk.Now))}
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	for _, c := range []string{"PT-1", "PT-2"} {
		_, err := bill.PostDemands(ctx, tenant, "run", billing.FromRun, []billing.DemandInput{{Service: "property_tax",
			ConsumerCode: c, Ward: "W07", PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
			Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.September, 30), IdempotencyKey: "pt-" + c,
			Lines: []billing.DemandLineInput{{Head: "PT", Amount: amt("3600")}, {Head: "LIB_CESS", Amount: amt("180")}}}})
		require.NoError(t, err)
	}
	b.collect(t, "c1", "PT-1", "1000")
	_, err = rs.RemitCash(ctx, tenant, "cashier1", receipts.RemitInput{IdempotencyKey: "r1", Cashier: "cashier1",
		CollectedOn: ledger.Date(2026, time.May, 10)})
	require.NoError(t, err)
	return b
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func (b bundle) collect(t *testing.T, key, consumer, amount string) receipts.Receipt {
	t.Helper()
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", receipts.PaymentInput{IdempotencyKey: key, Mode: receipts.Cash,
		Amount: amt(amount), PayerName: "Meera Rawat",
		Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: consumer, Amount: amt(amount)}}})
	require.NoError(t, err)
	return r
}

func (b bundle) report(t *testing.T, asOf time.Time) controls.Report {
	t.Helper()
	rep, err := b.controls.Report(b.ctx, tenant, asOf)
	require.NoError(t, err)
	return rep
}

func check(t *testing.T, rep controls.Report, name string) controls.Check {
	t.Helper()
	c, ok := rep.Check(name)
	require.True(t, ok, "report has check %s", name)
	return c
}

// owner runs stmt as the tables' owner with the table's immutability
// trigger (if named) switched off: what only a superuser could do.
func owner(t *testing.T, b bundle, table, trigger, stmt string, args ...any) {
	t.Helper()
	dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
		if trigger != "" {
			_, err := tx.Exec(b.ctx, fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", table, trigger))
			require.NoError(t, err)
		}
		_, err := tx.Exec(b.ctx, stmt, args...)
		require.NoError(t, err)
		if trigger != "" {
			_, err = tx.Exec(b.ctx, fmt.Sprintf("ALTER TABLE %s ENABLE TRIGGER %s", table, trigger))
			require.NoError(t, err)
		}
	})
}

func TestReportOnCleanBooksIsAllOK(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rep := b.report(t, ledger.Date(2026, time.May, 10))
	for _, c := range rep.Checks {
		assert.Equal(t, controls.OK, c.Status, "%s: %s %+v", c.Name, c.Summary, c.Rows)
	}
	assert.Equal(t, controls.OK, rep.Status)
	assert.Len(t, rep.Checks, 13, "every control is run")

	dcb := check(t, rep, controls.CheckDCB)
	require.NotEmpty(t, dcb.Ties)
	assert.Equal(t, "4311001", dcb.Ties[0].Account)
	assert.Equal(t, "6560.00", dcb.Ties[0].SubLedger.StringFixed(2), "7,560 raised less 1,000 collected")
	assert.True(t, ledger.Tied(dcb.Ties))
	assert.Contains(t, check(t, rep, controls.CheckReceiptSeries).Summary, "1 receipts in 1 series-years, 0 numbers missing")
	assert.Contains(t, check(t, rep, controls.CheckHashChain).Summary, "the chain is intact")
	assert.Contains(t, check(t, rep, controls.CheckFourEyes).Summary, "none by their maker")
}

func TestReportNamesWhatToLookAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		asOf  time.Time
		spoil func(t *testing.T, b bundle) string // returns the ref the check must list
		check string
		want  controls.Status
		age   int
	}{
		{name: "a cancelled receipt keeps its number and is listed", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckReceiptSeries, want: controls.Attention,
			spoil: func(t *testing.T, b bundle) string {
				r := b.collect(t, "c2", "PT-2", "500")
				_, err := b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "wrong consumer", Approver: true})
				require.NoError(t, err)
				return r.Number
			}},
		{name: "cash held past its day shows with its age", asOf: ledger.Date(2026, time.May, 13),
			check: controls.CheckCashUnremitted, want: controls.Attention, age: 2,
			spoil: func(t *testing.T, b bundle) string {
				b.clock.Set(on(time.May, 11))
				b.collect(t, "c2", "PT-2", "500")
				return "cashier1"
			}},
		{name: "an unmatched bank line shows with its age", asOf: ledger.Date(2026, time.May, 15),
			check: controls.CheckBankUnmatched, want: controls.Attention, age: 4,
			spoil: func(t *testing.T, b bundle) string {
				require.NoError(t, db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
					q := dbq.New(tx)
					id, err := q.BankImportInsert(b.ctx, dbq.BankImportInsertParams{TenantID: tenant, BankAccount: "4502101",
						FileHash: []byte("statement-1"), Lines: 1, ImportedBy: "accountant"})
					if err != nil {
						return err
					}
					_, err = q.BankLineInsert(b.ctx, dbq.BankLineInsertParams{TenantID: tenant, BankAccount: "4502101", ImportID: id,
						TxnDate: ledger.Date(2026, time.May, 11), Narration: "NEFT unknown payer", Reference: "UTR0001",
						Credit: amt("2500"), Balance: amt("2500")})
					return err
				}))
				return "UTR0001"
			}},
		{name: "an altered voucher breaks the chain", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckHashChain, want: controls.Failed,
			spoil: func(t *testing.T, b bundle) string {
				r := b.collect(t, "c2", "PT-2", "500")
				owner(t, b, "vouchers", "vouchers_immutable", "UPDATE vouchers SET narration = 'edited' WHERE tenant_id = $1 AND id = $2",
					tenant, r.VoucherID)
				var number string
				dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
					require.NoError(t, tx.QueryRow(b.ctx, "SELECT number FROM vouchers WHERE tenant_id = $1 AND id = $2", tenant, r.VoucherID).Scan(&number))
				})
				return number
			}},
		{name: "a receipt number allocated and held by no receipt is a gap", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckReceiptSeries, want: controls.Failed,
			spoil: func(t *testing.T, b bundle) string {
				owner(t, b, "receipt_series", "", "UPDATE receipt_series SET last_number = last_number + 1 WHERE tenant_id = $1", tenant)
				return "PT/2026"
			}},
		{name: "a voucher serial allocated and held by no voucher is a gap", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckVoucherSeries, want: controls.Failed,
			spoil: func(t *testing.T, b bundle) string {
				owner(t, b, "voucher_series", "", "UPDATE voucher_series SET last_number = last_number + 1 WHERE tenant_id = $1 AND voucher_type = 'RV'", tenant)
				return "RV/2026"
			}},
		{name: "an advance the sub-ledger lost no longer ties to 3504101", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckAdvances, want: controls.Failed,
			spoil: func(t *testing.T, b bundle) string {
				b.collect(t, "c2", "PT-2", "4000") // 220 more than is due
				owner(t, b, "consumer_advances", "", "UPDATE consumer_advances SET balance = balance - 20 WHERE tenant_id = $1 AND balance > 0", tenant)
				return "3504101"
			}},
		{name: "a deposit booked without its party is not in the parties' sub-ledger", asOf: ledger.Date(2026, time.May, 10),
			check: controls.CheckDeposits, want: controls.Failed,
			spoil: func(t *testing.T, b bundle) string {
				deposit := func(key, party string) ledger.Voucher {
					return ledger.Voucher{Type: ledger.Journal, Date: ledger.Date(2026, time.May, 10), Narration: "earnest money",
						IdempotencyKey: key, Lines: []ledger.Line{
							{AccountCode: "4502101", FundCode: "01", FunctionCode: "0200", Debit: amt("5000")},
							{AccountCode: "3401001", FundCode: "01", FunctionCode: "0200", Credit: amt("5000"), Party: party}}}
				}
				_, err := b.ledger.Post(b.ctx, tenant, "accountant", []ledger.Voucher{deposit("emd-1", "C-17"), deposit("emd-2", "")})
				require.NoError(t, err)
				return "3401001"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ref := tc.spoil(t, b)
			rep := b.report(t, tc.asOf)
			c := check(t, rep, tc.check)
			assert.Equal(t, tc.want, c.Status, c.Summary)
			assert.Equal(t, tc.want, rep.Status, "the report is as bad as its worst check")
			var found bool
			for _, r := range c.Rows {
				if r.Ref == ref {
					found = true
					assert.Equal(t, tc.age, r.AgeDays, "%+v", r)
				}
			}
			assert.True(t, found, "%s lists %s: %+v", tc.check, ref, c.Rows)
			for _, other := range rep.Checks {
				if other.Name != tc.check && other.Name != controls.CheckCashUnremitted {
					assert.Equal(t, controls.OK, other.Status, "only %s is spoiled, not %s: %s", tc.check, other.Name, other.Summary)
				}
			}
		})
	}
}

func TestReportRefusesNoDate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.controls.Report(b.ctx, tenant, time.Time{})
	var v *ledger.ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "as_of", v.Violations[0].Field)
}
