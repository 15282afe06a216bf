package billing_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
)

const (
	maker   = "user:ravi"
	checker = "user:meena"
)

// raise posts one property-tax demand: PT 3600, library cess 180.40 and a
// round-off of -0.40 (3780 in all), in ward W07.
func raise(t *testing.T, b bundle, consumer string) billing.Demand {
	t.Helper()
	ds, err := b.billing.PostDemands(b.ctx, tenant, "test", billing.FromRun, []billing.DemandInput{
		propertyDemand(consumer, "demand-"+consumer, line("PT", "3600"), line("LIB_CESS", "180.40"), line("ROUNDOFF", "-0.40")),
	})
	require.NoError(t, err)
	return ds[0]
}

func amendment(d billing.Demand, kind billing.AmendmentKind, key string, lines ...billing.AmendmentLineInput) billing.AmendmentInput {
	return billing.AmendmentInput{DemandID: d.ID, Kind: kind, Reason: "test: " + key, Date: ledger.Date(2026, time.May, 15),
		IdempotencyKey: key, Lines: lines}
}

func delta(head, amount string) billing.AmendmentLineInput {
	return billing.AmendmentLineInput{Head: head, Delta: amt(amount)}
}

func propose(t *testing.T, b bundle, in billing.AmendmentInput) billing.Amendment {
	t.Helper()
	a, err := b.billing.ProposeAmendment(b.ctx, tenant, maker, in)
	require.NoError(t, err)
	require.Equal(t, billing.AmendmentProposed, a.Status)
	return a
}

func approve(t *testing.T, b bundle, in billing.AmendmentInput) billing.Amendment {
	t.Helper()
	a, err := b.billing.ApproveAmendment(b.ctx, tenant, propose(t, b, in).ID, checker)
	require.NoError(t, err)
	require.Equal(t, billing.AmendmentApproved, a.Status)
	require.NotZero(t, a.VoucherID)
	return a
}

// demandNow reads the demand back as it stands.
func demandNow(t *testing.T, b bundle, id int64) billing.Demand {
	t.Helper()
	ds, err := b.billing.Demands(b.ctx, tenant, []int64{id})
	require.NoError(t, err)
	require.Len(t, ds, 1)
	return ds[0]
}

// lineOf returns the demand's line of head, as "amount/adjusted/balance".
func lineOf(d billing.Demand, head string) string {
	for _, l := range d.Lines {
		if l.Head == head {
			return fmt.Sprintf("%s/%s/%s", l.Amount.StringFixed(2), l.Adjusted.StringFixed(2), l.Balance().StringFixed(2))
		}
	}
	return "no line " + head
}

// entries lists a voucher's lines as "Dr|Cr account fund/function field party amount".
func entries(t *testing.T, b bundle, id int64) []string {
	t.Helper()
	v, err := b.ledger.Voucher(b.ctx, tenant, id)
	require.NoError(t, err)
	var out []string
	for _, l := range v.Lines {
		side, a := "Dr", l.Debit
		if l.Credit.IsPositive() {
			side, a = "Cr", l.Credit
		}
		out = append(out, fmt.Sprintf("%s %s %s/%s %s %s %s", side, l.AccountCode, l.FundCode, l.FunctionCode, l.FieldCode, l.Party, a.StringFixed(2)))
	}
	return out
}

func violation(t *testing.T, err error) ledger.FieldViolation {
	t.Helper()
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	require.NotEmpty(t, ve.Violations)
	return ve.Violations[0]
}

