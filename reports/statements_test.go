package reports_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

type bundle struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	ledger  *ledger.Ledger
	reports *reports.Service
}

// setup gives a test its own database with one tenant whose FY 2025-26 and
// FY 2026-27 are open.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun Municipal Corporation", 2026, "test")
	require.NoError(t, err)
	l := ledger.New(pool, ledger.Config{})
	_, err = l.OpenFiscalYear(ctx, tenant, 2025, "test")
	require.NoError(t, err)
	return bundle{ctx: ctx, pool: pool, ledger: l, reports: reports.NewService(pool, l)}
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// dr and cr are voucher lines: account, fund, amount (function 9091 unless
// the account says otherwise; it does not matter to the statements).
func dr(account, fund, amount string) ledger.Line {
	return ledger.Line{AccountCode: account, FundCode: fund, FunctionCode: "9091", Debit: amt(amount)}
}

func cr(account, fund, amount string) ledger.Line {
	return ledger.Line{AccountCode: account, FundCode: fund, FunctionCode: "9091", Credit: amt(amount)}
}

func voucher(key, date, narration string, lines ...ledger.Line) ledger.Voucher {
	return ledger.Voucher{Type: ledger.Journal, Date: day(date), Narration: narration, IdempotencyKey: key, Lines: lines}
}

// postScenario posts a small ULB's two years: demands, collections and a
// remittance, salaries, a specific-purpose grant in the grant fund, a
// building bought on credit and depreciated, an advance, a rebate, a
// prior-period item, a provision for doubtful debts, an inter-fund
// transfer, and one June expense after the May statements' date.
func postScenario(t *testing.T, b bundle) {
	t.Helper()
	vs := []ledger.Voucher{
		voucher("a", "2025-06-10", "PT demand 2025-26", dr("4311001", "01", "100000.00"), cr("1100101", "01", "90000.00"), cr("3503001", "01", "10000.00")),
		voucher("b", "2025-07-15", "PT collected", dr("4501001", "01", "60000.00"), cr("4311001", "01", "60000.00")),
		voucher("c", "2025-07-16", "cash remitted", dr("4502101", "01", "60000.00"), cr("4501001", "01", "60000.00")),
		voucher("d", "2025-08-31", "salaries", dr("2101001", "01", "25000.00"), cr("4502101", "01", "25000.00")),
		voucher("e", "2025-09-01", "grant for a scheme", dr("4502101", "02", "500000.00"), cr("3201001", "02", "500000.00")),
		voucher("f", "2026-04-20", "PT demand 2026-27", dr("4311001", "01", "120000.50"), cr("1100101", "01", "120000.50")),
		voucher("g", "2026-04-21", "water billed", dr("4313001", "01", "15000.00"), cr("1405013", "01", "15000.00")),
		voucher("h", "2026-04-25", "PT collected", dr("4501001", "01", "80000.25"), cr("4311001", "01", "80000.25")),
		voucher("i", "2026-05-02", "office building bought", dr("4102001", "02", "300000.00"), cr("3501002", "02", "300000.00")),
		voucher("j", "2026-05-31", "depreciation", dr("2722000", "02", "10000.00"), cr("4112001", "02", "10000.00")),
		voucher("k", "2026-05-10", "electricity", dr("2201101", "01", "4567.89"), cr("3501003", "01", "4567.89")),
		voucher("l", "2026-05-12", "advance PT", dr("4501001", "01", "2000.00"), cr("3504101", "01", "2000.00")),
		voucher("m", "2026-05-15", "rebate", dr("1109004", "01", "500.00"), cr("4311001", "01", "500.00")),
		voucher("n", "2026-05-20", "prior-period PT short-levied", dr("2802000", "01", "1200.00"), cr("4311001", "01", "1200.00")),
		voucher("o", "2026-05-25", "provision for doubtful PT", dr("2701001", "01", "1000.00"), cr("4321000", "01", "1000.00")),
		voucher("q", "2026-05-28", "fund 01 lends fund 02", dr("4502101", "02", "5000.00"), cr("4502101", "01", "5000.00")),
		voucher("p", "2026-06-05", "June salaries", dr("2101001", "01", "99999.99"), cr("4502101", "01", "99999.99")),
	}
	_, err := b.ledger.Post(b.ctx, tenant, "test", vs)
	require.NoError(t, err)
}

