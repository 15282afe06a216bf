package receipts_test

import (
	"cmp"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// movements lists a consumer's advance movements, oldest first, as
// "reason amount".
func movements(t *testing.T, b bundle, service, consumer string) []string {
	t.Helper()
	var out []string
	err := db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		rows, err := tx.Query(b.ctx, `SELECT reason, amount FROM advance_movements
			WHERE service = $1 AND consumer_code = $2 ORDER BY id`, service, consumer)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var reason string
			var amount decimal.Decimal
			if err := rows.Scan(&reason, &amount); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s %s", reason, amount.StringFixed(2)))
		}
		return rows.Err()
	})
	require.NoError(t, err)
	return out
}

func advanceOf(t *testing.T, b bundle, service, consumer string) string {
	t.Helper()
	var a billing.ConsumerAdvance
	err := db.ReadTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		a, err = b.billing.GetAdvance(b.ctx, tx, tenant, service, consumer)
		return err
	})
	require.NoError(t, err)
	return a.Balance.StringFixed(2)
}

// A deposited cheque paid a month's water charges and left an advance,
// which the next month's demand took whole; the cheque bounces. The
// dishonour is recorded all the same: both demands are due again to the
// paisa, the advance is back to zero, the bank gives the whole cheque back,
// and the service's dishonour charge is raised.
func TestDishonourAfterAdvanceApplied(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.receipts.SaveSettings(b.ctx, tenant, receipts.Settings{Service: "water", PartialAllowed: true,
		AdvanceAllowed: true, AdvanceAccount: "3504105", Series: "WS", DishonourCharge: amt("250"), DishonourHead: "CHQ_RETURN"}, "admin")
	require.NoError(t, err)
	water := func(month time.Month, amount string) billing.Demand {
		ds, err := b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{{Service: "water",
			ConsumerCode: "WC-1", Ward: "W02", PeriodFrom: ledger.Date(2026, month, 1), PeriodTo: ledger.Date(2026, month+1, 1).AddDate(0, 0, -1),
			Date: ledger.Date(2026, month+1, 1), DueDate: ledger.Date(2026, month+1, 28), IdempotencyKey: fmt.Sprintf("w-%d", month),
			Lines: []billing.DemandLineInput{{Head: "WATER", Amount: amt(amount)}}}})
		require.NoError(t, err)
		return ds[0]
	}
	wsnap := func() map[string]string {
		return map[string]string{
			"receivable": balanceOf(t, b, "4313001", "WC-1"),
			"advance":    balanceOf(t, b, "3504105", "WC-1"),
			"cheques":    balanceOf(t, b, receipts.ChequesInHand, ""),
			"bank":       balanceOf(t, b, receipts.DefaultBank, ""),
		}
	}
	april := water(time.April, "600.00")
	p := cheque(payment("c1", "WC-1", "1000.00"), "004411", ledger.Date(2026, time.May, 9))
	p.Items[0].Service = "water"
	r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1", p)
	require.NoError(t, err)
	require.Equal(t, "400.00", advanceOf(t, b, "water", "WC-1"))
	_, err = b.receipts.RecordDeposit(b.ctx, tenant, "accountant", receipts.DepositInput{IdempotencyKey: "slip-1",
		ReceiptIDs: []int64{r.ID}, SlipNo: "SBI-0001"})
	require.NoError(t, err)

	b.clock.Set(on(2026, time.June, 2))
	may := water(time.May, "500.00") // dated 1 June: takes the 400
	require.Equal(t, map[string]string{"WATER": "100.00"}, balances(t, b, may.ID))
	require.Equal(t, "0.00", advanceOf(t, b, "water", "WC-1"))
	assert.Equal(t, map[string]string{"receivable": "100.00", "advance": "0.00", "cheques": "0.00", "bank": "1000.00"}, wsnap())
	books(t, b)

	got, err := b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r.ID, Reason: "insufficient funds"})
	require.NoError(t, err)
	assert.Equal(t, receipts.Dishonoured, got.Status)
	assert.Equal(t, receipts.ChequeDishonoured, got.ChequeStatus)
	assert.Equal(t, map[string]string{"WATER": "600.00"}, balances(t, b, april.ID), "the dues it paid are due again")
	assert.Equal(t, map[string]string{"WATER": "500.00"}, balances(t, b, may.ID), "the demand that took its advance is due again")
	assert.Equal(t, "0.00", advanceOf(t, b, "water", "WC-1"))
	require.NotZero(t, got.DishonourDemandID)
	assert.Equal(t, map[string]string{"CHQ_RETURN": "250.00"}, balances(t, b, got.DishonourDemandID))
	// Before the cheque: nothing held or banked, 600 receivable; now the
	// 500 of May and the 250 charge on top, the bank back at zero.
	assert.Equal(t, map[string]string{"receivable": "1350.00", "advance": "0.00", "cheques": "0.00", "bank": "0.00"}, wsnap())
	dues, err := b.billing.Dues(b.ctx, tenant, "WC-1", "water")
	require.NoError(t, err)
	assert.Equal(t, "1350.00", dues.Total.StringFixed(2))
	assert.Equal(t, []string{"received 400.00", "applied -400.00", "reinstated 400.00", "dishonoured -400.00"},
		movements(t, b, "water", "WC-1"))
	books(t, b)

	// A retry returns the receipt and moves nothing.
	_, err = b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r.ID, Reason: "insufficient funds"})
	require.NoError(t, err)
	assert.Equal(t, "1350.00", wsnap()["receivable"])
	books(t, b)
}

