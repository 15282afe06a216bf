package budget_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/ledger"
)

// An estimate is drafted, submitted and approved by someone who neither
// drafted nor submitted it; only then do its amounts reach the lines. An
// RE replaces the BE line by line; supplementary provisions add to either.
func TestEstimatesTakeEffectOnlyWhenApprovedByAnother(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l1, err := b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "2301001", FunctionCode: "2030",
		FundCode: "01", Department: "Electrical", Name: "Street-light power", Control: budget.ControlBlock})
	require.NoError(t, err)
	l2, err := b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "22011", FunctionCode: "0100",
		FundCode: "01", Name: "Office maintenance", Control: budget.ControlWarn})
	require.NoError(t, err)

	be, err := b.budget.DraftEstimate(b.ctx, tenant, maker, 2026, budget.BE, "Board resolution 12/2026",
		map[int64]decimal.Decimal{l1.ID: amt("500000")})
	require.NoError(t, err)
	be, err = b.budget.SetAmounts(b.ctx, tenant, be.ID, map[int64]decimal.Decimal{l2.ID: amt("120000")})
	require.NoError(t, err)
	assert.Equal(t, "620000.00", be.Total().StringFixed(2))

	_, err = b.budget.ApproveEstimate(b.ctx, tenant, approver, be.ID)
	assert.ErrorIs(t, err, budget.ErrNotAllowed, "a draft is not yet for approval")
	_, err = b.budget.SubmitEstimate(b.ctx, tenant, maker, be.ID)
	require.NoError(t, err)
	_, err = b.budget.SetAmounts(b.ctx, tenant, be.ID, map[int64]decimal.Decimal{l2.ID: amt("1")})
	assert.ErrorIs(t, err, budget.ErrNotAllowed, "a submitted estimate is frozen")
	_, err = b.budget.ApproveEstimate(b.ctx, tenant, maker, be.ID)
	assert.ErrorIs(t, err, ledger.ErrSelfApproval)
	assert.True(t, now(t, b, l1.ID).BE.IsZero(), "nothing takes effect before approval")

	be, err = b.budget.ApproveEstimate(b.ctx, tenant, approver, be.ID)
	require.NoError(t, err)
	assert.Equal(t, approver, be.DecidedBy)
	assert.Equal(t, "500000.00", now(t, b, l1.ID).Provision().StringFixed(2))
	_, err = b.budget.ApproveEstimate(b.ctx, tenant, approver, be.ID)
	assert.ErrorIs(t, err, budget.ErrNotAllowed, "decided once")
	_, err = b.budget.DraftEstimate(b.ctx, tenant, maker, 2026, budget.BE, "a second BE", nil)
	assert.ErrorIs(t, err, ledger.ErrExists)

	// A supplementary provision needs its reason, and adds.
	_, err = b.budget.DraftEstimate(b.ctx, tenant, maker, 2026, budget.Supplementary, "", nil)
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve)
	approveEstimate(t, b, budget.Supplementary, map[int64]decimal.Decimal{l1.ID: amt("25000")})
	assert.Equal(t, "525000.00", now(t, b, l1.ID).Provision().StringFixed(2))

	// The RE revises l1 only; l2 keeps its BE.
	approveEstimate(t, b, budget.RE, map[int64]decimal.Decimal{l1.ID: amt("450000")})
	assert.Equal(t, "475000.00", now(t, b, l1.ID).Provision().StringFixed(2))
	assert.Equal(t, "120000.00", now(t, b, l2.ID).Provision().StringFixed(2))

	// A rejected estimate changes nothing, and its kind may be drafted again.
	re2, err := b.budget.DraftEstimate(b.ctx, tenant, maker, 2026, budget.Supplementary, "flood repairs", map[int64]decimal.Decimal{l2.ID: amt("9")})
	require.NoError(t, err)
	_, err = b.budget.SubmitEstimate(b.ctx, tenant, maker, re2.ID)
	require.NoError(t, err)
	_, err = b.budget.RejectEstimate(b.ctx, tenant, approver, re2.ID, "")
	assert.ErrorAs(t, err, &ve, "a rejection says why")
	re2, err = b.budget.RejectEstimate(b.ctx, tenant, approver, re2.ID, "no funds")
	require.NoError(t, err)
	assert.Equal(t, budget.Rejected, re2.Status)
	assert.Equal(t, "120000.00", now(t, b, l2.ID).Provision().StringFixed(2))

	all, err := b.budget.Estimates(b.ctx, tenant, 2026)
	require.NoError(t, err)
	assert.Len(t, all, 4)
}

