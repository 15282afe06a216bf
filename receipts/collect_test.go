package receipts_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// Apportionment: oldest period first, then head priority within a period
// (interest, penalty, cess, tax); the rebate only for a payment that clears
// everything within the window; what is left is advance.
func TestApportionment(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		when   time.Time
		amount string
		// arrear raises a 2025-26 demand of 1,000 tax first.
		arrear      bool
		wantArrear  map[string]string // collected on the arrear demand
		wantCurrent map[string]string // collected on the 2026-27 demand
		rebate      string
		advance     string
	}{
		{name: "arrears first", when: on(2026, time.May, 10), amount: "1500.00", arrear: true,
			wantArrear:  map[string]string{"PT": "1000.00"},
			wantCurrent: map[string]string{"PT": "320.00", "LIB_CESS": "180.00"}, rebate: "0.00", advance: "0.00"},
		{name: "head priority: cess before tax in a part payment", when: on(2026, time.May, 10), amount: "200.00",
			wantCurrent: map[string]string{"PT": "20.00", "LIB_CESS": "180.00"}, rebate: "0.00", advance: "0.00"},
		{name: "interest and penalty before the tax they are charged on", when: on(2026, time.November, 2), amount: "500.00",
			// 30 Sep due: penalty 378.00, interest for October and November 56.70 x 2.
			wantCurrent: map[string]string{"INTEREST": "113.40", "PENALTY": "378.00", "LIB_CESS": "8.60", "PT": "0.00"},
			rebate:      "0.00", advance: "0.00"},
		{name: "exact payment with the rebate on the window's last day", when: on(2026, time.September, 25), amount: "3402.00",
			wantCurrent: map[string]string{"PT": "3600.00", "LIB_CESS": "180.00"}, rebate: "378.00", advance: "0.00"},
		{name: "no rebate the day after the window", when: on(2026, time.September, 26), amount: "3402.00",
			wantCurrent: map[string]string{"PT": "3222.00", "LIB_CESS": "180.00"}, rebate: "0.00", advance: "0.00"},
		{name: "no rebate for a part payment in the window", when: on(2026, time.May, 10), amount: "3000.00",
			wantCurrent: map[string]string{"PT": "2820.00", "LIB_CESS": "180.00"}, rebate: "0.00", advance: "0.00"},
		{name: "excess beyond the dues becomes advance", when: on(2026, time.May, 10), amount: "4000.00",
			wantCurrent: map[string]string{"PT": "3600.00", "LIB_CESS": "180.00"}, rebate: "378.00", advance: "598.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			var arrear int64
			if c.arrear {
				arrear = raise(t, b, "PT-1", 2025, lines("PT", "1000"), due(ledger.Date(2026, time.April, 30))).ID
			}
			current := raise(t, b, "PT-1", 2026)
			b.clock.Set(c.when)
			r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-1", c.amount))
			require.NoError(t, err)
			assert.Equal(t, "PT/2026-27/000001", r.Number)
			assert.Equal(t, c.rebate, r.Items[0].Rebate.StringFixed(2), "rebate")
			assert.Equal(t, c.advance, r.Items[0].Advance.StringFixed(2), "advance")
			if c.arrear {
				assert.Equal(t, c.wantArrear, collected(t, b, arrear))
			}
			got := collected(t, b, current.ID)
			for head, want := range c.wantCurrent {
				assert.Equal(t, want, got[head], head)
			}
			assert.Equal(t, c.advance, amt(balanceOf(t, b, "3504101", "PT-1")).Neg().StringFixed(2), "advance held")
			assert.Equal(t, amt(c.amount).StringFixed(2), balanceOf(t, b, receipts.CashOnHand, ""))
			books(t, b)
		})
	}
}

// A round-off line (negative) is settled first in a part payment, so the
// heads take the payment and the paise the round-off kept.
func TestPaymentSettlesRoundOff(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-2", 2026, lines("PT", "3600.40", "LIB_CESS", "180.00", "ROUNDOFF", "-0.40"))
	_, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-2", "100.00"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"PT": "0.00", "LIB_CESS": "100.40", "ROUNDOFF": "-0.40"}, collected(t, b, d.ID))
	books(t, b)
}

