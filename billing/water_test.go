package billing_test

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/ledger"
)

// setupWater adds the water heads (DESIGN.md: 4313001 receivable, 1405013
// user charges, meter rent to 1405016) and the sample tariffs of
// tariffs.md for 2026-27: metered residential and non-residential slabs
// (the non-residential with a meter rent of 15 a month, which tariffs.md
// does not give), and flat rates by usage.
func setupWater(t *testing.T) bundle {
	t.Helper()
	b := setup(t)
	for _, h := range []billing.TaxHead{
		{Service: "water", Code: "WATER", Name: "Water charges", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1405013", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
		{Service: "water", Code: "METER_RENT", Name: "Meter rent", Category: billing.Fee, Priority: 40,
			IncomeAccount: "1405016", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
		{Service: "water", Code: "ROUNDOFF", Name: "Round off", Category: billing.RoundOff, Priority: 50,
			IncomeAccount: "1808099", ReceivableAccount: "4313001", FundCode: "01", FunctionCode: "9092"},
	} {
		_, err := b.billing.SaveTaxHead(b.ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	nonResidential := calc.SampleWaterNonResidential()
	nonResidential.MeterRent = amt("15")
	require.NoError(t, b.billing.SaveMeteredWaterMaster(b.ctx, tenant, 2026, billing.MeteredWaterTariff{ByUsage: map[string]calc.MeteredWaterMaster{
		"residential": calc.SampleWaterResidential(), "non_residential": nonResidential}}, "admin"))
	require.NoError(t, b.billing.SaveFlatWaterMaster(b.ctx, tenant, 2026, calc.SampleWaterFlat(), "admin"))
	return b
}

func day(y int, m time.Month, d int) time.Time { return ledger.Date(y, m, d) }

func metered(code, usage string) billing.WaterConnection {
	return billing.WaterConnection{ConsumerCode: code, HolderName: "Holder " + code, Ward: "W01", Kind: billing.Metered,
		Usage: usage, PipeSizeMM: 15, ConnectedOn: day(2020, time.June, 1), MeterNumber: "M-" + code}
}

func flat(code, usage string) billing.WaterConnection {
	c := metered(code, usage)
	c.Kind, c.MeterNumber = billing.NonMetered, ""
	return c
}

func reading(code string, on time.Time, kl string) billing.MeterReading {
	return billing.MeterReading{ConsumerCode: code, Date: on, Reading: amt(kl)}
}

var april2026 = billing.Period{From: day(2026, time.April, 1), To: day(2026, time.April, 30)}

// The sample water tariff through the register, the readings and the run:
// graded slabs each at their own rate, consumption on a slab's bound
// billed in that slab, the minimum, a replaced meter, flat rates by usage.
// An unread meter is listed and billed by a later run; nothing is raised
// twice.
func TestWaterRunBillsEachSlabAtItsRate(t *testing.T) {
	t.Parallel()
	b := setupWater(t)
	gone := flat("WC-008", "residential")
	gone.DisconnectedOn = day(2026, time.February, 15)
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{
		metered("WC-001", "residential"), metered("WC-002", "residential"), metered("WC-003", "non_residential"),
		flat("WC-004", "residential"), flat("WC-005", "government"), metered("WC-006", "residential"),
		metered("WC-007", "residential"), gone,
	}, "admin"))
	march31, april30 := day(2026, time.March, 31), day(2026, time.April, 30)
	replaced := reading("WC-006", april30, "15")
	replaced.Replacement = &calc.MeterReplacement{OldFinal: amt("4020"), NewInitial: amt("0")}
	n, err := b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{
		reading("WC-001", march31, "1000"), reading("WC-001", april30, "1035"),
		reading("WC-002", march31, "500"), reading("WC-002", april30, "530"),
		reading("WC-003", march31, "0"), reading("WC-003", april30, "60"),
		reading("WC-006", march31, "4000"), replaced,
		reading("WC-007", march31, "10"),
	}, "reader")
	require.NoError(t, err)
	assert.Equal(t, 9, n)

	// 30 KL ends exactly on the third slab's bound: 10 @ 2 + 10 @ 2.5 +
	// 10 @ 8 = 125, not 129 with the 30th KL at the fourth slab's 12.
	preview, err := b.billing.CalculateWaterDemand(b.ctx, tenant, "WC-002", april2026)
	require.NoError(t, err)
	require.Len(t, preview.Lines, 1)
	assert.Equal(t, "125.00", preview.Lines[0].Amount.StringFixed(2))
	assert.Equal(t, "readings 500 -> 530: 30 KL over 1 month(s); slab 1: 10 KL @ 2 = 20.00; slab 2: 10 KL @ 2.5 = 25.00; slab 3: 10 KL @ 8 = 80.00; slabs 125.00",
		preview.Lines[0].Basis)

	withJobs(t, b)
	b.billing.SetRunBatch(3)
	april := billing.RunRequest{Service: billing.Water, Period: april2026}
	got := runToEnd(t, b, april)
	assert.Equal(t, billing.RunDone, got.Status, got.Error)
	assert.Equal(t, 7, got.Expected, "the connection cut off in February is not read")
	assert.Equal(t, 7, got.Entries)
	assert.Equal(t, 6, got.Raised)
	assert.Equal(t, 1, got.Skipped)
	require.Len(t, got.Skips, 1)
	assert.Equal(t, "WC-007", got.Skips[0].ConsumerCode)
	assert.Contains(t, got.Skips[0].Reason, "no meter reading")

	want := map[string]string{
		"WC-001": "WATER 185.00",                    // 35 KL: 20 + 25 + 80 + 5 @ 12 = 185
		"WC-002": "WATER 125.00",                    // 30 KL, on the bound
		"WC-003": "WATER 3260.95, METER_RENT 15.00", // 60 KL: 133.10 + 399.30 + 1663.75 + 10 @ 106.48
		"WC-004": "WATER 250.00",                    // flat residential
		"WC-005": "WATER 650.00",                    // flat government
		"WC-006": "WATER 185.00",                    // 20 KL on the old meter + 15 on the new
	}
	for code, lines := range want {
		dues, err := b.billing.Dues(b.ctx, tenant, code, billing.Water)
		require.NoError(t, err)
		require.Len(t, dues.Demands, 1, code)
		assert.Equal(t, lines, linesOf(dues.Demands[0]), code)
	}
	assert.Equal(t, "4670.95", got.Total.StringFixed(2))

	// The accrual: the connection's water receivable against user charges,
	// the meter rent to its own income head.
	dues, err := b.billing.Dues(b.ctx, tenant, "WC-003", billing.Water)
	require.NoError(t, err)
	v, err := b.ledger.Voucher(b.ctx, tenant, dues.Demands[0].VoucherID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"4313001:WC-003": "3275.95", "1405013:": "-3260.95", "1405016:": "-15.00"}, sumByKey(v))
	tied(t, b)

	// A rerun raises nothing twice; once WC-007 is read, it is billed.
	again := runToEnd(t, b, april)
	assert.Zero(t, again.Raised)
	assert.Equal(t, 6, again.Existing)
	_, err = b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{reading("WC-007", day(2026, time.April, 29), "22")}, "reader")
	require.NoError(t, err)
	last := runToEnd(t, b, april)
	assert.Equal(t, 1, last.Raised)
	assert.Equal(t, "100.00", last.Total.StringFixed(2), "12 KL is 25.00 by the slabs, below the minimum of 100")
	assert.Empty(t, last.Skips)
	tied(t, b)
}

