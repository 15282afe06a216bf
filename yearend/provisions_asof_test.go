package yearend_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
	"github.com/munimhq/munim/yearend"
)

// clock is the receipts' and billing's clock, moved by the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func bands(l yearend.ProvisionLine) []string {
	out := make([]string, len(l.Outstanding))
	for i, o := range l.Outstanding {
		out[i] = o.StringFixed(2)
	}
	return out
}

func TestProvisionsMeasureTheDuesOutstandingAt31MarchNotWhenRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	dues := raiseAgedDues(t, b)
	ist := time.FixedZone("IST", 5*3600+1800)
	clk := &clock{t: time.Date(2026, time.March, 20, 11, 0, 0, 0, ist)}
	bs := billing.NewService(b.pool, b.ledger, clk.Now)
	rs, err := receipts.NewService(b.pool, b.ledger, bs, receipts.Config{Now: clk.Now,
		SigningKey: []byte("a receipt signing key for tests, 32+ bytes"), VerifyURL: "https://munim.example.in/verify/receipt"})
	require.NoError(t, err)
	pay := func(key, consumer, amount string, mode receipts.Mode) receipts.Receipt {
		t.Helper()
		p := receipts.PaymentInput{IdempotencyKey: key, Mode: mode, Amount: amt(amount), PayerName: "Meera Rawat",
			Items: []receipts.ItemInput{{Service: "property_tax", ConsumerCode: consumer, Amount: amt(amount)}}}
		if mode == receipts.Cheque {
			p.Instrument = receipts.Instrument{Number: key, Date: ledger.Date(2026, time.March, 8), Bank: "State Bank of India", Branch: "Rajpur Road"}
		}
		r, err := rs.CollectPayment(b.ctx, tenant, "cashier", p)
		require.NoError(t, err, key)
		return r
	}

	// Collected by 31 March: 20,000 in cash on the 1-2 year band and a
	// 40,000 cheque on the 2-3 year band; and a 3,000 cheque paid in advance
	// that a 6,000 demand of 25 March took (3,000 left outstanding).
	clk.Set(time.Date(2026, time.March, 10, 11, 0, 0, 0, ist))
	adv := pay("r-adv", "P-ADV", "3000.00", receipts.Cheque)
	_, err = bs.PostDemands(b.ctx, tenant, "test", billing.FromManual, []billing.DemandInput{{Service: "property_tax",
		ConsumerCode: "P-ADV", Ward: "W07", PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
		Date: ledger.Date(2026, time.March, 25), DueDate: ledger.Date(2025, time.June, 30), IdempotencyKey: "P-ADV",
		Lines: []billing.DemandLineInput{{Head: "PT", Amount: amt("6000.00")}}}})
	require.NoError(t, err)
	clk.Set(time.Date(2026, time.March, 20, 11, 0, 0, 0, ist))
	cash := pay("r-cash", "P-1Y", "20000.00", receipts.Cash)
	chq := pay("r-chq", "P-2Y", "40000.00", receipts.Cheque)
	atYearEnd, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	want := []string{"13000.00", "0.00", "0.00", "8000.00"}
	require.Equal(t, want, bands(provisionFor(t, atYearEnd, "4321000")))

	// In April, before the close: the old dues paid (band 4), a remission
	// approved (band 1), the March cash receipt cancelled (band 2), the March
	// cheque dishonoured (band 3), the advance's cheque dishonoured, which
	// reinstates what it settled (band 1), and a 2025-26 demand raised late
	// (band 1). Each would move its band without the roll back to 31 March.
	clk.Set(time.Date(2026, time.April, 20, 11, 0, 0, 0, ist))
	pay("r-april", "P-3Y", "8000.00", receipts.Cash)
	am, err := bs.ProposeAmendment(b.ctx, tenant, "clerk", billing.AmendmentInput{DemandID: dues[0].ID, Kind: billing.Remission,
		Reason: "hardship", Date: ledger.Date(2026, time.April, 20), IdempotencyKey: "rem-1",
		Lines: []billing.AmendmentLineInput{{Head: "PT", Delta: amt("-2000.00")}}})
	require.NoError(t, err)
	_, err = bs.ApproveAmendment(b.ctx, tenant, am.ID, "approver")
	require.NoError(t, err)
	_, err = rs.Cancel(b.ctx, tenant, "supervisor", receipts.CancelInput{ReceiptID: cash.ID, Reason: "wrong consumer", Approver: true})
	require.NoError(t, err)
	_, err = rs.RecordDishonour(b.ctx, tenant, "supervisor", receipts.DishonourInput{ReceiptID: chq.ID,
		Date: ledger.Date(2026, time.April, 20), Reason: "insufficient funds"})
	require.NoError(t, err)
	_, err = rs.RecordDishonour(b.ctx, tenant, "supervisor", receipts.DishonourInput{ReceiptID: adv.ID,
		Date: ledger.Date(2026, time.April, 20), Reason: "insufficient funds"})
	require.NoError(t, err)
	_, err = bs.PostDemands(b.ctx, tenant, "test", billing.FromManual, []billing.DemandInput{{Service: "property_tax",
		ConsumerCode: "P-LATE", Ward: "W07", PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
		Date: ledger.Date(2026, time.April, 15), DueDate: ledger.Date(2025, time.June, 30), IdempotencyKey: "P-LATE",
		Lines: []billing.DemandLineInput{{Head: "PT", Amount: amt("5000.00")}}}})
	require.NoError(t, err)

	late, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	assert.Equal(t, want, bands(provisionFor(t, late, "4321000")),
		"April's collection, remission, cancellation, dishonour and late demand leave 31 March's dues as they were")
	assert.Nil(t, late.Voucher, "the provision stands as run before them")
	assert.Equal(t, atYearEnd.Required.String(), late.Required.String())
}
