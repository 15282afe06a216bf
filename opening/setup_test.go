package opening_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/opening"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const tenant = "uk.rishikesh"

// asOf is the day the test ULB's books open on Munim.
var asOf = ledger.Date(2026, time.April, 1)

type bundle struct {
	ctx      context.Context
	pool     *pgxpool.Pool
	ledger   *ledger.Ledger
	billing  *billing.Service
	receipts *receipts.Service
	opening  *opening.Service
}

// setup gives a test a ULB with fiscal year 2026-27 open; property tax (PT
// and a library cess on 4311001), water charges (WATER and a cheque-return
// charge on 4313001) and trade licence fees (TL_FEE on 4313002); and in the
// registers properties PT-1 and PT-2 (ward W04), water connection WC-1
// (W05) and licence TL-1 (W06). The clock reads 10 May 2026.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Rishikesh", 2026, "test")
	require.NoError(t, err)
	now := func() time.Time {
		return time.Date(2026, time.May, 10, 11, 0, 0, 0, time.FixedZone("IST", 5*3600+1800))
	}
	led := ledger.New(pool, ledger.Config{Now: now})
	bill := billing.NewService(pool, led, now)
	rs, err := receipts.NewService(pool, led, bill, receipts.Config{Now: now, SigningKey: []byte("a receipt signing key for tests, 32+ bytes"),
		VerifyURL: "https://munim.example.in/verify/receipt"})
	require.NoError(t, err)
	for _, h := range []billing.TaxHead{
		{Service: billing.PropertyTax, Code: "PT", Name: "Property tax", Category: billing.Tax, Priority: 40,
			IncomeAccount: "1100101", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: billing.PropertyTax, Code: "LIB_CESS", Name: "Library cess", Category: billing.Cess, Priority: 30,
			IncomeAccount: "3503001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: billing.Water, Code: "WATER", Name: "Water charges", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
		{Service: billing.Water, Code: "CHQ_RETURN", Name: "Cheque return charge", Category: billing.Fee, Priority: 35,
			IncomeAccount: "1401101", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
		{Service: billing.TradeLicence, Code: "TL_FEE", Name: "Trade licence fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401101", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9093"},
	} {
		_, err := bill.SaveTaxHead(ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	var props []billing.Property
	for _, code := range []string{"PT-1", "PT-2"} {
		props = append(props, billing.Property{ConsumerCode: code, OwnerName: "Owner " + code, Ward: "W04", Category: "B",
			Units: []calc.AreaUnit{{AreaM2: decimal.NewFromInt(100), Use: "residential", Structure: "pucca", Occupancy: "self", YearBuilt: 1980}}})
	}
	require.NoError(t, bill.SaveProperties(ctx, tenant, props, "admin"))
	require.NoError(t, bill.SaveWaterConnections(ctx, tenant, []billing.WaterConnection{{ConsumerCode: "WC-1", HolderName: "Holder WC-1",
		Ward: "W05", Kind: billing.NonMetered, Usage: "residential", PipeSizeMM: 15, ConnectedOn: ledger.Date(2010, time.June, 1)}}, "admin"))
	require.NoError(t, bill.SaveTradeLicences(ctx, tenant, []billing.Licence{{ConsumerCode: "TL-1", HolderName: "Holder TL-1",
		TradeName: "Bakery TL-1", Ward: "W06", Units: []calc.TradeUnit{{Trade: "bakery_small", Size: 12}},
		ValidFrom: ledger.Date(2025, time.April, 1), ValidTo: ledger.Date(2026, time.March, 31), Status: billing.LicenceActive}}, "admin"))
	return bundle{ctx: ctx, pool: pool, ledger: led, billing: bill, receipts: rs, opening: opening.NewService(pool, led, bill)}
}

// goodCSV is a balanced opening trial balance: bank, cash, the receivables
// of four consumers, a creditor, and the municipal fund.
const goodCSV = `account_code,fund_code,function_code,debit,credit,party,head
4502101,01,0200,500000.00,,,
4501001,01,0200,12345.67,,,
4311004,01,9091,3600.00,,PT-1,
4311004,01,9091,180.00,,PT-1,LIB_CESS
4311004,01,9091,1200.50,,PT-2,
4313001,01,9092,800.00,,WC-1,
4313002,01,9093,2000,,TL-1,
3501001,01,0200,,10000.00,SUP-17,
3101001,01,0001,,510126.17,,
`

func csvRequest(key, content string) opening.Request {
	return opening.Request{AsOf: asOf, Format: opening.CSV, Content: []byte(content), IdempotencyKey: key}
}

// count counts the tenant's rows of a table.
func count(t *testing.T, b bundle, table string) int {
	t.Helper()
	var n int
	require.NoError(t, db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return tx.QueryRow(b.ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n)
	}))
	return n
}

// balances is the trial balance's closing balance per account (debit
// positive) on the opening day.
func balances(t *testing.T, b bundle) map[string]string {
	t.Helper()
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, asOf, "")
	require.NoError(t, err)
	require.True(t, tb.Balanced())
	out := map[string]string{}
	for _, r := range tb.Rows {
		out[r.AccountCode] = r.Closing.StringFixed(2)
	}
	return out
}

// violations lists an error's field violations as "field: rule".
func violations(t *testing.T, err error) []string {
	t.Helper()
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	out := make([]string, len(ve.Violations))
	for i, v := range ve.Violations {
		out[i] = v.Field + ": " + v.Rule
	}
	return out
}

// withRows returns goodCSV with more rows after its last (row 10), which
// unbalance it unless they balance among themselves.
func withRows(rows ...string) string {
	return goodCSV + strings.Join(rows, "\n") + "\n"
}
