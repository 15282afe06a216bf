package expenditure_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/budget"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/expenditure"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/reports/reportstest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	tenant  = "uk.dehradun"
	maker   = "user:ravi"
	checker = "user:meena"
)

type bundle struct {
	ctx    context.Context
	exp    *expenditure.Service
	budget *budget.Service
	ledger *ledger.Ledger
}

// setup gives a test a tenant with a contractor (CON-7) and a supplier
// (SUP-1), and a budget for FY 2026-27: road works CWIP (4120041, roads
// 2010, capital fund 02, block) of 10,00,000 and street-light power
// (2301001, 2030, fund 01, block) of 1,00,000. It returns the line ids.
func setup(t *testing.T) (bundle, int64, int64) {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	reportstest.CheckBalancedAtEnd(t, pool)
	_, err := tenancy.NewService(pool).Create(ctx, tenant, "Dehradun", 2026, "test")
	require.NoError(t, err)
	led := ledger.New(pool, ledger.Config{})
	bud := budget.NewService(pool, nil)
	b := bundle{ctx: ctx, exp: expenditure.NewService(pool, led, bud, nil), budget: bud, ledger: led}
	for _, p := range []expenditure.Party{{Code: "CON-7", Name: "Doon Builders", Kind: "contractor"}, {Code: "SUP-1", Name: "Garhwal Power", Kind: "supplier"}} {
		_, err := b.exp.SaveParty(ctx, tenant, p)
		require.NoError(t, err)
	}
	roads, err := bud.CreateLine(ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "4120041", FunctionCode: "2010", FundCode: "02",
		Name: "Road upgradation", Control: budget.ControlBlock})
	require.NoError(t, err)
	power, err := bud.CreateLine(ctx, tenant, maker, budget.LineInput{FiscalYear: 2026, HeadCode: "2301001", FunctionCode: "2030", FundCode: "01",
		Name: "Street-light power", Control: budget.ControlBlock})
	require.NoError(t, err)
	e, err := bud.DraftEstimate(ctx, tenant, maker, 2026, budget.BE, "BE 2026-27", map[int64]decimal.Decimal{roads.ID: amt("1000000"), power.ID: amt("100000")})
	require.NoError(t, err)
	_, err = bud.SubmitEstimate(ctx, tenant, maker, e.ID)
	require.NoError(t, err)
	_, err = bud.ApproveEstimate(ctx, tenant, checker, e.ID)
	require.NoError(t, err)
	return b, roads.ID, power.ID
}

func amt(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// powerBill is a supplier's bill for street-light power.
func powerBill(key, amount string) expenditure.BillInput {
	return expenditure.BillInput{PartyCode: "SUP-1", PartyBillNumber: "INV-" + key, Date: ledger.Date(2026, 6, 5), Narration: "power for May",
		FundCode: "01", IdempotencyKey: key, Lines: []expenditure.BillLineInput{{AccountCode: "2301001", FunctionCode: "2030", Amount: amt(amount)}}}
}

func submit(t *testing.T, b bundle, in expenditure.BillInput) expenditure.Bill {
	t.Helper()
	bill, err := b.exp.SubmitBill(b.ctx, tenant, maker, in)
	require.NoError(t, err)
	require.Equal(t, "submitted", bill.Status)
	return bill
}

// entries lists a voucher's lines as "Dr|Cr account fund/function party amount".
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
		out = append(out, fmt.Sprintf("%s %s %s/%s %s %s", side, l.AccountCode, l.FundCode, l.FunctionCode, l.Party, a.StringFixed(2)))
	}
	return out
}

// subLedger is the party's closing balance on a creditor head (credit negative).
func subLedger(t *testing.T, b bundle, account, party string) string {
	t.Helper()
	st, err := b.ledger.AccountStatement(b.ctx, tenant, ledger.StatementQuery{AccountCode: account, Party: party,
		From: ledger.Date(2026, 4, 1), To: ledger.Date(2027, 3, 31), PageSize: 1000})
	require.NoError(t, err)
	return st.Closing.StringFixed(2)
}

