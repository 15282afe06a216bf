package billing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/ledger"
)

// setupLicences adds the trade licence heads (DESIGN.md: 4313002
// receivable, 1401101 licensing fees; the late penalty to 1402010) and the
// sample bakery tariff of tariffs.md for 2026-27 and 2027-28.
func setupLicences(t *testing.T) bundle {
	t.Helper()
	b := setup(t)
	for _, h := range []billing.TaxHead{
		{Service: "trade_licence", Code: "TL_FEE", Name: "Trade licence fee", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1401101", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9093"},
		{Service: "trade_licence", Code: "TL_PENALTY", Name: "Late renewal penalty", Category: billing.Penalty, Priority: 20,
			IncomeAccount: "1402010", ReceivableAccount: "4313002", FundCode: "01", FunctionCode: "9093"},
	} {
		_, err := b.billing.SaveTaxHead(b.ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	for _, fy := range []int{2026, 2027} {
		require.NoError(t, b.billing.SaveTradeMaster(b.ctx, tenant, fy, calc.SampleTradeMaster(), "admin"))
	}
	return b
}

func bakery(code string, validTo time.Time, units ...calc.TradeUnit) billing.Licence {
	return billing.Licence{ConsumerCode: code, HolderName: "Holder " + code, TradeName: "Bakery " + code, Ward: "W03",
		Units: units, ValidFrom: validTo.AddDate(-1, 0, 1), ValidTo: validTo, Status: billing.LicenceActive}
}

func small(workers int) calc.TradeUnit  { return calc.TradeUnit{Trade: "bakery_small", Size: workers} }
func medium(workers int) calc.TradeUnit { return calc.TradeUnit{Trade: "bakery_medium", Size: workers} }

// The renewal penalty bands of tariffs.md: on time up to 30 days before
// expiry, 25 % in the 30 days before it (the expiry day included), 50 %
// after it. The fee is the renewal fee of the trade's size band.
func TestLicenceRenewalPenaltyBands(t *testing.T) {
	t.Parallel()
	b := setupLicences(t)
	expires := day(2027, time.March, 31)
	require.NoError(t, b.billing.SaveTradeLicences(b.ctx, tenant, []billing.Licence{bakery("TL-1", expires, small(12))}, "admin"))
	cases := []struct {
		name  string
		on    time.Time
		lines string
	}{
		{"30 days before expiry is on time", day(2027, time.March, 1), "TL_FEE 2000.00"},
		{"29 days before expiry is late", day(2027, time.March, 2), "TL_FEE 2000.00, TL_PENALTY 500.00"},
		{"the expiry day is still before expiry", expires, "TL_FEE 2000.00, TL_PENALTY 500.00"},
		{"after expiry", day(2027, time.April, 1), "TL_FEE 2000.00, TL_PENALTY 1000.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := b.billing.CalculateLicenceDemand(b.ctx, tenant, "TL-1", 2027, c.on)
			require.NoError(t, err)
			assert.Equal(t, c.lines, previewed(d))
			assert.Equal(t, day(2027, time.April, 1), d.PeriodFrom, "the renewal runs from the day after expiry")
			assert.Equal(t, day(2028, time.March, 31), d.PeriodTo)
		})
	}
}

// The renewal run raises each due licence's fee once, dated the day it is
// run: run before expiry, fees alone; a licence that lapsed pays the
// penalty. Cancelled licences and licences not due that year are left.
func TestLicenceRenewalRunRaisesEachDemandOnce(t *testing.T) {
	t.Parallel()
	b := setupLicences(t)
	cancelled := bakery("TL-003", day(2027, time.March, 31), small(5))
	cancelled.Status = billing.LicenceCancelled
	require.NoError(t, b.billing.SaveTradeLicences(b.ctx, tenant, []billing.Licence{
		bakery("TL-001", day(2027, time.March, 31), small(12)),
		// Fees of several trades add up: 21-30 workers 2,500 + medium 4,500.
		bakery("TL-002", day(2027, time.March, 31), small(25), medium(8)),
		cancelled,
		bakery("TL-004", day(2028, time.March, 31), small(3)),  // due in 2028-29
		bakery("TL-005", day(2026, time.March, 31), small(20)), // due in 2026-27, lapsed
	}, "admin"))

	withJobs(t, b)
	b.billing.SetRunBatch(1)
	got := runToEnd(t, b, billing.RunRequest{Service: billing.TradeLicence, FiscalYear: 2027, AsOf: day(2027, time.March, 1)})
	assert.Equal(t, 2, got.Raised, got.Error)
	assert.Equal(t, "9000.00", got.Total.StringFixed(2))
	for code, lines := range map[string]string{"TL-001": "TL_FEE 2000.00", "TL-002": "TL_FEE 7000.00"} {
		dues, err := b.billing.Dues(b.ctx, tenant, code, billing.TradeLicence)
		require.NoError(t, err)
		require.Len(t, dues.Demands, 1, code)
		assert.Equal(t, lines, linesOf(dues.Demands[0]), code)
		assert.Equal(t, day(2027, time.March, 31), dues.Demands[0].DueDate, "renew by expiry")
	}

	again := runToEnd(t, b, billing.RunRequest{Service: billing.TradeLicence, FiscalYear: 2027, AsOf: day(2027, time.March, 20)})
	assert.Zero(t, again.Raised, "a rerun, even on a later day, raises nothing twice")
	assert.Equal(t, 2, again.Existing)

	// TL-005 expired on 31 March 2026; renewed a month later it pays 50 %.
	lapsed := runToEnd(t, b, billing.RunRequest{Service: billing.TradeLicence, FiscalYear: 2026, AsOf: day(2026, time.May, 1)})
	assert.Equal(t, 1, lapsed.Raised, lapsed.Error)
	dues, err := b.billing.Dues(b.ctx, tenant, "TL-005", billing.TradeLicence)
	require.NoError(t, err)
	require.Len(t, dues.Demands, 1)
	assert.Equal(t, "TL_FEE 2000.00, TL_PENALTY 1000.00", linesOf(dues.Demands[0]))
	v, err := b.ledger.Voucher(b.ctx, tenant, dues.Demands[0].VoucherID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"4313002:TL-005": "3000.00", "1401101:": "-2000.00", "1402010:": "-1000.00"}, sumByKey(v))
	tied(t, b)
}

func TestLicenceRegisterAndMasterInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setupLicences(t)
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property("PT-1", "W01", "B", "100")}, "admin"))
	expires := day(2027, time.March, 31)
	cases := []struct {
		name  string
		edit  func(*billing.Licence)
		field string
	}{
		{"no trades", func(l *billing.Licence) { l.Units = nil }, "licences[0].units"},
		{"a trade of no size", func(l *billing.Licence) { l.Units[0].Size = 0 }, "licences[0].units[0].size"},
		{"valid to before valid from", func(l *billing.Licence) { l.ValidTo = l.ValidFrom.AddDate(0, 0, -1) }, "licences[0].valid_to"},
		{"unknown status", func(l *billing.Licence) { l.Status = "lapsed" }, "licences[0].status"},
		{"a property's code", func(l *billing.Licence) { l.ConsumerCode = "PT-1" }, "licences[0].consumer_code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := bakery("TL-1", expires, small(4))
			c.edit(&l)
			err := b.billing.SaveTradeLicences(b.ctx, tenant, []billing.Licence{l}, "admin")
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "%v", ve.Violations)
		})
	}

	// A trade the master does not price, or a size beyond its bands, is
	// named when the demand is calculated.
	require.NoError(t, b.billing.SaveTradeLicences(b.ctx, tenant, []billing.Licence{
		bakery("TL-2", expires, calc.TradeUnit{Trade: "tannery", Size: 2}), bakery("TL-3", expires, small(31))}, "admin"))
	var ve *ledger.ValidationError
	_, err := b.billing.CalculateLicenceDemand(b.ctx, tenant, "TL-2", 2027, expires)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "TL-2.licence.units[0].trade", ve.Violations[0].Field)
	withJobs(t, b)
	failed := runToEnd(t, b, billing.RunRequest{Service: billing.TradeLicence, FiscalYear: 2027, AsOf: expires})
	assert.Equal(t, billing.RunFailed, failed.Status)
	assert.Contains(t, failed.Error, "TL-2.licence.units[0].trade")

	// A licence not due that year, and a year with no master.
	_, err = b.billing.CalculateLicenceDemand(b.ctx, tenant, "TL-3", 2026, expires)
	assert.ErrorIs(t, err, billing.ErrNotDue)
	_, err = b.billing.CalculateLicenceDemand(b.ctx, tenant, "TL-3", 2028, expires)
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)

	m := calc.SampleTradeMaster()
	m.RenewalLateBands[2].Percent = amt("150")
	err = b.billing.SaveTradeMaster(b.ctx, tenant, 2027, m, "admin")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "master.trade_licence.renewal_late_bands[2].percent", ve.Violations[0].Field)
	tied(t, b)
}