func TestRemissionReducesTheBalanceAndPostsItsVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	in := amendment(d, billing.Remission, "r1", delta("PT", "-1800"))
	in.Reference = "EO/REM/2026/14"
	a := approve(t, b, in)

	assert.Equal(t, []string{
		"Dr 1109001 01/9091 W07  1800.00",
		"Cr 4311001 01/9091 W07 PT-1 1800.00",
	}, entries(t, b, a.VoucherID))
	v, err := b.ledger.Voucher(b.ctx, tenant, a.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, ledger.Date(2026, time.May, 15), v.Date)
	assert.Equal(t, checker, v.PostedBy)
	assert.Contains(t, v.Narration, "EO/REM/2026/14")

	now := demandNow(t, b, d.ID)
	assert.Equal(t, "3600.00/-1800.00/1800.00", lineOf(now, "PT"))
	dues, err := b.billing.Dues(b.ctx, tenant, "PT-1", "")
	require.NoError(t, err)
	assert.Equal(t, "1980.00", dues.Total.StringFixed(2))

	rows, err := b.billing.DcbRegister(b.ctx, tenant, "property_tax", 2026)
	require.NoError(t, err)
	var pt []string
	for _, r := range rows {
		if r.Head == "PT" {
			pt = append(pt, fmt.Sprintf("%s/%s/%s/%s", r.Demand.StringFixed(2), r.Adjustments.StringFixed(2), r.Collection.StringFixed(2), r.Balance.StringFixed(2)))
		}
	}
	assert.Equal(t, []string{"3600.00/-1800.00/0.00/1800.00"}, pt, "DCB: demand, adjustments, collection, balance")
	tied(t, b)
}

// A cess collected for the state is the state's to forgo: its remission
// reduces the liability to the state, not the ULB's income.
func TestRemissionOfAStateCessReducesTheLiability(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	in := amendment(d, billing.CourtOrder, "c1", delta("LIB_CESS", "-180.40"))
	in.Reference = "WP 1234/2026, High Court of Uttarakhand, order of 2026-05-10"
	a := approve(t, b, in)
	assert.Equal(t, []string{
		"Dr 3503001 01/9091 W07  180.40",
		"Cr 4311001 01/9091 W07 PT-1 180.40",
	}, entries(t, b, a.VoucherID))
	tied(t, b)
}

func TestWriteOffPostsToRevenuesWrittenOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ds, err := b.billing.PostDemands(b.ctx, tenant, "app", billing.FromDepartment, []billing.DemandInput{{Service: "building_plan",
		ConsumerCode: "BPA-1", Ward: "W12", PeriodFrom: ledger.Date(2026, time.May, 5), PeriodTo: ledger.Date(2026, time.May, 5),
		Date: ledger.Date(2026, time.May, 5), DueDate: ledger.Date(2026, time.June, 4), IdempotencyKey: "bp-1",
		Lines: []billing.DemandLineInput{line("BP_FEE", "12500")}}})
	require.NoError(t, err)
	a := approve(t, b, amendment(ds[0], billing.WriteOff, "w1", delta("BP_FEE", "-12500")))
	assert.Equal(t, []string{
		"Dr 2703001 01/9095 W12  12500.00",
		"Cr 4313002 01/9095 W12 BPA-1 12500.00",
	}, entries(t, b, a.VoucherID))

	dues, err := b.billing.Dues(b.ctx, tenant, "BPA-1", "")
	require.NoError(t, err)
	assert.Empty(t, dues.Demands, "a demand written off in full is no longer due")
	tied(t, b)
}

func TestCorrectionExtendsOrReversesTheAccrual(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, delta, entries0, entries1, line string
	}{
		{"up", "400", "Cr 1100101 01/9091 W07  400.00", "Dr 4311001 01/9091 W07 PT-1 400.00", "3600.00/400.00/4000.00"},
		{"down", "-600", "Dr 1100101 01/9091 W07  600.00", "Cr 4311001 01/9091 W07 PT-1 600.00", "3600.00/-600.00/3000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			d := raise(t, b, "PT-1")
			a := approve(t, b, amendment(d, billing.Correction, "k-"+c.name, delta("PT", c.delta)))
			assert.Equal(t, []string{c.entries0, c.entries1}, entries(t, b, a.VoucherID))
			assert.Equal(t, c.line, lineOf(demandNow(t, b, d.ID), "PT"))
			tied(t, b)
		})
	}
}

func TestAmendmentRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	cases := []struct {
		name  string
		edit  func(*billing.AmendmentInput)
		field string
	}{
		{"court order needs its reference", func(in *billing.AmendmentInput) { in.Kind = billing.CourtOrder }, "reference"},
		{"reason required", func(in *billing.AmendmentInput) { in.Reason = "  " }, "reason"},
		{"unknown kind", func(in *billing.AmendmentInput) { in.Kind = "waiver" }, "kind"},
		{"remission only reduces", func(in *billing.AmendmentInput) { in.Lines[0] = delta("PT", "100") }, "lines[0].delta"},
		{"write-off only reduces", func(in *billing.AmendmentInput) {
			in.Kind = billing.WriteOff
			in.Lines[0] = delta("PT", "100")
		}, "lines[0].delta"},
		{"zero delta", func(in *billing.AmendmentInput) { in.Lines[0] = delta("PT", "0") }, "lines[0].delta"},
		{"three decimals", func(in *billing.AmendmentInput) { in.Lines[0] = delta("PT", "-1.005") }, "lines[0].delta"},
		{"head twice", func(in *billing.AmendmentInput) { in.Lines = append(in.Lines, delta("PT", "-1")) }, "lines[1].head"},
		{"head not on the demand", func(in *billing.AmendmentInput) { in.Lines[0] = delta("BP_FEE", "-1") }, "lines[0].head"},
		{"reduction beyond the balance", func(in *billing.AmendmentInput) { in.Lines[0] = delta("PT", "-3600.01") }, "lines[0].delta"},
		{"remission of a round-off line", func(in *billing.AmendmentInput) { in.Lines[0] = delta("ROUNDOFF", "-0.10") }, "lines[0].head"},
		{"round-off line past zero", func(in *billing.AmendmentInput) {
			in.Kind = billing.Correction
			in.Lines = []billing.AmendmentLineInput{delta("ROUNDOFF", "0.50"), delta("PT", "-1.50")}
		}, "lines[0].delta"},
		{"correction leaves paise on a rupee head", func(in *billing.AmendmentInput) {
			in.Kind = billing.Correction
			in.Lines[0] = delta("PT", "-0.50")
		}, "lines"},
		{"dated before the demand", func(in *billing.AmendmentInput) { in.Date = ledger.Date(2026, time.March, 31) }, "date"},
		{"no lines", func(in *billing.AmendmentInput) { in.Lines = nil }, "lines"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := amendment(d, billing.Remission, fmt.Sprintf("rule-%d", i), delta("PT", "-100"))
			c.edit(&in)
			_, err := b.billing.ProposeAmendment(b.ctx, tenant, maker, in)
			v := violation(t, err)
			assert.Equal(t, c.field, v.Field, "%s", v.Rule)
		})
	}

	t.Run("unknown demand", func(t *testing.T) {
		in := amendment(d, billing.Remission, "rule-unknown", delta("PT", "-1"))
		in.DemandID = d.ID + 1000
		_, err := b.billing.ProposeAmendment(b.ctx, tenant, maker, in)
		assert.ErrorIs(t, err, ledger.ErrNotFound)
	})

	// The balance that bounds a reduction is what is left after earlier
	// amendments, and the rule says so.
	approve(t, b, amendment(d, billing.Remission, "rule-first", delta("PT", "-3000")))
	_, err := b.billing.ProposeAmendment(b.ctx, tenant, maker, amendment(d, billing.WriteOff, "rule-second", delta("PT", "-600.01")))
	v := violation(t, err)
	assert.Equal(t, "lines[0].delta", v.Field)
	assert.Contains(t, v.Rule, "exceeds the balance 600.00 of head PT")
	approve(t, b, amendment(d, billing.WriteOff, "rule-third", delta("PT", "-600")))
	assert.Equal(t, "3600.00/-3600.00/0.00", lineOf(demandNow(t, b, d.ID), "PT"))
	tied(t, b)
}

func TestSelfApprovalIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	a := propose(t, b, amendment(d, billing.Remission, "s1", delta("PT", "-100")))

	_, err := b.billing.ApproveAmendment(b.ctx, tenant, a.ID, maker)
	require.ErrorIs(t, err, ledger.ErrSelfApproval)
	var pe *ledger.PreconditionError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "amendment_id", pe.Field)
	assert.Contains(t, pe.Reason, "may not approve")
	_, err = b.billing.RejectAmendment(b.ctx, tenant, a.ID, maker, "changed my mind")
	assert.ErrorIs(t, err, ledger.ErrSelfApproval, "the proposer does not decide either way")
	assert.Equal(t, "3600.00/0.00/3600.00", lineOf(demandNow(t, b, d.ID), "PT"), "nothing applied")
	tied(t, b)

	approved, err := b.billing.ApproveAmendment(b.ctx, tenant, a.ID, checker)
	require.NoError(t, err)
	assert.Equal(t, checker, approved.DecidedBy)
	assert.Equal(t, maker, approved.ProposedBy)
	tied(t, b)
}

func TestRejectedAmendmentPostsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	before, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, time.March, 31), "")
	require.NoError(t, err)
	a := propose(t, b, amendment(d, billing.WriteOff, "x1", delta("PT", "-3600")))

	_, err = b.billing.RejectAmendment(b.ctx, tenant, a.ID, checker, "")
	assert.Equal(t, "note", violation(t, err).Field)
	rejected, err := b.billing.RejectAmendment(b.ctx, tenant, a.ID, checker, "arrears are recoverable: the owner is traced")
	require.NoError(t, err)
	assert.Equal(t, billing.AmendmentRejected, rejected.Status)
	assert.Zero(t, rejected.VoucherID)
	assert.Equal(t, "arrears are recoverable: the owner is traced", rejected.DecisionNote)
	assert.Equal(t, "3600.00/0.00/3600.00", lineOf(demandNow(t, b, d.ID), "PT"))

	_, err = b.billing.ApproveAmendment(b.ctx, tenant, a.ID, "user:another")
	assert.ErrorIs(t, err, billing.ErrAmendmentDecided)
	after, err := b.ledger.TrialBalance(b.ctx, tenant, ledger.Date(2027, time.March, 31), "")
	require.NoError(t, err)
	assert.Equal(t, before.Rows, after.Rows, "only the demand's accrual is in the books")
	tied(t, b)
}

func TestApprovingTwiceIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	a := approve(t, b, amendment(d, billing.Remission, "t1", delta("PT", "-100")))

	_, err := b.billing.ApproveAmendment(b.ctx, tenant, a.ID, checker)
	require.ErrorIs(t, err, billing.ErrAmendmentDecided)
	assert.Contains(t, err.Error(), "already approved")
	_, err = b.billing.RejectAmendment(b.ctx, tenant, a.ID, checker, "too late")
	assert.ErrorIs(t, err, billing.ErrAmendmentDecided)
	assert.Equal(t, "3600.00/-100.00/3500.00", lineOf(demandNow(t, b, d.ID), "PT"), "applied once")
	tied(t, b)
}

func TestProposalsAreIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	first := propose(t, b, amendment(d, billing.Remission, "i1", delta("PT", "-100")))
	again := propose(t, b, amendment(d, billing.Remission, "i1", delta("PT", "-100")))
	assert.Equal(t, first.ID, again.ID)
	_, err := b.billing.ProposeAmendment(b.ctx, tenant, maker, amendment(d, billing.Remission, "i1", delta("PT", "-101")))
	assert.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
}