func figure(t *testing.T, fs []reports.Figure, major string) reports.Figure {
	t.Helper()
	for _, f := range fs {
		if f.MajorHead == major {
			return f
		}
	}
	t.Fatalf("no figure for major head %s", major)
	return reports.Figure{}
}

func both(cur, prev string) reports.Amounts {
	return reports.Amounts{Current: amt(cur), Previous: amt(prev)}
}

func assertAmounts(t *testing.T, want reports.Amounts, got reports.Amounts, what string) {
	t.Helper()
	assert.Equal(t, want.Current.StringFixed(2), got.Current.StringFixed(2), "%s, this year", what)
	assert.Equal(t, want.Previous.StringFixed(2), got.Previous.StringFixed(2), "%s, previous year", what)
}

func TestBalanceSheetBalancesWithSchedulesAndComparatives(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)

	bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	assert.Equal(t, "Dehradun Municipal Corporation", bs.ULBName)
	assert.Equal(t, 2026, bs.FiscalYear)
	assert.Equal(t, day("2026-03-31"), bs.PreviousAsOf)
	require.True(t, bs.Balanced(), "assets %v, liabilities %v", bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
	assertAmounts(t, both("999300.50", "575000.00"), bs.TotalAssets.Amounts, "total assets")

	cases := []struct {
		major string
		want  reports.Amounts
	}{
		{"310", both("182732.61", "65000.00")},  // surplus of the year and of 2025-26, not yet closed
		{"320", both("500000.00", "500000.00")}, // the scheme grant
		{"350", both("316567.89", "10000.00")},  // creditors, cess payable, advance collection
		{"410", both("300000.00", "0.00")},      // gross block
		{"411", both("-10000.00", "0.00")},      // less depreciation
		{"431", both("93300.25", "40000.00")},   // PT and water receivables
		{"432", both("-1000.00", "0.00")},       // less provision
		{"450", both("617000.25", "535000.00")}, // cash and bank
		{"360", both("0.00", "0.00")},           // no provisions: the line is still printed
	}
	for _, c := range cases {
		f := figure(t, append(bs.Liabilities, bs.Assets...), c.major)
		assertAmounts(t, c.want, f.Amounts, "major head "+c.major)
	}

	b1, ok := bs.Schedule("B-1")
	require.True(t, ok)
	require.Len(t, b1.Rows, 2)
	assert.Equal(t, "income_expenditure", b1.Rows[0].DerivedFrom)
	assertAmounts(t, both("117732.61", "65000.00"), b1.Rows[0].Amounts, "surplus of the year")
	assertAmounts(t, both("65000.00", "0.00"), b1.Rows[1].Amounts, "surplus of earlier years")

	debtors, ok := bs.Schedule("B-17")
	require.True(t, ok)
	assert.Equal(t, []string{"4311001", "4313001"}, figure(t, bs.Assets, "431").Accounts)
	assert.Equal(t, "4311001", debtors.Rows[0].AccountCode)
	assertAmounts(t, both("78300.25", "40000.00"), debtors.Rows[0].Amounts, "PT receivable")
	_, ok = bs.Schedule("B-10")
	assert.False(t, ok, "a schedule with no rows is left out")

	// At the year's end the June salaries are in, and it still balances.
	end, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, FiscalYear: 2026})
	require.NoError(t, err)
	require.True(t, end.Balanced())
	assertAmounts(t, both("899300.51", "575000.00"), end.TotalAssets.Amounts, "year-end total assets")
}

