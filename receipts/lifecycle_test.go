package receipts_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// snapshot is the balances a receipt moves, to compare before and after.
func snapshot(t *testing.T, b bundle, consumer string) map[string]string {
	t.Helper()
	return map[string]string{
		"receivable": balanceOf(t, b, "4311001", consumer),
		"advance":    balanceOf(t, b, "3504101", consumer),
		"cash":       balanceOf(t, b, receipts.CashOnHand, ""),
		"cheques":    balanceOf(t, b, receipts.ChequesInHand, ""),
		"bank":       balanceOf(t, b, receipts.DefaultBank, ""),
		"rebate":     balanceOf(t, b, "1109004", ""),
	}
}

// Cancelling a receipt reverses its vouchers exactly and reinstates the
// demand; the number stays, marked cancelled, and is never reused.
func TestCancelRestoresDemandAndLedger(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		amount string // paid on 10 May, in the rebate window
	}{
		{"part payment", "1500.00"},
		{"payment earning the rebate and leaving an advance", "4000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			arrear := raise(t, b, "PT-1", 2025, lines("PT", "1000"), due(ledger.Date(2026, time.April, 30)))
			current := raise(t, b, "PT-1", 2026)
			before := snapshot(t, b, "PT-1")
			beforeArrear, beforeCurrent := balances(t, b, arrear.ID), balances(t, b, current.ID)
			r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-1", c.amount))
			require.NoError(t, err)
			require.NotEqual(t, before, snapshot(t, b, "PT-1"))

			_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID})
			assertField(t, err, "reason")
			got, err := b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "wrong property"})
			require.NoError(t, err)
			assert.Equal(t, receipts.Cancelled, got.Status)
			assert.Equal(t, r.Number, got.Number)
			assert.NotZero(t, got.UndoVoucherID)
			assert.Equal(t, before, snapshot(t, b, "PT-1"), "every balance back where it was")
			assert.Equal(t, beforeArrear, balances(t, b, arrear.ID))
			assert.Equal(t, beforeCurrent, balances(t, b, current.ID))
			rv, err := b.ledger.Voucher(b.ctx, tenant, r.VoucherID)
			require.NoError(t, err)
			assert.Equal(t, got.UndoVoucherID, rv.ReversedByID)
			books(t, b)

			// Cancelling again with the reason is a retry; the next receipt takes the next number.
			_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "wrong property"})
			require.NoError(t, err)
			next, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k2", "PT-1", "100.00"))
			require.NoError(t, err)
			assert.Equal(t, "PT/2026-27/000002", next.Number)
			books(t, b)
		})
	}
}

// Who may cancel: never whoever took the receipt; on its day a supervisor;
// later only an approver.
func TestCancelAuthority(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raise(t, b, "PT-1", 2026)
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-1", "500.00"))
	require.NoError(t, err)
	_, err = b.receipts.Cancel(b.ctx, tenant, "cashier1", receipts.CancelInput{ReceiptID: r.ID, Reason: "typo"})
	assert.ErrorIs(t, err, receipts.ErrNotAllowed, "the cashier who took it")
	b.clock.Set(on(2026, time.May, 11))
	_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "typo"})
	assert.ErrorIs(t, err, receipts.ErrNotAllowed, "a supervisor the next day")
	got, err := b.receipts.Cancel(b.ctx, tenant, "approver", receipts.CancelInput{ReceiptID: r.ID, Reason: "typo", Approver: true})
	require.NoError(t, err)
	assert.Equal(t, ledger.Date(2026, time.May, 11), got.UndoneOn)
	books(t, b)
}

// A receipt whose advance a later demand has taken cannot be cancelled: a
// cancellation corrects a counter mistake and does not reopen a demand
// settled since (FailedPrecondition, nothing moved). Were it a cheque that
// bounced, its dishonour is recorded instead, and reinstates the demand.
func TestCancelAfterAdvanceApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pay  receipts.PaymentInput
	}{
		{"cash", payment("k1", "PT-1", "1000.00")},
		{"cheque in hand", cheque(payment("k1", "PT-1", "1000.00"), "123456", ledger.Date(2026, time.May, 9))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", c.pay)
			require.NoError(t, err)
			d := raise(t, b, "PT-1", 2026)
			before, owed := snapshot(t, b, "PT-1"), balances(t, b, d.ID)
			require.Equal(t, map[string]string{"PT": "2780.00", "LIB_CESS": "0.00"}, owed)
			_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: r.ID, Reason: "wrong property"})
			assert.ErrorIs(t, err, billing.ErrAdvanceSpent)
			var pe *ledger.PreconditionError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "receipt_id", pe.Field)
			assert.Equal(t, before, snapshot(t, b, "PT-1"))
			assert.Equal(t, owed, balances(t, b, d.ID))
			got, err := b.receipts.Get(b.ctx, tenant, r.ID)
			require.NoError(t, err)
			assert.Equal(t, receipts.Valid, got.Status)
			books(t, b)
			if c.pay.Mode != receipts.Cheque {
				return
			}
			_, err = b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r.ID, Reason: "account closed"})
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"PT": "3600.00", "LIB_CESS": "180.00"}, balances(t, b, d.ID))
			assert.Equal(t, "0.00", balanceOf(t, b, receipts.ChequesInHand, ""))
			assert.Equal(t, "0.00", balanceOf(t, b, "3504101", "PT-1"))
			assert.Equal(t, "3780.00", balanceOf(t, b, "4311001", "PT-1"))
			books(t, b)
		})
	}
}

