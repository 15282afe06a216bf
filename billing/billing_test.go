package billing_test

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
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.dehradun"

type bundle struct {
	ctx     context.Context
	pool    *pgxpool.Pool
	billing *billing.Service
	ledger  *ledger.Ledger
	clock   *clock
}

// clock is the billing service's clock: the real time until a test sets it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// setup gives a test a tenant with property-tax and building-plan heads.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	led := ledger.New(pool, ledger.Config{})
	clk := &clock{}
	b := bundle{ctx: ctx, pool: pool, billing: billing.NewService(pool, led, clk.Now), ledger: led, clock: clk}
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091", RoundToRupee: true},
		{Service: "property_tax", Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "ROUNDOFF", Name: "Round off", Category: billing.RoundOff, Priority: 50,
			IncomeAccount: "1808099", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "building_plan", Code: "BP_FEE", Name: "Building permit fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401202", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9095"},
	} {
		_, err := b.billing.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	return b
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func propertyDemand(consumer, key string, lines ...billing.DemandLineInput) billing.DemandInput {
	return billing.DemandInput{Service: "property_tax", ConsumerCode: consumer, Ward: "W07",
		PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
		Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.June, 30), IdempotencyKey: key, Lines: lines}
}

func line(head, amount string) billing.DemandLineInput {
	return billing.DemandLineInput{Head: head, Amount: amt(amount)}
}

// tied asserts the demand register equals the receivable control accounts.
func tied(t *testing.T, b bundle) {
	t.Helper()
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	require.NotEmpty(t, ties)
	assert.True(t, ledger.Tied(ties), "DCB against ledger: %+v", ties)
}

func TestTaxHeadsAreCheckedWhenSaved(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		edit  func(*billing.TaxHead)
		field string
	}{
		{"unknown receivable", func(h *billing.TaxHead) { h.ReceivableAccount = "4319999" }, "tax_head.receivable_account"},
		{"receivable not an asset", func(h *billing.TaxHead) { h.ReceivableAccount = "1100101" }, "tax_head.receivable_account"},
		{"group head as income", func(h *billing.TaxHead) { h.IncomeAccount = "11001" }, "tax_head.income_account"},
		{"expenditure as income", func(h *billing.TaxHead) { h.IncomeAccount = "2101001" }, "tax_head.income_account"},
		{"bad category", func(h *billing.TaxHead) { h.Category = "gift" }, "tax_head.category"},
		{"bad code", func(h *billing.TaxHead) { h.Code = "pt" }, "tax_head.code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := billing.TaxHead{Service: "water", Code: "WATER", Name: "Water charges", Category: billing.Fee, Priority: 40,
				IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"}
			c.edit(&h)
			_, err := b.billing.SaveTaxHead(b.ctx, tenant, h, "admin")
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field)
		})
	}
}

func TestDemandPostsItsAccrualInTheSameTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ds, err := b.billing.PostDemands(b.ctx, tenant, "test", billing.FromRun, []billing.DemandInput{
		propertyDemand("PT-1", "d1", line("PT", "3600"), line("LIB_CESS", "180.40"), line("ROUNDOFF", "-0.40")),
	})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "3780.00", ds[0].Total.StringFixed(2))

	v, err := b.ledger.Voucher(b.ctx, tenant, ds[0].VoucherID)
	require.NoError(t, err)
	// Receivable of the consumer (net of the round-off), income, the state's cess, round-off income reduced.
	assert.Equal(t, map[string]string{"4311001:PT-1": "3780.00", "1100101:": "-3600.00", "3503001:": "-180.40", "1808099:": "0.40"}, sumByKey(v))
	tied(t, b)
}

func sumByKey(v ledger.Posted) map[string]string {
	sums := map[string]decimal.Decimal{}
	for _, l := range v.Lines {
		k := l.AccountCode + ":" + l.Party
		sums[k] = sums[k].Add(l.Debit).Sub(l.Credit)
	}
	out := map[string]string{}
	for k, s := range sums {
		out[k] = s.StringFixed(2)
	}
	return out
}

func TestDemandRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		d     billing.DemandInput
		field string
	}{
		{"unconfigured service", billing.DemandInput{Service: "sludge", ConsumerCode: "X", IdempotencyKey: "k"}, "demands[0].service"},
		{"unknown head", propertyDemand("PT-1", "k1", line("WATER", "10")), "demands[0].lines[0].head"},
		{"paise left on a rupee head", propertyDemand("PT-1", "k2", line("PT", "3600.50")), "demands[0].lines"},
		{"negative tax", propertyDemand("PT-1", "k3", line("PT", "-5")), "demands[0].lines[0].amount"},
		{"three decimals", propertyDemand("PT-1", "k4", line("LIB_CESS", "1.005")), "demands[0].lines[0].amount"},
		{"no consumer", propertyDemand("", "k5", line("PT", "10")), "demands[0].consumer_code"},
		{"no lines", propertyDemand("PT-1", "k6"), "demands[0].lines"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.billing.PostDemands(b.ctx, tenant, "test", billing.FromManual, []billing.DemandInput{c.d})
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "%v", ve.Violations)
		})
	}
}

