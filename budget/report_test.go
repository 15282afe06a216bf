package budget_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/yearend"
)

// Budget vs actual shows each line's BE, RE, re-appropriations,
// commitments, actual, available and % used, totalled by function and
// major head, beside the ledger's own figure; the quarterly variance
// phases each line's budget evenly over the year.
func TestBudgetVsActualAndQuarterlyVariance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ls := lines(t, b,
		spec{"2301001", "2030", "01", budget.ControlBlock, "100000"},
		spec{"2201101", "2030", "01", budget.ControlWarn, "40000"},
	)
	_, err := b.budget.Reappropriate(b.ctx, tenant, approver, budget.ReappropriationInput{FromLineID: ls[1].ID, ToLineID: ls[0].ID,
		Amount: amt("20000"), SanctionNumber: "EO/1", SanctionDate: ledger.Date(2026, 8, 1), Reason: "power tariff rise", IdempotencyKey: "r1"})
	require.NoError(t, err)
	_, _, err = b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: ls[0].ID, Kind: "purchase_order", Reference: "PO/9",
		Date: ledger.Date(2026, 8, 2), Amount: amt("10000"), IdempotencyKey: "po-9"})
	require.NoError(t, err)
	_, err = bill(b, "BILL/1", charge("2301001", "2030", "01", "30000")) // June: quarter 1
	require.NoError(t, err)
	require.NoError(t, inTenant(b, func(tx pgx.Tx) error { // November: quarter 3
		_, err := b.budget.ChargeTx(b.ctx, tx, tenant, ledger.Date(2026, 11, 5), "BILL/2", []budget.Charge{charge("2301001", "2030", "01", "12000")})
		return err
	}))

	rep, err := b.budget.BudgetVsActual(b.ctx, tenant, 2026)
	require.NoError(t, err)
	require.Len(t, rep.Lines, 2)
	power := rep.Lines[1] // head order: 2201101, 2301001
	assert.Equal(t, "2301001/2030/01", power.Key)
	assert.Equal(t, []string{"100000.00", "100000.00", "20000.00", "10000.00", "42000.00", "68000.00", "43.33", "30000.00"},
		[]string{power.BE.StringFixed(2), power.RE.StringFixed(2), power.Reappropriated.StringFixed(2), power.Committed.StringFixed(2),
			power.Actual.StringFixed(2), power.Available.StringFixed(2), power.PercentUsed.StringFixed(2), power.Ledger.StringFixed(2)},
		"the ledger shows only the bill that posted a voucher")
	require.Len(t, rep.ByFunction, 1)
	assert.Equal(t, "140000.00", rep.ByFunction[0].BE.StringFixed(2))
	assert.Equal(t, "0.00", rep.ByFunction[0].Reappropriated.StringFixed(2))
	require.Len(t, rep.ByMajor, 2)
	assert.Equal(t, "220", rep.ByMajor[0].Key)
	assert.Equal(t, "230", rep.ByMajor[1].Key)
	assert.Equal(t, "88000.00", rep.Total.Available.StringFixed(2))

	qv, err := b.budget.QuarterlyVariance(b.ctx, tenant, 2026)
	require.NoError(t, err)
	p := qv[1]
	assert.Equal(t, "120000.00", p.Budget.StringFixed(2))
	assert.Equal(t, []string{"30000.00", "0.00", "12000.00", "0.00"}, strs(p.Actual[:]))
	assert.Equal(t, []string{"30000.00", "60000.00", "90000.00", "120000.00"}, strs(p.Target[:]))
	assert.Equal(t, []string{"0.00", "30000.00", "48000.00", "78000.00"}, strs(p.Variance[:]))
	assert.Equal(t, "53.33", p.VariancePercent[2].StringFixed(2))

	// Closing the year brings the expenditure heads to nil in the books;
	// the ledger's actual of the closed year is still what was spent.
	_, err = yearend.NewService(b.pool, b.ledger).CloseYear(b.ctx, tenant, 2026, approver)
	require.NoError(t, err)
	rep, err = b.budget.BudgetVsActual(b.ctx, tenant, 2026)
	require.NoError(t, err)
	assert.Equal(t, "30000.00", rep.Lines[1].Ledger.StringFixed(2), "the closing voucher is not spending")
}

func strs[T interface{ StringFixed(int32) string }](ds []T) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.StringFixed(2)
	}
	return out
}
