package payments_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/payments"
	"github.com/munimhq/munim/razorpaysim"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	tenant    = "uk.dehradun"
	keyID     = "rzp_test_dehradun"
	keySecret = "dehradun-key-secret"
	hookNew   = "dehradun-webhook-2"
	hookOld   = "dehradun-webhook-1"
)

var ist = time.FixedZone("IST", 5*3600+1800)

// clock is the clock of the services and the simulator, set by each test.
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

type bundle struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	clock    *clock
	billing  *billing.Service
	receipts *receipts.Service
	payments *payments.Service
	audit    *audit.Recorder
	sim      *razorpaysim.Sim
	hooks    string // the webhook endpoint's URL
	simURL   string
}

type options struct {
	timeout  time.Duration // the gateway client's
	accounts func(simURL string) payments.Account
}

// setup gives a test a tenant with property tax (tax and cess, the Punjab
// rebate, penalty and interest masters) and water charges, the receipts
// service, a Razorpay simulator (webhooks signed with hookOld at first)
// and the payments service over it, its webhook endpoint served so that
// the simulator delivers to it. The clock reads 10 May 2026.
func setup(t *testing.T, opts ...func(*options)) *bundle {
	t.Helper()
	o := options{timeout: 2 * time.Second, accounts: func(u string) payments.Account {
		return payments.Account{KeyID: keyID, KeySecret: keySecret, WebhookSecret: hookOld, BaseURL: u}
	}}
	for _, f := range opts {
		f(&o)
	}
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	clk := &clock{t: time.Date(2026, time.May, 10, 10, 30, 0, 0, ist)}
	led := ledger.New(pool, ledger.Config{Now: clk.Now})
	bill := billing.NewService(pool, led, clk.Now)
	rs, err := receipts.NewService(pool, led, bill, receipts.Config{Now: clk.Now})
	require.NoError(t, err)
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
		{Service: "water", Code: "WATER", Name: "Water charges", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	penalty, interest := calc.SamplePenaltyPunjab(), calc.SampleInterestPunjab()
	require.NoError(t, bill.SaveLatePaymentMaster(ctx, tenant, "property_tax", 2026, billing.LatePaymentMaster{
		RebateWindows: calc.SampleRebatePunjab(2026), RebateHead: "REBATE",
		Penalty: &penalty, PenaltyHead: "PENALTY", Interest: &interest, InterestHead: "INTEREST",
		BaseCategories: []billing.Category{billing.Tax, billing.Cess}}, "admin"))

	sim, err := razorpaysim.New(razorpaysim.Config{KeyID: keyID, KeySecret: keySecret, WebhookSecret: hookOld, Now: clk.Now})
	require.NoError(t, err)
	simSrv := httptest.NewServer(sim)
	t.Cleanup(simSrv.Close)
	rec := audit.NewRecorder(pool, slog.New(slog.DiscardHandler))
	t.Cleanup(rec.Close)
	ps, err := payments.NewService(pool, led, bill, rs, payments.Config{Accounts: map[string]payments.Account{tenant: o.accounts(simSrv.URL)},
		HTTPClient: &http.Client{Timeout: o.timeout}, Audit: rec, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(ps.NewWebhookHandler())
	hooks := httptest.NewServer(mux)
	t.Cleanup(hooks.Close)
	url := hooks.URL + "/webhooks/razorpay/" + tenant
	sim.SetWebhookURL(url)
	return &bundle{ctx: ctx, pool: pool, clock: clk, billing: bill, receipts: rs, payments: ps, audit: rec, sim: sim, hooks: url, simURL: simSrv.URL}
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// raise raises a property-tax demand for 2026-27 (3,600 tax and 180 cess,
// due 30 September).
func (b *bundle) raise(t *testing.T, consumer string) {
	t.Helper()
	in := billing.DemandInput{Service: "property_tax", ConsumerCode: consumer, Ward: "W07",
		PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
		Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.September, 30),
		IdempotencyKey: "pt-2026-" + consumer,
		Lines:          []billing.DemandLineInput{{Head: "PT", Amount: amt("3600")}, {Head: "LIB_CESS", Amount: amt("180")}}}
	_, err := b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{in})
	require.NoError(t, err)
}

// order opens a checkout of amount for one property-tax consumer.
func (b *bundle) order(t *testing.T, key, consumer, amount string) payments.Transaction {
	t.Helper()
	tx, err := b.payments.CreatePaymentOrder(b.ctx, tenant, "citizen", payments.OrderInput{IdempotencyKey: key,
		PayerName: "Meera Rawat", Items: []payments.Item{{Service: "property_tax", ConsumerCode: consumer, Amount: amt(amount)}}})
	require.NoError(t, err)
	require.Equal(t, payments.Created, tx.Status)
	require.NotNil(t, tx.Checkout)
	return tx
}

func (b *bundle) get(t *testing.T, id int64) payments.Transaction {
	t.Helper()
	b.sim.WaitWebhooks()
	tx, err := b.payments.Get(b.ctx, tenant, id)
	require.NoError(t, err)
	return tx
}

// confirm posts the checkout's callback.
func (b *bundle) confirm(t *testing.T, cb razorpaysim.Callback) payments.Transaction {
	t.Helper()
	tx, err := b.payments.ConfirmCheckout(b.ctx, tenant, "citizen", payments.CheckoutResult{OrderID: cb.OrderID,
		PaymentID: cb.PaymentID, Signature: cb.Signature})
	require.NoError(t, err)
	return tx
}

// sql runs a test's own read in the tenant's scope.
func (b *bundle) sql(t *testing.T, query string, dst ...any) {
	t.Helper()
	require.NoError(t, db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return tx.QueryRow(b.ctx, query, tenant).Scan(dst...)
	}))
}

