package billing_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
)

// Opening arrears are demands whose accrual is an opening voucher already
// posted: they post nothing, keep paise even on a head levied to the
// rupee, and must be exactly what the voucher carries on the consumer's
// receivable (property tax's arrears head, 4311004), or nothing is written.
func TestOpeningArrearsMirrorTheirVoucher(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property("PT-1", "W01", "B", "100")}, "admin"))
	opening := ledger.Voucher{Type: ledger.Journal, Date: ledger.Date(2026, time.April, 1), Narration: "Opening balances",
		Lines: []ledger.Line{
			{AccountCode: "4311004", FundCode: "01", FunctionCode: "9091", Party: "PT-1", FieldCode: "W01", Debit: amt("1000.50")},
			{AccountCode: "3101001", FundCode: "01", FunctionCode: "0001", Credit: amt("1000.50")},
		}}
	arrear := func(consumer, head, amount string) billing.DemandInput {
		return billing.DemandInput{Service: "property_tax", ConsumerCode: consumer, Ward: "W01",
			PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
			Date: ledger.Date(2026, time.April, 1), DueDate: ledger.Date(2026, time.March, 31), IdempotencyKey: "opening:" + consumer + head + amount,
			Lines: []billing.DemandLineInput{{Head: head, Amount: amt(amount)}}}
	}
	raise := func(key string, d billing.DemandInput) error {
		return db.InTenant(b.ctx, b.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			v := opening
			v.IdempotencyKey = key
			posted, err := b.ledger.PostTx(b.ctx, tx, tenant, "asha", []ledger.Voucher{v})
			if err != nil {
				return err
			}
			_, err = b.billing.RaiseOpeningArrearsTx(b.ctx, tx, tenant, "asha", posted[0], []billing.DemandInput{d})
			return err
		})
	}
	cases := []struct {
		name  string
		in    billing.DemandInput
		field string // the violation expected, or "" for a mismatch with the voucher
	}{
		{"the amount must be what the voucher carries", arrear("PT-1", "PT", "900.50"), ""},
		{"the consumer must be in the registers", arrear("PT-9", "PT", "1000.50"), "demands[0].consumer_code"},
		{"a round-off head carries no arrears", arrear("PT-1", "ROUNDOFF", "1000.50"), "demands[0].lines[0].head"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := raise("opening-"+c.name, c.in)
			require.Error(t, err)
			if c.field == "" {
				assert.Contains(t, err.Error(), "voucher")
				return
			}
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "%v", ve)
		})
	}
	dues, err := b.billing.Dues(b.ctx, tenant, "PT-1", "")
	require.NoError(t, err)
	assert.Empty(t, dues.Demands, "a refused arrear leaves nothing behind")

	require.NoError(t, raise("opening-ok", arrear("PT-1", "PT", "1000.50")))
	dues, err = b.billing.Dues(b.ctx, tenant, "PT-1", "")
	require.NoError(t, err)
	require.Len(t, dues.Demands, 1)
	assert.Equal(t, billing.FromOpening, dues.Demands[0].Source)
	assert.Equal(t, 2025, dues.Demands[0].FiscalYear)
	assert.Equal(t, "1000.50", dues.Total.StringFixed(2), "paise kept on a head levied to the rupee")
	tied(t, b)
}