// A cheque goes from in hand to deposited (contra to the bank) to realised;
// another is dishonoured after deposit: the demand is reinstated, the bank
// credited, and the service's dishonour charge raised as a demand; a third
// is dishonoured while still in hand.
func TestChequeLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.receipts.SaveSettings(b.ctx, tenant, receipts.Settings{Service: "water", PartialAllowed: true,
		AdvanceAllowed: true, AdvanceAccount: "3504105", Series: "WS", DishonourCharge: amt("250"), DishonourHead: "CHQ_RETURN"}, "admin")
	require.NoError(t, err)
	water := func(consumer, amount string) billing.Demand {
		ds, err := b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{{Service: "water",
			ConsumerCode: consumer, Ward: "W02", PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2026, time.April, 30),
			Date: ledger.Date(2026, time.May, 1), DueDate: ledger.Date(2026, time.May, 31), IdempotencyKey: "w-" + consumer,
			Lines: []billing.DemandLineInput{{Head: "WATER", Amount: amt(amount)}}}})
		require.NoError(t, err)
		return ds[0]
	}
	pay := func(key, consumer, amount string) receipts.Receipt {
		p := cheque(payment(key, consumer, amount), "00"+key, ledger.Date(2026, time.May, 8))
		p.Items[0].Service = "water"
		r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", p)
		require.NoError(t, err)
		return r
	}
	good, bounced, held := water("WC-1", "600"), water("WC-2", "800"), water("WC-3", "450")
	r1, r2, r3 := pay("1001", "WC-1", "600.00"), pay("1002", "WC-2", "800.00"), pay("1003", "WC-3", "450.00")
	assert.Equal(t, "WS/2026-27/000001", r1.Number)
	assert.Equal(t, receipts.InHand, r1.ChequeStatus)
	assert.Equal(t, "1850.00", balanceOf(t, b, receipts.ChequesInHand, ""))
	books(t, b)

	b.clock.Set(on(2026, time.May, 11))
	dep, err := b.receipts.RecordDeposit(b.ctx, tenant, "accountant", receipts.DepositInput{IdempotencyKey: "slip-1",
		ReceiptIDs: []int64{r1.ID, r2.ID}, SlipNo: "SBI-0001"})
	require.NoError(t, err)
	_, err = b.receipts.RecordRealisation(b.ctx, tenant, []int64{r1.ID}, ledger.Date(2026, time.May, 10))
	assertField(t, err, "date") // after the receipt, but before the deposit
	assert.Equal(t, "1400.00", dep.Amount.StringFixed(2))
	again, err := b.receipts.RecordDeposit(b.ctx, tenant, "accountant", receipts.DepositInput{IdempotencyKey: "slip-1",
		ReceiptIDs: []int64{r2.ID, r1.ID}, SlipNo: "SBI-0001"})
	require.NoError(t, err)
	assert.Equal(t, dep.ID, again.ID, "a retried slip")
	assert.Equal(t, "450.00", balanceOf(t, b, receipts.ChequesInHand, ""))
	assert.Equal(t, "1400.00", balanceOf(t, b, receipts.DefaultBank, ""))
	books(t, b)

	b.clock.Set(on(2026, time.May, 12))
	real, err := b.receipts.RecordRealisation(b.ctx, tenant, []int64{r1.ID}, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, receipts.Realised, real[0].ChequeStatus)
	_, err = b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r1.ID, Reason: "late"})
	assertState(t, err)

	d2, err := b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r2.ID, Reason: "insufficient funds"})
	require.NoError(t, err)
	assert.Equal(t, receipts.Dishonoured, d2.Status)
	assert.Equal(t, receipts.ChequeDishonoured, d2.ChequeStatus)
	assert.Equal(t, map[string]string{"WATER": "800.00"}, balances(t, b, bounced.ID), "the demand is due again")
	assert.Equal(t, "600.00", balanceOf(t, b, receipts.DefaultBank, ""), "the bank gave the 800 back")
	require.NotZero(t, d2.DishonourDemandID)
	assert.Equal(t, map[string]string{"CHQ_RETURN": "250.00"}, balances(t, b, d2.DishonourDemandID))
	dues, err := b.billing.Dues(b.ctx, tenant, "WC-2", "water")
	require.NoError(t, err)
	assert.Equal(t, "1050.00", dues.Total.StringFixed(2))
	books(t, b)

	d3, err := b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r3.ID, Reason: "signature differs"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"WATER": "450.00"}, balances(t, b, held.ID))
	assert.Equal(t, "0.00", balanceOf(t, b, receipts.ChequesInHand, ""))
	rv, err := b.ledger.Voucher(b.ctx, tenant, r3.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, d3.UndoVoucherID, rv.ReversedByID, "a cheque in hand: its receipt voucher reversed")
	assert.Equal(t, map[string]string{"WATER": "0.00"}, balances(t, b, good.ID))
	books(t, b)
}