// A quarter's bill scales the slab bounds, the minimum and the meter rent
// by three, and a connection made within the period pays from its month.
func TestWaterBillForSeveralMonths(t *testing.T) {
	t.Parallel()
	b := setupWater(t)
	late := flat("WC-2", "non_residential")
	late.ConnectedOn = day(2026, time.May, 15)
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{metered("WC-1", "non_residential"), late}, "admin"))
	_, err := b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{
		reading("WC-1", day(2026, time.March, 31), "100"), reading("WC-1", day(2026, time.May, 2), "110"),
		reading("WC-1", day(2026, time.June, 30), "130"),
	}, "reader")
	require.NoError(t, err)
	quarter := billing.Period{From: day(2026, time.April, 1), To: day(2026, time.June, 30)}

	d, err := b.billing.CalculateWaterDemand(b.ctx, tenant, "WC-1", quarter)
	require.NoError(t, err)
	// 30 KL in a quarter is all in the first slab (0-30): 30 x 13.31 =
	// 399.30, below the minimum 3 x 200.
	assert.Equal(t, "WATER 600.00, METER_RENT 45.00", previewed(d))

	d, err = b.billing.CalculateWaterDemand(b.ctx, tenant, "WC-2", quarter)
	require.NoError(t, err)
	assert.Equal(t, "WATER 1100.00", previewed(d), "May and June at 550")

	withJobs(t, b)
	got := runToEnd(t, b, billing.RunRequest{Service: billing.Water, Period: quarter})
	assert.Equal(t, "1745.00", got.Total.StringFixed(2), got.Error)
	tied(t, b)

	// A period is whole months of one fiscal year.
	for _, p := range []billing.Period{
		{From: day(2026, time.April, 2), To: day(2026, time.April, 30)},
		{From: day(2027, time.March, 1), To: day(2027, time.April, 30)},
	} {
		_, err := b.billing.StartRun(b.ctx, tenant, billing.RunRequest{Service: billing.Water, Period: p}, "run")
		var ve *ledger.ValidationError
		require.ErrorAs(t, err, &ve, "%v", p)
		assert.Contains(t, ve.Violations[0].Field, "period")
	}
}

