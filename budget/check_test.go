package budget_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/ledger"
)

// A line's control applies at the exact boundary: spending all that is
// available passes unflagged; a paisa more is refused (block) or flagged
// (warn); none never checks.
func TestControlAtTheExactBoundary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		control   budget.Control
		spend     string
		refused   bool
		shortfall string // "" for no flag
	}{
		{"block at exact boundary passes", budget.ControlBlock, "100000.00", false, ""},
		{"block: one paisa over is refused", budget.ControlBlock, "100000.01", true, ""},
		{"warn at exact boundary passes unflagged", budget.ControlWarn, "100000.00", false, ""},
		{"warn: one paisa over commits and is flagged", budget.ControlWarn, "100000.01", false, "0.01"},
		{"none: far over commits unflagged", budget.ControlNone, "250000.00", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			// 40,000 already spent, 20,000 committed: 100,000 of 160,000 left.
			l := lines(t, b, spec{"2301001", "2030", "01", c.control, "160000"})[0]
			_, err := bill(b, "BILL/0", charge("2301001", "2030", "01", "40000"))
			require.NoError(t, err)
			_, _, err = b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: l.ID, Kind: "purchase_order",
				Reference: "PO/1", Date: ledger.Date(2026, 5, 1), Amount: amt("20000"), IdempotencyKey: "po-1"})
			require.NoError(t, err)
			require.Equal(t, "100000.00", now(t, b, l.ID).Available().StringFixed(2))

			got, err := bill(b, "BILL/1", charge("2301001", "2030", "01", c.spend))
			after := now(t, b, l.ID)
			if c.refused {
				var pe *ledger.PreconditionError
				require.ErrorAs(t, err, &pe)
				assert.ErrorIs(t, err, budget.ErrOverBudget)
				assert.Contains(t, pe.Reason, fmt.Sprintf("line %d 2301001/2030/01", l.ID), "names the line")
				assert.Contains(t, pe.Reason, "short by 0.01", "names the shortfall")
				assert.Equal(t, "40000.00", after.Actual.StringFixed(2), "nothing charged")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []int64{l.ID}, got.LineIDs)
			if c.shortfall == "" {
				assert.Empty(t, got.Flags)
			} else {
				require.Len(t, got.Flags, 1)
				assert.Equal(t, c.shortfall, got.Flags[0].Shortfall.StringFixed(2))
				assert.Equal(t, l.ID, got.Flags[0].LineID)
			}
			assert.Equal(t, amt("40000").Add(amt(c.spend)).StringFixed(2), after.Actual.StringFixed(2))
		})
	}
}

// Two bills that together overspend a block-mode line, approved at once:
// the line's lock makes the second see the first, so exactly one fails and
// the books hold only the other's voucher.
func TestConcurrentBillsCannotOverspendABlockLine(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := lines(t, b, spec{"2301001", "2030", "01", budget.ControlBlock, "100000"})[0]
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = bill(b, fmt.Sprintf("BILL/%d", i), charge("2301001", "2030", "01", "60000"))
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.ErrorIs(t, err, budget.ErrOverBudget)
			assert.Contains(t, err.Error(), "short by 20000.00")
		}
	}
	assert.Equal(t, 1, failed, "exactly one of the two bills fails: %v", errs)
	assert.Equal(t, "100000.00/0.00/0.00/60000.00/40000.00", totals(now(t, b, l.ID)))
	tb, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, 3, 31), "")
	require.NoError(t, err)
	assert.Equal(t, "60000.00", tb.TotalDebit.StringFixed(2), "one bill's voucher in the books")
}

// Spending on a head no line covers passes unchecked; a group line covers
// every detailed head under it; lines may not overlap.
func TestChargesFallToTheLineThatCoversTheirHead(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ls := lines(t, b,
		spec{"230", "2030", "01", budget.ControlBlock, "1000"},    // all O&M of street lighting
		spec{"2201101", "0100", "01", budget.ControlBlock, "500"}, // electricity of offices
		spec{"2201101", "0100", "03", budget.ControlBlock, "700"}, // the same head in another fund
	)
	got, err := bill(b, "BILL/1", charge("2301001", "2030", "01", "999"))
	require.NoError(t, err)
	assert.Equal(t, []int64{ls[0].ID}, got.LineIDs)
	got, err = bill(b, "BILL/2", charge("2201101", "2030", "01", "5000"))
	require.NoError(t, err, "2201101 under street lighting has no line")
	assert.Equal(t, []int64{0}, got.LineIDs)
	_, err = bill(b, "BILL/3", charge("2201101", "0100", "03", "700.01"))
	assert.ErrorIs(t, err, budget.ErrOverBudget)

	_, err = b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "23010", FunctionCode: "2030",
		FundCode: "01", Name: "power", Control: budget.ControlWarn})
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve, "23010 lies inside line 230")
	assert.Contains(t, ve.Error(), "overlaps")
	_, err = b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "230", FunctionCode: "2030",
		FundCode: "01", Name: "again", Control: budget.ControlWarn})
	assert.ErrorIs(t, err, ledger.ErrExists)
	_, err = b.budget.CreateLine(b.ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "1100101", FunctionCode: "2030",
		FundCode: "01", Name: "income", Control: budget.ControlWarn})
	assert.ErrorAs(t, err, &ve, "an income head is not appropriated")
}