func TestDemandsAreIdempotentAndOnePerConsumerAndPeriod(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, err := b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{
		propertyDemand("PT-1", "i1", line("PT", "1000")), propertyDemand("PT-2", "i2", line("PT", "2000")),
	})
	require.NoError(t, err)
	again, err := b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{
		propertyDemand("PT-1", "i1", line("PT", "1000")), propertyDemand("PT-2", "i2", line("PT", "2000")),
	})
	require.NoError(t, err)
	assert.Equal(t, first[1].ID, again[1].ID)

	_, err = b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{propertyDemand("PT-1", "i1", line("PT", "1001"))})
	assert.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	_, err = b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{propertyDemand("PT-1", "i3", line("PT", "1000"))})
	assert.ErrorIs(t, err, ledger.ErrExists, "a second demand for the same consumer and period")

	// All or nothing: a good demand beside a duplicate is not raised.
	_, err = b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{
		propertyDemand("PT-3", "i4", line("PT", "10")), propertyDemand("PT-2", "i5", line("PT", "10")),
	})
	require.Error(t, err)
	dues, err := b.billing.Dues(b.ctx, tenant, "PT-3", "")
	require.NoError(t, err)
	assert.Empty(t, dues.Demands)
	tied(t, b)
}

func TestDemandInAClosedPeriodIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.ledger.ClosePeriod(b.ctx, tenant, 2026, 1, "test", "April closed")
	require.NoError(t, err)
	_, err = b.billing.PostDemands(b.ctx, tenant, "test", billing.FromRun, []billing.DemandInput{propertyDemand("PT-1", "c1", line("PT", "10"))})
	var pe *ledger.PreconditionError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "demands[0].date", pe.Field)
}

func TestDuesAcrossServicesAndTheDcbRegister(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// A department app posts building-plan fees against the same consumer.
	bp := billing.DemandInput{Service: "building_plan", ConsumerCode: "PT-9", Ward: "W07",
		PeriodFrom: ledger.Date(2026, time.May, 5), PeriodTo: ledger.Date(2026, time.May, 5), Date: ledger.Date(2026, time.May, 5),
		DueDate: ledger.Date(2026, time.June, 4), IdempotencyKey: "bp-1", Lines: []billing.DemandLineInput{line("BP_FEE", "12500")}}
	_, err := b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{
		propertyDemand("PT-9", "p9", line("PT", "4800"), line("LIB_CESS", "240")), bp,
	})
	require.NoError(t, err)

	dues, err := b.billing.Dues(b.ctx, tenant, "PT-9", "")
	require.NoError(t, err)
	require.Len(t, dues.Demands, 2)
	assert.Equal(t, "property_tax", dues.Demands[0].Service, "oldest period first")
	assert.Equal(t, "17540.00", dues.Total.StringFixed(2))

	bill, err := b.billing.FetchBill(b.ctx, tenant, "building_plan", "PT-9", "test")
	require.NoError(t, err)
	assert.Equal(t, "12500.00", bill.Total.StringFixed(2))
	assert.True(t, bill.ExpiresAt.After(bill.AsOf))

	rows, err := b.billing.DcbRegister(b.ctx, tenant, "", 2026)
	require.NoError(t, err)
	var sum []string
	for _, r := range rows {
		sum = append(sum, fmt.Sprintf("%s %s %s %d %s/%s/%s", r.Ward, r.Service, r.Head, r.FiscalYear, r.Demand.StringFixed(2), r.Collection.StringFixed(2), r.Balance.StringFixed(2)))
	}
	assert.Equal(t, []string{
		"W07 building_plan BP_FEE 2026 12500.00/0.00/12500.00",
		"W07 property_tax LIB_CESS 2026 240.00/0.00/240.00",
		"W07 property_tax PT 2026 4800.00/0.00/4800.00",
	}, sum)
	tied(t, b)
}

func TestDcbCheckFindsAManualPostingToAControlAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.billing.PostDemands(b.ctx, tenant, "test", billing.FromRun, []billing.DemandInput{propertyDemand("PT-1", "m1", line("PT", "100"))})
	require.NoError(t, err)
	tied(t, b)
	// A journal straight to the receivable, with no demand behind it, breaks the tie.
	_, err = b.ledger.Post(b.ctx, tenant, "someone", []ledger.Voucher{{Type: ledger.Journal, Date: ledger.Date(2026, time.April, 2),
		Narration: "manual", IdempotencyKey: "manual-1", Lines: []ledger.Line{
			{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Debit: amt("5")},
			{AccountCode: "1100101", FundCode: "01", FunctionCode: "9091", Credit: amt("5")},
		}}})
	require.NoError(t, err)
	ties, err := b.billing.CheckDcbAgainstLedger(b.ctx, tenant)
	require.NoError(t, err)
	assert.False(t, ledger.Tied(ties))
	for _, tie := range ties {
		if tie.Account == "4311001" {
			assert.Equal(t, "5.00", tie.Difference.StringFixed(2))
		}
	}
}