// Re-appropriation stays within a year and a fund, never moves capital
// budget to revenue, never gives more than the giving line has left, and
// keeps its history.
func TestReappropriationRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ls := lines(t, b,
		spec{"2301001", "2030", "01", budget.ControlBlock, "100000"}, // 0 revenue, municipal fund
		spec{"2201101", "0100", "01", budget.ControlWarn, "50000"},   // 1 revenue, municipal fund
		spec{"4120041", "2010", "01", budget.ControlBlock, "300000"}, // 2 capital (a CWIP head), municipal fund
		spec{"2301002", "8000", "03", budget.ControlBlock, "80000"},  // 3 revenue, water fund
		spec{"2302001", "4000", "02", budget.ControlBlock, "40000"},  // 4 capital (the capital and grant fund)
		spec{"4120054", "8010", "02", budget.ControlBlock, "90000"},  // 5 capital, capital fund
	)
	// 30,000 of line 0 spent.
	_, err := bill(b, "BILL/1", charge("2301001", "2030", "01", "30000"))
	require.NoError(t, err)

	move := func(from, to int, amount, key string) error {
		_, err := b.budget.Reappropriate(b.ctx, tenant, approver, budget.ReappropriationInput{FromLineID: ls[from].ID, ToLineID: ls[to].ID,
			Amount: amt(amount), SanctionNumber: "EO/REAPP/" + key, SanctionDate: ledger.Date(2026, 9, 1), Reason: "test " + key, IdempotencyKey: key})
		return err
	}
	cases := []struct {
		name     string
		from, to int
		amount   string
		err      error // nil: allowed
	}{
		{"revenue to revenue in one fund is allowed", 0, 1, "20000", nil},
		{"revenue to capital in one fund is allowed", 1, 2, "5000", nil},
		{"capital to revenue is refused", 2, 1, "1000", budget.ErrNotAllowed},
		{"capital fund to capital fund is allowed", 4, 5, "1000", nil},
		{"another fund is refused", 0, 3, "1000", budget.ErrNotAllowed},
		{"more than the giving line has available is refused", 0, 1, "50000.01", budget.ErrOverBudget},
		{"exactly what the giving line has available is allowed", 0, 1, "50000", nil},
	}
	for _, c := range cases {
		err := move(c.from, c.to, c.amount, c.name)
		if c.err == nil {
			assert.NoError(t, err, c.name)
		} else {
			assert.ErrorIs(t, err, c.err, c.name)
		}
	}
	assert.Equal(t, "100000.00/-70000.00/0.00/30000.00/0.00", totals(now(t, b, ls[0].ID)))
	assert.Equal(t, "50000.00/65000.00/0.00/0.00/115000.00", totals(now(t, b, ls[1].ID)))
	assert.Equal(t, "300000.00/5000.00/0.00/0.00/305000.00", totals(now(t, b, ls[2].ID)))

	// Replaying a sanction records nothing more; its key with another body is a conflict.
	require.NoError(t, move(4, 5, "1000", "capital fund to capital fund is allowed"))
	assert.ErrorIs(t, move(4, 5, "1001", "capital fund to capital fund is allowed"), ledger.ErrIdempotencyConflict)
	_, err = b.budget.Reappropriate(b.ctx, tenant, approver, budget.ReappropriationInput{FromLineID: ls[0].ID, ToLineID: ls[1].ID,
		Amount: amt("1"), SanctionDate: ledger.Date(2026, 9, 1), Reason: "no sanction", IdempotencyKey: "x"})
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve, "a sanction number is required")

	history, err := b.budget.Reappropriations(b.ctx, tenant, 2026, ls[1].ID)
	require.NoError(t, err)
	require.Len(t, history, 3)
	assert.Equal(t, "EO/REAPP/revenue to revenue in one fund is allowed", history[0].SanctionNumber)
	assert.Equal(t, approver, history[0].SanctionedBy)
	assert.Equal(t, ledger.Date(2026, 9, 1), history[0].SanctionDate)
}