// Advance from one year's excess pays the next demand when it is raised,
// by the advance-adjustment journal.
func TestAdvanceAppliedToNextDemand(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Nothing due yet: the whole payment is advance.
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-3", "1000.00"))
	require.NoError(t, err)
	assert.Equal(t, "1000", r.Items[0].Advance.String())
	assert.Equal(t, "-1000.00", balanceOf(t, b, "3504101", "PT-3"))
	books(t, b)

	d := raise(t, b, "PT-3", 2026)
	assert.Equal(t, map[string]string{"PT": "820.00", "LIB_CESS": "180.00"}, collected(t, b, d.ID), "cess first, then tax")
	assert.Equal(t, "0.00", balanceOf(t, b, "3504101", "PT-3"), "the advance is used up")
	assert.Equal(t, "2780.00", balanceOf(t, b, "4311001", "PT-3"))
	books(t, b)

	// A second advance larger than the next demand leaves the rest.
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k2", "PT-4", "5000.00"))
	require.NoError(t, err)
	d4 := raise(t, b, "PT-4", 2026)
	assert.Equal(t, "0.00", balanceOf(t, b, "4311001", "PT-4"))
	assert.Equal(t, map[string]string{"PT": "0.00", "LIB_CESS": "0.00"}, balances(t, b, d4.ID))
	assert.Equal(t, "-1220.00", balanceOf(t, b, "3504101", "PT-4"))
	books(t, b)
}

// A payment after the bill's day is apportioned against what is due then.
func TestPaymentAfterBillExpiry(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-5", 2026)
	b.clock.Set(on(2026, time.September, 20))
	bill, err := b.billing.FetchBill(b.ctx, tenant, "property_tax", "PT-5", "citizen")
	require.NoError(t, err)
	assert.Equal(t, "3402.00", bill.Payable.StringFixed(2))
	// Paid by the bill's figure after the window and the due date: the
	// rebate is gone, penalty and interest are charged, and it is a part payment.
	b.clock.Set(on(2026, time.October, 3))
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("k1", "PT-5", "3402.00"))
	require.NoError(t, err)
	assert.True(t, r.Items[0].Rebate.IsZero())
	got := collected(t, b, d.ID)
	assert.Equal(t, "378.00", got["PENALTY"])
	assert.Equal(t, "56.70", got["INTEREST"])
	books(t, b)
}

// What a payment may be is checked against what is payable and the
// service's terms, naming the field.
func TestPaymentRules(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raise(t, b, "PT-6", 2026)
	_, err := b.billing.PostDemands(b.ctx, tenant, "run", "run", []billingDemand{licenceDemand("TL-1", "2500")})
	require.NoError(t, err)
	_, err = b.receipts.SaveSettings(b.ctx, tenant, receipts.Settings{Service: "water", PartialAllowed: true,
		AdvanceAllowed: false, AdvanceAccount: "3504105", Series: "WS"}, "admin")
	require.NoError(t, err)
	licence := func(key, amount string) receipts.PaymentInput {
		p := payment(key, "TL-1", amount)
		p.Items[0].Service = "trade_licence"
		return p
	}
	water := payment("w", "WC-1", "10.00")
	water.Items[0].Service = "water"
	cases := []struct {
		name  string
		in    receipts.PaymentInput
		field string
	}{
		{"amount with three decimals", payment("a", "PT-6", "10.005"), "amount"},
		{"zero amount", payment("b", "PT-6", "0"), "amount"},
		{"cheque without number or bank", cheque(payment("c", "PT-6", "10"), "", on(2026, time.May, 9)), "instrument.number"},
		{"post-dated cheque", cheque(payment("d", "PT-6", "10"), "000123", ledger.Date(2026, time.May, 20)), "instrument.date"},
		{"stale cheque", cheque(payment("e", "PT-6", "10"), "000123", ledger.Date(2026, time.February, 1)), "instrument.date"},
		{"licence fee in part", licence("f", "1000.00"), "items[0].amount"},
		{"nothing due and no advance taken", water, "items[0].amount"},
		{"items not summing to the amount", func() receipts.PaymentInput {
			p := payment("g", "PT-6", "10")
			p.Amount = amt("11")
			return p
		}(), "amount"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", c.in)
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, ve.Error())
		})
	}
	// The licence fee in full is taken; nothing took a number before it.
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", licence("h", "2500.00"))
	require.NoError(t, err)
	assert.Equal(t, "TL/2026-27/000001", r.Number)
	books(t, b)
}