// Where a later demand took only part of a cheque's advance, the dishonour
// takes back what is still held and reinstates the rest; where the advance
// a demand took came from two receipts, only the bounced cheque's share is
// reinstated, the tax before the cess (the reverse of apportionment).
func TestDishonourAfterAdvancePartlyApplied(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		cash       string // paid after the cheque, all of it advance; "" for none
		later      []string
		takes      map[string]string // what the later demand owes once it took the advance
		reinstated map[string]string // and after the dishonour
		moves      []string
	}{
		{
			name:       "part of the cheque's advance applied",
			later:      []string{"PT", "200", "LIB_CESS", "100"},
			takes:      map[string]string{"PT": "0.00", "LIB_CESS": "0.00"},
			reinstated: map[string]string{"PT": "200.00", "LIB_CESS": "100.00"},
			moves:      []string{"received 500.00", "applied -300.00", "reinstated 300.00", "dishonoured -500.00"},
		},
		{
			name:       "an application shared with a cash advance",
			cash:       "100.00",
			later:      []string{"PT", "200", "LIB_CESS", "200"},
			takes:      map[string]string{"PT": "0.00", "LIB_CESS": "0.00"},
			reinstated: map[string]string{"PT": "200.00", "LIB_CESS": "100.00"},
			moves: []string{"received 500.00", "received 100.00", "applied -400.00", "reinstated 300.00",
				"dishonoured -500.00"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			// Last year's arrear, due after the cheque: no rebate, penalty or interest.
			arrear := raise(t, b, "PT-1", 2025, lines("PT", "1000"), due(ledger.Date(2026, time.June, 30)))
			before := snapshot(t, b, "PT-1")
			r, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier1",
				cheque(payment("chq", "PT-1", "1500.00"), "778899", ledger.Date(2026, time.May, 9)))
			require.NoError(t, err)
			require.Equal(t, map[string]string{"PT": "0.00"}, balances(t, b, arrear.ID))
			if c.cash != "" {
				_, err := b.receipts.CollectPayment(b.ctx, tenant, "cashier2", payment("cash", "PT-1", c.cash))
				require.NoError(t, err)
			}
			require.Equal(t, amt("500").Add(amt(cmp.Or(c.cash, "0"))).StringFixed(2), advanceOf(t, b, "property_tax", "PT-1"))
			later := raise(t, b, "PT-1", 2026, lines(c.later...))
			assert.Equal(t, c.takes, balances(t, b, later.ID))
			books(t, b)

			_, err = b.receipts.RecordDishonour(b.ctx, tenant, "accountant", receipts.DishonourInput{ReceiptID: r.ID, Reason: "refer to drawer"})
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"PT": "1000.00"}, balances(t, b, arrear.ID))
			assert.Equal(t, c.reinstated, balances(t, b, later.ID))
			assert.Equal(t, "0.00", advanceOf(t, b, "property_tax", "PT-1"))
			assert.Equal(t, c.moves, movements(t, b, "property_tax", "PT-1"))
			// The ledger is where it was before the cheque but for the
			// later demand's 300 still to collect and the cash kept.
			want := maps.Clone(before)
			want["receivable"] = "1300.00"
			want["cash"] = amt(cmp.Or(c.cash, "0")).StringFixed(2)
			assert.Equal(t, want, snapshot(t, b, "PT-1"))
			books(t, b)
		})
	}
}