func TestIncomeExpenditureSchedulesAndSurplus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)

	ie, err := b.reports.IncomeExpenditure(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	assert.Equal(t, day("2026-04-01"), ie.From)
	assert.Equal(t, day("2025-04-01"), ie.PreviousFrom)
	assert.Equal(t, day("2026-03-31"), ie.PreviousTo)

	assertAmounts(t, both("119500.50", "90000.00"), figure(t, ie.Income, "110").Amounts, "tax revenue, net of the rebate")
	assertAmounts(t, both("15000.00", "0.00"), figure(t, ie.Income, "140").Amounts, "fees and user charges")
	assertAmounts(t, both("134500.50", "90000.00"), ie.TotalIncome.Amounts, "total income")
	assertAmounts(t, both("0.00", "25000.00"), figure(t, ie.Expenditure, "210").Amounts, "establishment: June is after as_of")
	assertAmounts(t, both("10000.00", "0.00"), figure(t, ie.Expenditure, "272").Amounts, "depreciation")
	assertAmounts(t, both("15567.89", "25000.00"), ie.TotalExpenditure.Amounts, "total expenditure")
	assertAmounts(t, both("118932.61", "65000.00"), ie.SurplusBeforePriorPeriod.Amounts, "surplus before prior-period items")
	assertAmounts(t, both("1200.00", "0.00"), ie.PriorPeriodItems.Amounts, "prior-period items")
	assertAmounts(t, both("117732.61", "65000.00"), ie.SurplusAfterPriorPeriod.Amounts, "surplus after prior-period items")
	assertAmounts(t, both("117732.61", "65000.00"), ie.SurplusCarriedToFund.Amounts, "carried to the municipal fund")

	var codes []string
	for _, s := range ie.Schedules {
		codes = append(codes, s.Code)
	}
	assert.Equal(t, []string{"I-1", "I-4", "I-10", "I-11", "I-16", "I-18", "I-19"}, codes)
	assert.Equal(t, []string{"1100101", "1109004"}, figure(t, ie.Income, "110").Accounts)

	// The I&E surplus is what the balance sheet carries in B-1 as the year's.
	bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	b1, _ := bs.Schedule("B-1")
	assertAmounts(t, ie.SurplusCarriedToFund.Amounts, b1.Rows[0].Amounts, "B-1 surplus of the year")
}

// One fund's sheet shows what it owes other funds, so it balances too.
func TestFundBalanceSheetShowsInterFundBalances(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	cases := []struct {
		fund, interFund string
	}{
		{"01", "-5000.00"}, // lent to fund 02: a negative liability
		{"02", "5000.00"},  // owes fund 01
	}
	for _, c := range cases {
		t.Run(c.fund, func(t *testing.T) {
			bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31"), FundCode: c.fund})
			require.NoError(t, err)
			require.True(t, bs.Balanced(), "assets %v, liabilities %v", bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
			last := bs.Liabilities[len(bs.Liabilities)-1]
			assert.Equal(t, "Inter-fund balances (net)", last.Label)
			assert.Equal(t, c.interFund, last.Current.StringFixed(2))
		})
	}
	bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	for _, f := range bs.Liabilities {
		assert.NotEqual(t, "Inter-fund balances (net)", f.Label, "across all funds they cancel")
	}
}

func TestStatementsRefuseDatesTheyCannotDraw(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name string
		req  reports.Request
		is   error // nil: a ValidationError
	}{
		{"a date inside a month", reports.Request{TenantID: tenant, AsOf: day("2026-05-30")}, nil},
		{"neither date nor year", reports.Request{TenantID: tenant}, nil},
		{"a year other than the date's", reports.Request{TenantID: tenant, FiscalYear: 2025, AsOf: day("2026-05-31")}, nil},
		{"a year not opened", reports.Request{TenantID: tenant, FiscalYear: 2030}, ledger.ErrYearNotOpen},
		{"an unknown tenant", reports.Request{TenantID: "uk.nowhere", FiscalYear: 2026}, ledger.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.reports.BalanceSheet(b.ctx, c.req)
			if c.is == nil {
				var ve *ledger.ValidationError
				assert.ErrorAs(t, err, &ve)
			} else {
				assert.ErrorIs(t, err, c.is)
			}
			_, err = b.reports.IncomeExpenditure(b.ctx, c.req)
			assert.Error(t, err)
		})
	}
}