// One payment pays several consumers, on one receipt and one voucher.
func TestOnePaymentForSeveralConsumers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d1 := raise(t, b, "PT-7", 2026)
	_, err := b.billing.PostDemands(b.ctx, tenant, "run", "run", []billingDemand{licenceDemand("TL-7", "2500")})
	require.NoError(t, err)
	p := receipts.PaymentInput{IdempotencyKey: "multi", Mode: receipts.NEFT, Amount: amt("4000"),
		Instrument: receipts.Instrument{Number: "SBIN226130012345"},
		Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: "PT-7", Amount: amt("1500")},
			{Service: "trade_licence", ConsumerCode: "TL-7", Amount: amt("2500")}}}
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", p)
	require.NoError(t, err)
	assert.Len(t, r.Items, 2)
	assert.Equal(t, receipts.DefaultBank, r.DebitAccount)
	assert.Equal(t, "1500.00", sumCollected(collected(t, b, d1.ID)))
	assert.Equal(t, "4000.00", balanceOf(t, b, receipts.DefaultBank, ""))
	v, err := b.ledger.Voucher(b.ctx, tenant, r.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, ledger.Receipt, v.Type)
	assert.Equal(t, r.Number, v.SourceRef)
	books(t, b)
}

// A retried request makes one receipt; the key with another body is refused.
func TestRetriedPaymentMakesOneReceipt(t *testing.T) {
	t.Parallel()
	b := setup(t)
	raise(t, b, "PT-8", 2026)
	first, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("retry", "PT-8", "500.00"))
	require.NoError(t, err)
	again, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("retry", "PT-8", "500.00"))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, first.Number, again.Number)
	_, err = b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment("retry", "PT-8", "600.00"))
	assert.ErrorIs(t, err, ledger.ErrIdempotencyConflict)
	list, _, err := b.receipts.List(b.ctx, tenant, receipts.Filter{ConsumerCode: "PT-8"})
	require.NoError(t, err)
	assert.Len(t, list, 1)
	assert.Equal(t, "500.00", balanceOf(t, b, receipts.CashOnHand, ""))
	books(t, b)
}

// Concurrent payments for one consumer take turns: never more collected
// than due, and receipt numbers 1..N with no gap, some replays among them.
func TestConcurrentPaymentsForOneConsumer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := raise(t, b, "PT-9", 2026)
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	got := make([]receipts.Receipt, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every third goroutine retries another's request.
			key := fmt.Sprintf("c%d", i-i%3)
			got[i], errs[i] = b.receipts.CollectPayment(b.ctx, tenant, "cashier1", payment(key, "PT-9", "1000.00"))
		}()
	}
	wg.Wait()
	numbers := map[string]bool{}
	for i, err := range errs {
		require.NoError(t, err, i)
		numbers[got[i].Number] = true
	}
	distinct := (n + 2) / 3
	require.Len(t, numbers, distinct)
	for i := 1; i <= distinct; i++ {
		assert.True(t, numbers[fmt.Sprintf("PT/2026-27/%06d", i)], "number %d", i)
	}
	// Four payments of 1,000 against 3,780: the fourth clears the last 780
	// and earns the rebate on it (78), so 298 is held as advance.
	assert.Equal(t, map[string]string{"PT": "0.00", "LIB_CESS": "0.00"}, balances(t, b, d.ID))
	assert.Equal(t, "4000.00", balanceOf(t, b, receipts.CashOnHand, ""))
	assert.Equal(t, "-298.00", balanceOf(t, b, "3504101", "PT-9"))
	books(t, b)
}

func sumCollected(m map[string]string) string {
	total := amt("0")
	for _, v := range m {
		total = total.Add(amt(v))
	}
	return total.StringFixed(2)
}

type billingDemand = billing.DemandInput

// licenceDemand is a trade licence's 2026-27 renewal fee.
func licenceDemand(consumer, amount string) billing.DemandInput {
	return billing.DemandInput{Service: "trade_licence", ConsumerCode: consumer, Ward: "W03",
		PeriodFrom: ledger.Date(2026, time.April, 1), PeriodTo: ledger.Date(2027, time.March, 31),
		Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.June, 30), IdempotencyKey: "tl-" + consumer,
		Lines: []billing.DemandLineInput{{Head: "TL_FEE", Amount: amt(amount)}}}
}