// Day end: a cashier's cash is remitted day by day; the summary shows the
// collections by mode and the cash still in hand, aged.
func TestRemittanceAndSummary(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, c := range []string{"PT-1", "PT-2", "PT-3"} {
		raise(t, b, c, 2026)
	}
	b.clock.Set(on(2026, time.May, 8))
	_, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("a", "PT-1", "1000.00"))
	require.NoError(t, err)
	b.clock.Set(on(2026, time.May, 10))
	cash, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("b", "PT-2", "700.00"))
	require.NoError(t, err)
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "cashier1", cheque(payment("c", "PT-3", "300.00"), "556677", ledger.Date(2026, time.May, 9)))
	require.NoError(t, err)
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "cashier2", payment("d", "PT-3", "50.00"))
	require.NoError(t, err)

	sum, err := b.receipts.CollectionSummary(b.ctx, tenant, ledger.Date(2026, time.May, 10), ledger.Date(2026, time.May, 10), "cashier1")
	require.NoError(t, err)
	require.Len(t, sum.ByMode, 2)
	assert.Equal(t, receipts.Cash, sum.ByMode[0].Mode)
	assert.Equal(t, "700.00", sum.ByMode[0].Amount.StringFixed(2))
	assert.Equal(t, receipts.Cheque, sum.ByMode[1].Mode)
	require.Len(t, sum.Unremitted, 2)
	assert.Equal(t, 2, sum.Unremitted[0].AgeDays, "8 May's cash is two days old")
	assert.Equal(t, "1700.00", sum.CashInHand.StringFixed(2))

	_, err = b.receipts.RemitCash(b.ctx, tenant, "cashier1", receipts.RemitInput{IdempotencyKey: "r1", Cashier: "cashier1",
		CollectedOn: ledger.Date(2026, time.May, 8), Amount: amt("999.00")})
	assertField(t, err, "amount")
	rem, err := b.receipts.RemitCash(b.ctx, tenant, "cashier1", receipts.RemitInput{IdempotencyKey: "r1", Cashier: "cashier1",
		CollectedOn: ledger.Date(2026, time.May, 8), Amount: amt("1000.00"), SlipNo: "CH-17"})
	require.NoError(t, err)
	assert.Equal(t, "1000.00", rem.Amount.StringFixed(2))
	_, err = b.receipts.RemitCash(b.ctx, tenant, "cashier1", receipts.RemitInput{IdempotencyKey: "r2", Cashier: "cashier1",
		CollectedOn: ledger.Date(2026, time.May, 8)})
	assertState(t, err)
	_, err = b.receipts.RemitCash(b.ctx, tenant, "cashier1", receipts.RemitInput{IdempotencyKey: "r3", Cashier: "cashier1",
		CollectedOn: ledger.Date(2026, time.May, 10)})
	require.NoError(t, err)
	_, err = b.receipts.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: cash.ID, Reason: "typo"})
	assertState(t, err)
	assert.Equal(t, "50.00", balanceOf(t, b, receipts.CashOnHand, ""), "cashier2's cash is still in hand")
	assert.Equal(t, "1700.00", balanceOf(t, b, receipts.DefaultBank, ""))
	sum, err = b.receipts.CollectionSummary(b.ctx, tenant, time.Time{}, time.Time{}, "")
	require.NoError(t, err)
	assert.Equal(t, "50.00", sum.CashInHand.StringFixed(2))
	books(t, b)
}

func assertField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Violations[0].Field, ve.Error())
}

func assertState(t *testing.T, err error) {
	t.Helper()
	var pe *ledger.PreconditionError
	assert.ErrorAs(t, err, &pe)
}