// A meter never runs backwards: a reading must be at least the one before
// it and at most the one after it, unless it records that the meter was
// replaced. Each refusal names the reading and the rule.
func TestMeterReadingsNeverRunBackwards(t *testing.T) {
	t.Parallel()
	b := setupWater(t)
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{
		metered("WC-1", "residential"), flat("WC-F", "residential")}, "admin"))
	_, err := b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{
		reading("WC-1", day(2026, time.March, 31), "1000"), reading("WC-1", day(2026, time.May, 31), "1050"),
	}, "reader")
	require.NoError(t, err)

	april := day(2026, time.April, 30)
	withReplacement := func(kl, oldFinal, newInitial string) billing.MeterReading {
		r := reading("WC-1", april, kl)
		r.Replacement = &calc.MeterReplacement{OldFinal: amt(oldFinal), NewInitial: amt(newInitial)}
		return r
	}
	cases := []struct {
		name    string
		reading billing.MeterReading
		field   string
	}{
		{"below the reading before it", reading("WC-1", april, "990"), "readings[0].reading"},
		{"above the reading after it", reading("WC-1", april, "1060"), "readings[0].reading"},
		{"old meter's final below the reading before", withReplacement("5", "990", "0"), "readings[0].replacement.old_final"},
		{"a recorded day read again differently", reading("WC-1", day(2026, time.March, 31), "1001"), "readings[0].reading_date"},
		{"before the connection was made", reading("WC-1", day(2020, time.May, 1), "0"), "readings[0].reading_date"},
		{"finer than a litre", reading("WC-1", april, "1020.0005"), "readings[0].reading"},
		{"negative", reading("WC-1", april, "-1"), "readings[0].reading"},
		{"a flat-rate connection", reading("WC-F", april, "10"), "readings[0].consumer_code"},
		{"an unknown connection", reading("WC-404", april, "10"), "readings[0].consumer_code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{c.reading}, "reader")
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "%v", ve.Violations)
		})
	}

	// The same reading again is a replay. A replaced meter starts again
	// from its initial reading, and the readings after it follow the new
	// meter.
	june := reading("WC-1", day(2026, time.June, 30), "4")
	june.Replacement = &calc.MeterReplacement{OldFinal: amt("1060"), NewInitial: amt("0")}
	n, err := b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{reading("WC-1", day(2026, time.March, 31), "1000"), june}, "reader")
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{reading("WC-1", day(2026, time.July, 31), "3")}, "reader")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve, "the new meter read 4 in June")
	assert.Equal(t, "readings[0].reading", ve.Violations[0].Field)
}

