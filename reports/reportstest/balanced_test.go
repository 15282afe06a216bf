package reportstest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// recorder is a testing.TB that keeps the failures it is told of.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

const tenant = "uk.dehradun"

func TestRequireBalanced(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper bool // add a one-sided debit straight to the maintained balances
		want   string
	}{
		{name: "books posted through the ledger pass"},
		{name: "a one-sided balance fails, though the inter-fund line would balance the sheet", tamper: true,
			want: "inter-fund line 0.01"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := dbtest.NewDB(t)
			_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
			require.NoError(t, err)
			amount := decimal.RequireFromString("1250.50")
			_, err = ledger.New(pool, ledger.Config{}).Post(ctx, tenant, "test", []ledger.Voucher{{
				Type: ledger.Journal, Date: ledger.Date(2026, time.May, 15), Narration: "property tax collected", IdempotencyKey: "k1",
				Lines: []ledger.Line{
					{AccountCode: "4501001", FundCode: "01", FunctionCode: "9091", Debit: amount},
					{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", Party: "PROP-1", Credit: amount},
				},
			}})
			require.NoError(t, err)
			if c.tamper {
				require.NoError(t, db.InTenant(ctx, pool, tenant, func(tx pgx.Tx) error {
					return dbq.New(tx).BalanceAddMany(ctx, dbq.BalanceAddManyParams{TenantID: tenant,
						AccountCodes: []string{"4501001"}, FundCodes: []string{"01"}, FunctionCodes: []string{"9091"},
						FiscalYears: []int32{2026}, Periods: []int16{2},
						Debits: []decimal.Decimal{decimal.RequireFromString("0.01")}, Credits: []decimal.Decimal{decimal.Zero}})
				}))
			}

			rec := &recorder{TB: t}
			reportstest.RequireBalanced(rec, pool)

			if c.want == "" {
				assert.Empty(t, rec.errors)
				return
			}
			// Drawn at the year end and at May's end, the last month posted;
			// the totals agree (the inter-fund line makes up the difference),
			// so only the inter-fund check speaks.
			require.Len(t, rec.errors, 2)
			for i, at := range []string{"2027-03-31", "2026-05-31"} {
				assert.Contains(t, rec.errors[i], c.want)
				assert.True(t, strings.Contains(rec.errors[i], "as at "+at), rec.errors[i])
			}
		})
	}
}