// A commitment reserves budget; a bill drawing on it consumes the
// reservation rather than the line's free balance; cancelling the order
// releases what it still holds, and cancelling the bill gives back both.
func TestCommitmentsReserveAndRelease(t *testing.T) {
	t.Parallel()
	b := setup(t)
	l := lines(t, b, spec{"4120041", "2010", "02", budget.ControlBlock, "100000"})[0]
	wo, flags, err := b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: l.ID, Kind: "work_order",
		Reference: "WO/2026/14", Party: "CON-7", Date: ledger.Date(2026, 5, 2), Amount: amt("70000"), IdempotencyKey: "wo-14"})
	require.NoError(t, err)
	assert.Empty(t, flags)
	assert.Equal(t, "100000.00/0.00/70000.00/0.00/30000.00", totals(now(t, b, l.ID)))

	// An order beyond what is left is refused on a block line.
	_, _, err = b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: l.ID, Kind: "work_order",
		Reference: "WO/2026/15", Date: ledger.Date(2026, 5, 2), Amount: amt("30000.01"), IdempotencyKey: "wo-15"})
	assert.ErrorIs(t, err, budget.ErrOverBudget)
	// Replaying the first order returns it; the same key for another order is a conflict.
	again, _, err := b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: l.ID, Kind: "work_order",
		Reference: "WO/2026/14", Party: "CON-7", Date: ledger.Date(2026, 5, 2), Amount: amt("70000"), IdempotencyKey: "wo-14"})
	require.NoError(t, err)
	assert.Equal(t, wo.ID, again.ID)
	_, _, err = b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: l.ID, Kind: "work_order",
		Reference: "WO/2026/14", Party: "CON-7", Date: ledger.Date(2026, 5, 2), Amount: amt("70001"), IdempotencyKey: "wo-14"})
	assert.ErrorIs(t, err, ledger.ErrIdempotencyConflict)

	// Without the order, a 40,000 bill does not fit the 30,000 left...
	_, err = bill(b, "BILL/1", charge("4120041", "2010", "02", "40000"))
	assert.ErrorIs(t, err, budget.ErrOverBudget)
	// ...against it, it draws on the reservation.
	c := charge("4120041", "2010", "02", "40000")
	c.CommitmentID = wo.ID
	_, err = bill(b, "BILL/2", c)
	require.NoError(t, err)
	assert.Equal(t, "100000.00/0.00/30000.00/40000.00/30000.00", totals(now(t, b, l.ID)))

	// A bill beyond what the order has left takes the rest from the line.
	c.Amount = amt("45000")
	_, err = bill(b, "BILL/3", c)
	require.NoError(t, err)
	assert.Equal(t, "100000.00/0.00/0.00/85000.00/15000.00", totals(now(t, b, l.ID)))
	cms, err := b.budget.Commitments(b.ctx, tenant, 2026, l.ID)
	require.NoError(t, err)
	assert.Equal(t, "closed", cms[0].Status)

	// Cancelling BILL/3 gives back its 45,000: 30,000 to the order, 15,000 to the line.
	require.NoError(t, release(b, "BILL/3"))
	require.NoError(t, release(b, "BILL/3"), "a second release releases nothing")
	assert.Equal(t, "100000.00/0.00/30000.00/40000.00/30000.00", totals(now(t, b, l.ID)))

	// Cancelling the order releases the 30,000 it still reserved.
	cancelled, err := b.budget.CancelCommitment(b.ctx, tenant, maker, wo.ID, "work short-closed")
	require.NoError(t, err)
	assert.Equal(t, "cancelled", cancelled.Status)
	assert.Equal(t, "40000.00", cancelled.Consumed.StringFixed(2))
	assert.Equal(t, "100000.00/0.00/0.00/40000.00/60000.00", totals(now(t, b, l.ID)))
	_, err = b.budget.CancelCommitment(b.ctx, tenant, maker, wo.ID, "again")
	require.NoError(t, err)
	assert.Equal(t, "100000.00/0.00/0.00/40000.00/60000.00", totals(now(t, b, l.ID)), "cancelling twice releases once")
	// A cancelled order cannot be drawn on.
	_, err = bill(b, "BILL/4", c)
	assert.ErrorIs(t, err, budget.ErrNotAllowed)
}

// release cancels a bill's charges in a transaction of its own.
func release(b bundle, source string) error {
	return inTenant(b, func(tx pgx.Tx) error {
		return b.budget.ReleaseTx(b.ctx, tx, tenant, ledger.Date(2026, 7, 1), source)
	})
}