// The demand as raised (its total, lines and accrual voucher) never
// changes; only adjusted moves, and the database refuses anything else.
func TestOriginalDemandStaysAsRaised(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	accrual := entries(t, b, d.VoucherID)
	approve(t, b, amendment(d, billing.Remission, "o1", delta("PT", "-1000"), delta("LIB_CESS", "-50")))
	approve(t, b, amendment(d, billing.Correction, "o2", delta("PT", "200")))

	now := demandNow(t, b, d.ID)
	assert.Equal(t, d.Total, now.Total)
	assert.Equal(t, d.VoucherID, now.VoucherID)
	require.Len(t, now.Lines, len(d.Lines))
	for i, l := range now.Lines {
		assert.Equal(t, d.Lines[i].Head, l.Head)
		assert.True(t, d.Lines[i].Amount.Equal(l.Amount), "%s amount as raised", l.Head)
	}
	assert.Equal(t, "3600.00/-800.00/2800.00", lineOf(now, "PT"))
	assert.Equal(t, "180.40/-50.00/130.40", lineOf(now, "LIB_CESS"))
	assert.Equal(t, accrual, entries(t, b, d.VoucherID))

	for _, c := range []struct{ name, stmt, refusal string }{
		{"amount edited", "UPDATE demand_lines SET amount = amount - 1 WHERE demand_id = $1 AND head_code = 'PT'",
			"never change"},
		{"adjusted moved by no amendment", "UPDATE demand_lines SET adjusted = adjusted - 1 WHERE demand_id = $1 AND head_code = 'PT'",
			"is not the sum (-800.00) of its approved amendments"},
		{"reduced below zero", "UPDATE demand_lines SET adjusted = -amount - 1 WHERE demand_id = $1 AND head_code = 'PT'",
			"demand_lines_collected_within_amount"},
		{"demand deleted", "DELETE FROM demands WHERE id = $1", "demands rows are immutable"},
		{"line deleted", "DELETE FROM demand_lines WHERE demand_id = $1", "demand_lines rows are immutable"},
		{"line of no demand", "INSERT INTO demand_lines (tenant_id, demand_id, line_no, head_code, amount) VALUES ('" + tenant + "', $1 + 1000, 1, 'PT', 1)",
			"names demand"},
	} {
		err := db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			_, err := tx.Exec(b.ctx, c.stmt, d.ID)
			return err
		})
		assert.ErrorContains(t, err, c.refusal, c.name)
	}
	assert.Equal(t, "3600.00/-800.00/2800.00", lineOf(demandNow(t, b, d.ID), "PT"))
	tied(t, b)
}

// Two amendments that each fit the balance but together exceed it, approved
// at once by two checkers: the demand lines' locks make them take turns, and
// the second finds the balance gone.
func TestConcurrentApprovalsCannotOverReduce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-1")
	a1 := propose(t, b, amendment(d, billing.Remission, "cc1", delta("PT", "-2000")))
	a2 := propose(t, b, amendment(d, billing.WriteOff, "cc2", delta("PT", "-2000")))

	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, 2)
	for i, id := range []int64{a1.ID, a2.ID} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = b.billing.ApproveAmendment(b.ctx, tenant, id, fmt.Sprintf("user:checker-%d", i))
		}()
	}
	close(start)
	wg.Wait()

	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.ErrorIs(t, err, billing.ErrAmendmentExceedsBalance)
		var pe *ledger.PreconditionError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "lines[0].delta", pe.Field)
	}
	assert.Equal(t, 1, ok, "exactly one approval succeeds: %v", errs)
	assert.Equal(t, "3600.00/-2000.00/1600.00", lineOf(demandNow(t, b, d.ID), "PT"))

	proposed, _, err := b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{Status: billing.AmendmentProposed})
	require.NoError(t, err)
	assert.Len(t, proposed, 1, "the loser stays proposed, to be rejected or re-proposed")
	tied(t, b)
}

func TestListAmendmentsByDemandAndStatus(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d1, d2 := raise(t, b, "PT-1"), raise(t, b, "PT-2")
	approve(t, b, amendment(d1, billing.Remission, "l1", delta("PT", "-10")))
	propose(t, b, amendment(d1, billing.Remission, "l2", delta("PT", "-20")))
	propose(t, b, amendment(d2, billing.WriteOff, "l3", delta("LIB_CESS", "-30")))

	of1, _, err := b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{DemandID: d1.ID})
	require.NoError(t, err)
	assert.Len(t, of1, 2)
	pending, _, err := b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{Status: billing.AmendmentProposed})
	require.NoError(t, err)
	require.Len(t, pending, 2)
	assert.Equal(t, "l2", pending[0].IdempotencyKey)
	assert.Equal(t, "-30.00", pending[1].Lines[0].Delta.StringFixed(2))

	page, next, err := b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{PageSize: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	rest, last, err := b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{PageSize: 2, PageToken: next})
	require.NoError(t, err)
	require.Len(t, rest, 1)
	assert.Equal(t, "l3", rest[0].IdempotencyKey)
	assert.Empty(t, last)

	_, _, err = b.billing.ListAmendments(b.ctx, tenant, billing.AmendmentFilter{Status: "pending"})
	assert.Equal(t, "status", violation(t, err).Field)
	tied(t, b)
}