// books asserts what must hold after every scenario: one receipt per
// captured payment, for its amount, debiting the clearing account; the
// clearing account (4501002) equal to what was captured and not settled;
// and the DCB equal to the receivables.
func (b *bundle) books(t *testing.T) {
	t.Helper()
	b.sim.WaitWebhooks()
	var captured, receipted, online int
	var capturedSum, clearing decimal.Decimal
	b.sql(t, `SELECT count(*), count(r.id), coalesce(sum(p.amount) FILTER (WHERE p.settlement_id IS NULL), 0) FROM gateway_payments p
	          LEFT JOIN receipts r ON r.tenant_id = p.tenant_id AND r.id = p.receipt_id AND r.amount = p.amount
	               AND r.instrument_no = p.payment_id AND r.debit_account = '4501002' AND r.mode = 'online'
	          WHERE p.tenant_id = $1 AND p.status IN ('captured', 'refunded')`, &captured, &receipted, &capturedSum)
	b.sql(t, `SELECT count(*) FROM receipts WHERE tenant_id = $1 AND mode = 'online'`, &online)
	assert.Equal(t, captured, receipted, "every captured payment has its receipt")
	assert.Equal(t, captured, online, "one receipt per captured payment")
	var refunded decimal.Decimal
	b.sql(t, `SELECT coalesce(sum(amount), 0) FROM gateway_refunds WHERE tenant_id = $1 AND status = 'processed'
	          AND settlement_id IS NULL`, &refunded)
	b.sql(t, `SELECT coalesce(sum(debit - credit), 0) FROM voucher_lines WHERE tenant_id = $1 AND account_code = '4501002'`, &clearing)
	assert.True(t, clearing.Equal(capturedSum.Sub(refunded)), "clearing %s = captured unsettled %s less refunded unsettled %s",
		clearing, capturedSum, refunded)
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	assert.True(t, ledger.Tied(ties), "DCB against ledger: %+v", ties)
}

// balance is what consumer still owes for property tax.
func (b *bundle) balance(t *testing.T, consumer string) string {
	t.Helper()
	d, err := b.billing.Dues(b.ctx, tenant, consumer, "property_tax")
	require.NoError(t, err)
	return d.Total.StringFixed(2)
}

// advance is consumer's advance held for property tax.
func (b *bundle) advance(t *testing.T, consumer string) string {
	t.Helper()
	var a decimal.Decimal
	require.NoError(t, db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return tx.QueryRow(b.ctx, `SELECT coalesce(sum(balance), 0) FROM consumer_advances
		    WHERE tenant_id = $1 AND consumer_code = $2`, tenant, consumer).Scan(&a)
	}))
	return a.StringFixed(2)
}