// A contractor's running bill on a work order: approval by another person
// posts Dr CWIP, Cr contractor (net) and the deductions to their heads,
// consumes the order's reservation; payments by cheque and NEFT clear it;
// the party's sub-ledger in the books equals what the bills say is owed.
func TestContractorBillAgainstAWorkOrder(t *testing.T) {
	t.Parallel()
	b, roads, _ := setup(t)
	wo, _, err := b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: roads, Kind: "work_order", Reference: "WO/2026/14",
		Party: "CON-7", Date: ledger.Date(2026, 5, 2), Amount: amt("600000"), IdempotencyKey: "wo-14"})
	require.NoError(t, err)

	in := expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: "RA-1", Date: ledger.Date(2026, 7, 10), CommitmentID: wo.ID,
		Narration: "first running bill, Rajpur Road", FundCode: "02", IdempotencyKey: "bill-ra1",
		Lines: []expenditure.BillLineInput{{AccountCode: "4120041", FunctionCode: "2010", Description: "road upgradation", Amount: amt("400000")}},
		Deductions: []expenditure.DeductionInput{
			{Kind: expenditure.TDS, Amount: amt("8000")},
			{Kind: expenditure.Retention, Amount: amt("20000")},
			{Kind: expenditure.SecurityDeposit, Amount: amt("10000")},
		}}
	bill := submit(t, b, in)
	assert.Equal(t, "362000.00", bill.Net.StringFixed(2))
	assert.Equal(t, "3501002", bill.CreditorAccount)
	again := submit(t, b, in)
	assert.Equal(t, bill.ID, again.ID, "a retry returns the first bill")

	_, _, err = b.exp.ApproveBill(b.ctx, tenant, maker, bill.ID)
	assert.ErrorIs(t, err, ledger.ErrSelfApproval)
	bill, flags, err := b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
	require.NoError(t, err)
	assert.Empty(t, flags)
	assert.Equal(t, "approved", bill.Status)
	assert.Equal(t, []string{
		"Dr 4120041 02/2010  400000.00",
		"Cr 3501002 02/2010 CON-7 362000.00",
		"Cr 3502025 02/2010 CON-7 8000.00",
		"Cr 3401002 02/2010 CON-7 20000.00",
		"Cr 3401003 02/2010 CON-7 10000.00",
	}, entries(t, b, bill.VoucherID))
	_, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
	assert.ErrorIs(t, err, expenditure.ErrBillState, "approved once")

	line, err := b.budget.Line(b.ctx, tenant, roads)
	require.NoError(t, err)
	assert.Equal(t, "400000.00", line.Actual.StringFixed(2))
	assert.Equal(t, "200000.00", line.Committed.StringFixed(2), "the bill drew 4,00,000 of the order's 6,00,000")

	// Paid in two parts; a third beyond what is unpaid is refused.
	p1, err := b.exp.PayBill(b.ctx, tenant, maker, expenditure.PaymentInput{BillID: bill.ID, Date: ledger.Date(2026, 7, 20), Amount: amt("200000"),
		Mode: "cheque", InstrumentRef: "CHQ 004512", IdempotencyKey: "pay-1"})
	require.NoError(t, err)
	assert.Equal(t, []string{"Dr 3501002 02/2010 CON-7 200000.00", "Cr 4502101 02/2010  200000.00"}, entries(t, b, p1.VoucherID))
	replay, err := b.exp.PayBill(b.ctx, tenant, maker, expenditure.PaymentInput{BillID: bill.ID, Date: ledger.Date(2026, 7, 20), Amount: amt("200000"),
		Mode: "cheque", InstrumentRef: "CHQ 004512", IdempotencyKey: "pay-1"})
	require.NoError(t, err)
	assert.Equal(t, p1.ID, replay.ID, "a retried payment pays once")
	_, err = b.exp.PayBill(b.ctx, tenant, maker, expenditure.PaymentInput{BillID: bill.ID, Date: ledger.Date(2026, 8, 1), Amount: amt("162000.01"),
		Mode: "neft", InstrumentRef: "UTR SBIN0000123", IdempotencyKey: "pay-2"})
	assert.ErrorIs(t, err, expenditure.ErrBillState)
	_, err = b.exp.PayBill(b.ctx, tenant, maker, expenditure.PaymentInput{BillID: bill.ID, Date: ledger.Date(2026, 8, 1), Amount: amt("100000"),
		Mode: "neft", IdempotencyKey: "pay-3"})
	var ve *ledger.ValidationError
	assert.ErrorAs(t, err, &ve, "a transfer names its UTR")

	balances, err := b.exp.PartyBalances(b.ctx, tenant, ledger.Date(2026, 9, 30))
	require.NoError(t, err)
	require.Len(t, balances, 1)
	assert.Equal(t, "CON-7 362000.00 200000.00 162000.00", fmt.Sprintf("%s %s %s %s", balances[0].Code, balances[0].Billed.StringFixed(2),
		balances[0].Paid.StringFixed(2), balances[0].Outstanding.StringFixed(2)))
	assert.Equal(t, "-162000.00", subLedger(t, b, "3501002", "CON-7"), "the sub-ledger in the books ties to the bills")
	assert.Equal(t, "-20000.00", subLedger(t, b, "3401002", "CON-7"), "retention money held for the contractor")
}

// Creditor ageing buckets what is unpaid by the age of its bill.
func TestCreditorAgeing(t *testing.T) {
	t.Parallel()
	b, _, _ := setup(t)
	for i, d := range []time.Time{ledger.Date(2026, 6, 5), ledger.Date(2026, 8, 20), ledger.Date(2026, 9, 25)} {
		in := powerBill(fmt.Sprintf("age-%d", i), "1000")
		in.Date = d
		bill := submit(t, b, in)
		_, _, err := b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
		require.NoError(t, err)
	}
	ageing, err := b.exp.CreditorAgeing(b.ctx, tenant, ledger.Date(2026, 9, 30))
	require.NoError(t, err)
	require.Len(t, ageing, 1)
	var got []string
	for _, a := range ageing[0].Buckets {
		got = append(got, a.StringFixed(2))
	}
	// 5, 41 and 117 days old.
	assert.Equal(t, []string{"1000.00", "1000.00", "0.00", "1000.00", "0.00"}, got)
	assert.Equal(t, "3000.00", ageing[0].Total.StringFixed(2))
}

