package budget_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	tenant   = "uk.dehradun"
	maker    = "user:ravi"
	approver = "user:meena"
)

type bundle struct {
	ctx    context.Context
	pool   *pgxpool.Pool
	budget *budget.Service
	ledger *ledger.Ledger
}

// setup gives a test a tenant with FY 2026-27 open and no budget.
func setup(t *testing.T) bundle {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	return bundle{ctx: ctx, pool: pool, budget: budget.NewService(pool, nil), ledger: ledger.New(pool, ledger.Config{})}
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// spec is a line to create and its BE.
type spec struct {
	head, function, fund string
	control              budget.Control
	be                   string
}

// lines creates lines of FY 2026-27 and approves one BE for them all.
func lines(t *testing.T, b bundle, specs ...spec) []budget.Line {
	t.Helper()
	be := map[int64]decimal.Decimal{}
	ids := make([]int64, len(specs))
	for i, sp := range specs {
		l, err := b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: sp.head, FunctionCode: sp.function,
			FundCode: sp.fund, Name: "line " + sp.head, Control: sp.control})
		require.NoError(t, err)
		be[l.ID] = amt(sp.be)
		ids[i] = l.ID
	}
	approveEstimate(t, b, budget.BE, be)
	out := make([]budget.Line, len(ids))
	for i, id := range ids {
		out[i] = now(t, b, id)
	}
	return out
}

// approveEstimate drafts, submits and approves an estimate.
func approveEstimate(t *testing.T, b bundle, kind budget.EstimateKind, amounts map[int64]decimal.Decimal) budget.Estimate {
	t.Helper()
	e, err := b.budget.DraftEstimate(b.ctx, tenant, maker, 2026, kind, "test "+string(kind), amounts)
	require.NoError(t, err)
	_, err = b.budget.SubmitEstimate(b.ctx, tenant, maker, e.ID)
	require.NoError(t, err)
	e, err = b.budget.ApproveEstimate(b.ctx, tenant, approver, e.ID)
	require.NoError(t, err)
	require.Equal(t, budget.Approved, e.Status)
	return e
}

// now reads a line back as it stands.
func now(t *testing.T, b bundle, id int64) budget.Line {
	t.Helper()
	l, err := b.budget.Line(b.ctx, tenant, id)
	require.NoError(t, err)
	return l
}

// bill spends amount on head/function/fund the way an expenditure bill
// does: the appropriation check and the bill's voucher (Dr the head, Cr
// creditors) in one transaction.
func bill(b bundle, source string, c budget.Charge) (budget.Charged, error) {
	var out budget.Charged
	err := db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		date := ledger.Date(2026, time.June, 10)
		if out, err = b.budget.ChargeTx(b.ctx, tx, tenant, date, source, []budget.Charge{c}); err != nil {
			return err
		}
		_, err = b.ledger.PostTx(b.ctx, tx, tenant, "test", []ledger.Voucher{{Type: ledger.Journal, Date: date,
			Narration: "bill " + source, IdempotencyKey: source, SourceRef: source, Lines: []ledger.Line{
				{AccountCode: c.AccountCode, FundCode: c.FundCode, FunctionCode: c.FunctionCode, Debit: c.Amount},
				{AccountCode: "3501001", FundCode: c.FundCode, FunctionCode: c.FunctionCode, Party: "SUP-1", Credit: c.Amount},
			}}})
		return err
	})
	return out, err
}

func charge(head, function, fund, amount string) budget.Charge {
	return budget.Charge{AccountCode: head, FunctionCode: function, FundCode: fund, Amount: amt(amount)}
}

// totals prints a line's running totals as
// "provision/reappropriated/committed/actual/available".
func totals(l budget.Line) string {
	return fmt.Sprintf("%s/%s/%s/%s/%s", l.Provision().StringFixed(2), l.Reappropriated.StringFixed(2), l.Committed.StringFixed(2),
		l.Actual.StringFixed(2), l.Available().StringFixed(2))
}

// inTenant runs fn in a transaction of the test tenant.
func inTenant(b bundle, fn func(tx pgx.Tx) error) error {
	return db.InTenant(b.ctx, b.pool, db.Scope(tenant), fn)
}
