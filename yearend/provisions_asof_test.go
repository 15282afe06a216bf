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
			p.Instrument = receipts.Instrument{Number: "004211", Date: ledger.Date(2026, time.March, 18), Bank: "State Bank of India", Branch: "Rajpur Road"}
		}
		r, err := rs.CollectPayment(b.ctx, tenant, "cashier", p)
		require.NoError(t, err, key)
		return r
	}

	// Collected by 31 March: 20,000 in cash on the 1-2 year band and a
	// 40,000 cheque on the 2-3 year band.
	cash := pay("r-cash", "P-1Y", "20000.00", receipts.Cash)
	chq := pay("r-chq", "P-2Y", "40000.00", receipts.Cheque)
	atYearEnd, err := b.yearend.RunProvisions(b.ctx, tenant, 2025, "accountant")
	require.NoError(t, err)
	want := []string{"10000.00", "0.00", "0.00", "8000.00"}
	require.Equal(t, want, bands(provisionFor(t, atYearEnd, "4321000")))

	// In April, before the close: the old dues paid, a remission approved,
	// the March cash receipt cancelled and the March cheque dishonoured, and
	// a 2025-26 demand raised late.
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
