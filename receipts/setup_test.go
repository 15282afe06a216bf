package receipts_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

// testKey signs the receipts of the tests.
const testKey = "a receipt signing key for tests, 32+ bytes"

type bundle struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	clock    *clock
}

// clock is the services' clock, set by each test.
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

// on is mid-morning of a day in India.
func on(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, ist) }

// setup gives a test a tenant (fiscal year 2026-27 open) with
// property tax (tax, library cess, round-off, rebate, penalty and interest
// heads, and the Punjab late-payment master for 2026-27: 10 % rebate until
// 25 September, 10 % penalty after the due date, 1.5 % a month interest),
// trade licence fees and water charges. The clock reads 10 May 2026.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	clk := &clock{t: on(2026, time.May, 10)}
	led := ledger.New(pool, ledger.Config{Now: clk.Now})
	bill := billing.NewService(pool, led, clk.Now)
	rs, err := receipts.NewService(pool, led, bill, receipts.Config{Now: clk.Now, SigningKey: []byte(testKey),
		VerifyURL: "https://munim.example.in/verify/receipt"})
	require.NoError(t, err)
	b := bundle{ctx: ctx, pool: pool, ledger: led, billing: bill, clock: clk, receipts: rs}
	pt := func(code, name string, c billing.Category, prio int, income string) billing.TaxHead {
		return billing.TaxHead{Service: "property_tax", Code: code, Name: name, Category: c, Priority: prio,
			IncomeAccount: income, ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"}
	}
	for _, h := range []billing.TaxHead{
		pt("PT", "Property tax", billing.Tax, 40, "1100101"),
		pt("LIB_CESS", "Library cess", billing.Cess, 30, "3503001"),
		pt("ROUNDOFF", "Round off", billing.RoundOff, 50, "1808099"),
		pt("REBATE", "Rebate for early payment", billing.Rebate, 60, "1109004"),
		pt("PENALTY", "Penalty on late payment", billing.Penalty, 20, "1402010"),
		pt("INTEREST", "Interest on late payment", billing.Interest, 10, "1718001"),
		{Service: "trade_licence", Code: "TL_FEE", Name: "Trade licence fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401101", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9093"},
		{Service: "water", Code: "WATER", Name: "Water charges", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
		{Service: "water", Code: "CHQ_RETURN", Name: "Cheque return charge", Category: billing.Fee, Priority: 35,
			IncomeAccount: "1401101", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	penalty, interest := calc.SamplePenaltyPunjab(), calc.SampleInterestPunjab()
	require.NoError(t, bill.SaveLatePaymentMaster(ctx, tenant, "property_tax", 2026, billing.LatePaymentMaster{
		RebateWindows: calc.SampleRebatePunjab(2026), RebateHead: "REBATE",
		Penalty: &penalty, PenaltyHead: "PENALTY", Interest: &interest, InterestHead: "INTEREST",
		BaseCategories: []billing.Category{billing.Tax, billing.Cess}}, "admin"))
	return b
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// demandOpt edits a demand before it is raised.
type demandOpt func(*billing.DemandInput)

// due sets the due date.
func due(d time.Time) demandOpt { return func(in *billing.DemandInput) { in.DueDate = d } }

// lines sets the lines: head, amount, head, amount...
func lines(kv ...string) demandOpt {
	return func(in *billing.DemandInput) {
		in.Lines = nil
		for i := 0; i < len(kv); i += 2 {
			in.Lines = append(in.Lines, billing.DemandLineInput{Head: kv[i], Amount: amt(kv[i+1])})
		}
	}
}

// raise raises a property-tax demand of consumer for fiscal year fy (3,600
// tax and 180 cess, due 30 September, dated 1 April 2026 so that an arrear
// year's accrual falls in an open year).
func raise(t *testing.T, b bundle, consumer string, fy int, opts ...demandOpt) billing.Demand {
	t.Helper()
	in := billing.DemandInput{Service: "property_tax", ConsumerCode: consumer, Ward: "W07",
		PeriodFrom: ledger.Date(fy, time.April, 1), PeriodTo: ledger.Date(fy+1, time.March, 31),
		Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(fy, time.September, 30),
		IdempotencyKey: fmt.Sprintf("pt-%d-%s", fy, consumer)}
	lines("PT", "3600", "LIB_CESS", "180")(&in)
	for _, o := range opts {
		o(&in)
	}
	ds, err := b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{in})
	require.NoError(t, err)
	return ds[0]
}

// payment is a cash payment of amount for one property-tax consumer.
func payment(key, consumer, amount string) receipts.PaymentInput {
	return receipts.PaymentInput{IdempotencyKey: key, Mode: receipts.Cash, Amount: amt(amount), PayerName: "Meera Rawat",
		Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: consumer, Amount: amt(amount)}}}
}

// cheque turns p into a cheque payment.
func cheque(p receipts.PaymentInput, number string, dated time.Time) receipts.PaymentInput {
	p.Mode = receipts.Cheque
	p.Instrument = receipts.Instrument{Number: number, Date: dated, Bank: "State Bank of India", Branch: "Rajpur Road"}
	return p
}

// balances returns the demand's lines' balances by head.
func balances(t *testing.T, b bundle, id int64) map[string]string {
	t.Helper()
	ds, err := b.billing.Demands(b.ctx, tenant, []int64{id})
	require.NoError(t, err)
	out := map[string]string{}
	for _, l := range ds[0].Lines {
		out[l.Head] = l.Balance().StringFixed(2)
	}
	return out
}

// collected returns the demand's lines' collected amounts by head.
func collected(t *testing.T, b bundle, id int64) map[string]string {
	t.Helper()
	ds, err := b.billing.Demands(b.ctx, tenant, []int64{id})
	require.NoError(t, err)
	out := map[string]string{}
	for _, l := range ds[0].Lines {
		out[l.Head] = l.Collected.StringFixed(2)
	}
	return out
}

// books asserts what must hold after every scenario: the demand register
// equals the receivable control accounts, and cash and cheques in hand
// equal the cash book.
func books(t *testing.T, b bundle) {
	t.Helper()
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "DCB against ledger: %+v", ties)
	cash, err := b.receipts.CheckCashBook(b.ctx, tenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(cash), "cash book against ledger: %+v", cash)
}

// balanceOf is an account's balance (debit positive), optionally of one party.
func balanceOf(t *testing.T, b bundle, account, party string) string {
	t.Helper()
	st, err := b.ledger.AccountStatement(b.ctx, tenant, ledger.StatementQuery{AccountCode: account, Party: party,
		From: ledger.Date(2026, time.April, 1), To: ledger.Date(2027, time.March, 31), PageSize: 1000})
	require.NoError(t, err)
	return st.Closing.StringFixed(2)
}