// A block-mode line refuses a bill one paisa over what is left: the bill
// stays submitted and nothing reaches the books; at the boundary it passes.
func TestBillBeyondABlockLineIsRefused(t *testing.T) {
	t.Parallel()
	b, _, power := setup(t)
	over := submit(t, b, powerBill("over", "100000.01"))
	_, _, err := b.exp.ApproveBill(b.ctx, tenant, checker, over.ID)
	var pe *ledger.PreconditionError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, budget.ErrOverBudget)
	assert.Contains(t, pe.Reason, "short by 0.01")
	still, err := b.exp.Bill(b.ctx, tenant, over.ID)
	require.NoError(t, err)
	assert.Equal(t, "submitted", still.Status)
	assert.Zero(t, still.VoucherID)

	noFund := powerBill("no-fund", "10")
	noFund.FundCode = "09"
	_, err = b.exp.SubmitBill(b.ctx, tenant, maker, noFund)
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve, "a bill names a fund of the chart")
	assert.Equal(t, "fund_code", ve.Violations[0].Field)

	exact := submit(t, b, powerBill("exact", "100000.00"))
	_, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, exact.ID)
	require.NoError(t, err)
	line, err := b.budget.Line(b.ctx, tenant, power)
	require.NoError(t, err)
	assert.Equal(t, "0.00", line.Available().StringFixed(2))
}

// Two bills approved at once that together overspend a block line: one
// is refused, and only the other's journal is in the books.
func TestConcurrentBillApprovalsCannotOverspend(t *testing.T) {
	t.Parallel()
	b, _, power := setup(t)
	bills := []expenditure.Bill{submit(t, b, powerBill("c1", "60000")), submit(t, b, powerBill("c2", "60000"))}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range bills {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = b.exp.ApproveBill(b.ctx, tenant, checker, bills[i].ID)
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.ErrorIs(t, err, budget.ErrOverBudget)
		}
	}
	assert.Equal(t, 1, failed, "%v", errs)
	line, err := b.budget.Line(b.ctx, tenant, power)
	require.NoError(t, err)
	assert.Equal(t, "60000.00", line.Actual.StringFixed(2))
	assert.Equal(t, "-60000.00", subLedger(t, b, "3501001", "SUP-1"))
}

// Cancelling an unpaid bill reverses its journal and gives its budget back
// (to its work order first); a paid bill cannot be cancelled.
func TestCancellingABillReleasesItsBudget(t *testing.T) {
	t.Parallel()
	b, roads, power := setup(t)
	wo, _, err := b.budget.Commit(b.ctx, tenant, maker, budget.CommitmentInput{LineID: roads, Kind: "work_order", Reference: "WO/9",
		Date: ledger.Date(2026, 5, 2), Amount: amt("300000"), IdempotencyKey: "wo-9"})
	require.NoError(t, err)
	in := expenditure.BillInput{PartyCode: "CON-7", PartyBillNumber: "RA-1", Date: ledger.Date(2026, 7, 10), CommitmentID: wo.ID,
		Narration: "running bill", FundCode: "02", IdempotencyKey: "ra-1",
		Lines: []expenditure.BillLineInput{{AccountCode: "4120041", FunctionCode: "2010", Amount: amt("250000")}}}
	bill := submit(t, b, in)
	bill, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, bill.ID)
	require.NoError(t, err)

	cancelled, err := b.exp.CancelBill(b.ctx, tenant, checker, bill.ID, ledger.Date(2026, 7, 15), "measurements wrong")
	require.NoError(t, err)
	assert.Equal(t, "cancelled", cancelled.Status)
	assert.NotZero(t, cancelled.CancelVoucherID)
	assert.Equal(t, "0.00", subLedger(t, b, "3501002", "CON-7"))
	line, err := b.budget.Line(b.ctx, tenant, roads)
	require.NoError(t, err)
	assert.Equal(t, "0.00/300000.00", line.Actual.StringFixed(2)+"/"+line.Committed.StringFixed(2), "the order holds its reservation again")

	paid := submit(t, b, powerBill("paid", "5000"))
	_, _, err = b.exp.ApproveBill(b.ctx, tenant, checker, paid.ID)
	require.NoError(t, err)
	_, err = b.exp.PayBill(b.ctx, tenant, maker, expenditure.PaymentInput{BillID: paid.ID, Date: ledger.Date(2026, 6, 30), Amount: amt("1"),
		Mode: "cheque", InstrumentRef: "CHQ 1", IdempotencyKey: "p"})
	require.NoError(t, err)
	_, err = b.exp.CancelBill(b.ctx, tenant, checker, paid.ID, ledger.Date(2026, 7, 1), "x")
	assert.ErrorIs(t, err, expenditure.ErrBillState)
	pl, err := b.budget.Line(b.ctx, tenant, power)
	require.NoError(t, err)
	assert.Equal(t, "5000.00", pl.Actual.StringFixed(2))
}