// A figure's account drills to the vouchers behind it, and they add up to it.
func TestDrillFromAScheduleRowToItsVouchers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	postScenario(t, b)
	bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day("2026-05-31")})
	require.NoError(t, err)
	debtors, _ := bs.Schedule("B-17")
	row := debtors.Rows[0]
	st, err := b.reports.GeneralLedger(b.ctx, tenant, ledger.StatementQuery{AccountCode: row.AccountCode, From: day("2026-04-01"), To: bs.AsOf})
	require.NoError(t, err)
	assert.Equal(t, row.Previous.StringFixed(2), st.Opening.StringFixed(2))
	assert.Equal(t, row.Current.StringFixed(2), st.Closing.StringFixed(2))
	var narrations []string
	for _, l := range st.Lines {
		narrations = append(narrations, l.Narration)
	}
	assert.Equal(t, []string{"PT demand 2026-27", "PT collected", "rebate", "prior-period PT short-levied"}, narrations)
}

// Whatever is posted, on whichever heads, funds and dates, every month
// end's balance sheet balances, and the cash flow and the receipts and
// payments account explain the change in cash, for the ULB and each fund.
func TestBalanceSheetBalancesAfterArbitraryPostings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	accounts := []string{"1100101", "1405013", "1601001", "2101001", "2201101", "2722000", "2802000", "3101001",
		"3121100", "3201001", "3501001", "3504101", "4102001", "4112001", "4311001", "4321000", "4501001", "4502101"}
	funds := []string{"01", "02", "03"}
	rng := rand.New(rand.NewPCG(8, 2026))
	var vs []ledger.Voucher
	for i := range 300 {
		date := day("2025-04-01").AddDate(0, 0, rng.IntN(730))
		n := 2 + rng.IntN(4)
		var lines []ledger.Line
		total := decimal.Zero
		for range n - 1 {
			a := decimal.New(int64(1+rng.IntN(10_000_000)), -2)
			total = total.Add(a)
			lines = append(lines, ledger.Line{AccountCode: accounts[rng.IntN(len(accounts))], FundCode: funds[rng.IntN(len(funds))],
				FunctionCode: "0200", Debit: a})
		}
		lines = append(lines, ledger.Line{AccountCode: accounts[rng.IntN(len(accounts))], FundCode: funds[rng.IntN(len(funds))],
			FunctionCode: "0200", Credit: total})
		vs = append(vs, ledger.Voucher{Type: ledger.Journal, Date: date, Narration: "arbitrary", IdempotencyKey: fmt.Sprint("r", i), Lines: lines})
	}
	_, err := b.ledger.Post(b.ctx, tenant, "test", vs)
	require.NoError(t, err)
	for _, asOf := range []string{"2025-04-30", "2025-09-30", "2026-03-31", "2026-06-30", "2027-03-31"} {
		for _, fund := range append([]string{""}, funds...) {
			bs, err := b.reports.BalanceSheet(b.ctx, reports.Request{TenantID: tenant, AsOf: day(asOf), FundCode: fund})
			require.NoError(t, err)
			assert.True(t, bs.Balanced(), "as of %s, fund %q: assets %v, liabilities %v", asOf, fund, bs.TotalAssets.Amounts, bs.TotalLiabilities.Amounts)
			cf, err := b.reports.CashFlow(b.ctx, reports.Request{TenantID: tenant, AsOf: day(asOf), FundCode: fund})
			require.NoError(t, err)
			assert.True(t, cf.Reconciles(), "cash flow as of %s, fund %q", asOf, fund)
		}
		rp, err := b.reports.ReceiptsPayments(b.ctx, reports.Request{TenantID: tenant, AsOf: day(asOf)})
		require.NoError(t, err)
		assert.True(t, rp.Reconciles(), "receipts and payments as of %s", asOf)
	}
}