func TestWaterRegisterAndMasterInputIsChecked(t *testing.T) {
	t.Parallel()
	b := setupWater(t)
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property("PT-1", "W01", "B", "100")}, "admin"))
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{metered("WC-1", "residential")}, "admin"))

	cases := []struct {
		name  string
		edit  func(*billing.WaterConnection)
		field string
	}{
		{"metered without a meter", func(c *billing.WaterConnection) { c.MeterNumber = "" }, "connections[0].meter_number"},
		{"unknown kind", func(c *billing.WaterConnection) { c.Kind = "bulk" }, "connections[0].kind"},
		{"no pipe size", func(c *billing.WaterConnection) { c.PipeSizeMM = 0 }, "connections[0].pipe_size_mm"},
		{"cut off before connected", func(c *billing.WaterConnection) { c.DisconnectedOn = day(2019, time.January, 1) }, "connections[0].disconnected_on"},
		{"a property's code", func(c *billing.WaterConnection) { c.ConsumerCode = "PT-1" }, "connections[0].consumer_code"},
		{"serves a property not in the register", func(c *billing.WaterConnection) { c.PropertyCode = "PT-404" }, "connections[0].property_code"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wc := metered("WC-2", "residential")
			c.edit(&wc)
			err := b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{wc}, "admin")
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field, "%v", ve.Violations)
		})
	}
	served := metered("WC-3", "residential")
	served.PropertyCode = "PT-1"
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{served}, "admin"))

	// Codes are unique across registers the other way round too.
	err := b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property("WC-1", "W01", "B", "50")}, "admin")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "properties[0].consumer_code", ve.Violations[0].Field)

	// Masters are checked by the calculator when saved, the class named.
	bad := calc.SampleWaterResidential()
	bad.Slabs[1].UpToKL = bad.Slabs[0].UpToKL
	err = b.billing.SaveMeteredWaterMaster(b.ctx, tenant, 2026, billing.MeteredWaterTariff{ByUsage: map[string]calc.MeteredWaterMaster{"residential": bad}}, "admin")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "master.water_metered.by_usage[residential].slabs[1]", ve.Violations[0].Field)

	// A connection whose usage the year's tariff does not price names it.
	require.NoError(t, b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{metered("WC-9", "industrial")}, "admin"))
	_, err = b.billing.RecordMeterReadings(b.ctx, tenant, []billing.MeterReading{
		reading("WC-9", day(2026, time.March, 31), "0"), reading("WC-9", day(2026, time.April, 30), "5")}, "reader")
	require.NoError(t, err)
	withJobs(t, b)
	failed := runToEnd(t, b, billing.RunRequest{Service: billing.Water, Period: april2026})
	assert.Equal(t, billing.RunFailed, failed.Status, "bad register data fails the run at once, naming it")
	assert.Contains(t, failed.Error, "WC-9.usage")

	// No master for the year, no bill.
	_, err = b.billing.CalculateWaterDemand(b.ctx, tenant, "WC-1", billing.Period{From: day(2027, time.April, 1), To: day(2027, time.April, 30)})
	assert.ErrorIs(t, err, billing.ErrNoRateMaster)
	tied(t, b)
}

// Two registers saving the same new code at once: one wins, the other is
// told the code is taken, never both.
func TestAConsumerCodeIsClaimedOnceAcrossRegisters(t *testing.T) {
	t.Parallel()
	b := setupWater(t)
	for i := range 10 {
		code := fmt.Sprintf("X-%d", i)
		errs := make(chan error, 2)
		go func() {
			errs <- b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property(code, "W01", "B", "10")}, "admin")
		}()
		go func() {
			errs <- b.billing.SaveWaterConnections(b.ctx, tenant, []billing.WaterConnection{metered(code, "residential")}, "admin")
		}()
		first, second := <-errs, <-errs
		require.True(t, (first == nil) != (second == nil), "exactly one save of %s wins: %v, %v", code, first, second)
		var ve *ledger.ValidationError
		require.ErrorAs(t, cmp.Or(first, second), &ve)
		assert.Contains(t, ve.Violations[0].Field, ".consumer_code")
	}
}

// linesOf prints a demand's lines as "HEAD amount, ...".
func linesOf(d billing.Demand) string {
	var parts []string
	for _, l := range d.Lines {
		parts = append(parts, l.Head+" "+l.Amount.StringFixed(2))
	}
	return strings.Join(parts, ", ")
}

// previewed prints a previewed demand's lines as linesOf does.
func previewed(d billing.DemandInput) string {
	var parts []string
	for _, l := range d.Lines {
		parts = append(parts, l.Head+" "+l.Amount.StringFixed(2))
	}
	return strings.Join(parts, ", ")
}
