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
	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
)

// The figures are the Punjab pattern of tariffs.md: a 10 % rebate until 25
// September, a 10 % penalty once the due date has passed, 18 % a year
// simple interest (1.5 % a month) on arrears. The demand is 3,600 tax and
// 180 library cess, due 30 September 2026: penalty 378.00, interest 56.70
// a month.

var istZone = time.FixedZone("IST", 5*3600+1800)

// on is mid-morning of a day in India.
func on(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, istZone) }

// setupCharges is setup with the rebate, penalty and interest heads of
// property tax and the sample late-payment master for 2026-27.
func setupCharges(t *testing.T, edit func(*billing.LatePaymentMaster)) bundle {
	t.Helper()
	b := setup(t)
	for _, h := range []billing.TaxHead{
		{Service: "property_tax", Code: "REBATE", Name: "Rebate for early payment", Category: billing.Rebate, Priority: 60,
			IncomeAccount: "1109004", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "PENALTY", Name: "Penalty on late payment", Category: billing.Penalty, Priority: 20,
			IncomeAccount: "1402010", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
		{Service: "property_tax", Code: "INTEREST", Name: "Interest on late payment", Category: billing.Interest, Priority: 10,
			IncomeAccount: "1718001", ReceivableAccount: "4311001", FundCode: "01", FunctionCode: "9091"},
	} {
		_, err := b.billing.SaveTaxHead(b.ctx, tenant, h, "admin")
		require.NoError(t, err, h.Code)
	}
	m := sampleMaster()
	if edit != nil {
		edit(&m)
	}
	require.NoError(t, b.billing.SaveLatePaymentMaster(b.ctx, tenant, "property_tax", 2026, m, "admin"))
	return b
}

func sampleMaster() billing.LatePaymentMaster {
	penalty, interest := calc.SamplePenaltyPunjab(), calc.SampleInterestPunjab()
	return billing.LatePaymentMaster{
		RebateWindows: calc.SampleRebatePunjab(2026), RebateHead: "REBATE",
		Penalty: &penalty, PenaltyHead: "PENALTY",
		Interest: &interest, InterestHead: "INTEREST",
		BaseCategories: []billing.Category{billing.Tax, billing.Cess},
	}
}

// raiseDue30Sep raises consumer's 2026-27 demand, due 30 September 2026.
func raiseDue30Sep(t *testing.T, b bundle, consumer string) billing.Demand {
	t.Helper()
	d := propertyDemand(consumer, "pt-2026-"+consumer, line("PT", "3600"), line("LIB_CESS", "180"))
	d.DueDate = ledger.Date(2026, time.September, 30)
	ds, err := b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{d})
	require.NoError(t, err)
	return ds[0]
}

// fetch fetches consumer's property-tax bill at when, and checks the
// register still ties to the ledger.
func fetch(t *testing.T, b bundle, consumer string, when time.Time) billing.Bill {
	t.Helper()
	b.clock.Set(when)
	bill, err := b.billing.FetchBill(b.ctx, tenant, "property_tax", consumer, "citizen")
	require.NoError(t, err)
	tied(t, b)
	return bill
}

// charged lists the penalty and interest lines on the bill's demands as
// "HEAD amount through day".
func charged(bill billing.Bill) []string {
	out := []string{}
	for _, d := range bill.Demands {
		for _, l := range d.Lines {
			if !l.ChargedThrough.IsZero() {
				out = append(out, fmt.Sprintf("%s %s through %s", l.Head, l.Amount.StringFixed(2), l.ChargedThrough.Format(time.DateOnly)))
			}
		}
	}
	return out
}

// chargeVouchers counts the vouchers charges have posted.
func chargeVouchers(t *testing.T, b bundle) int {
	t.Helper()
	var n int
	require.NoError(t, db.ReadTenant(b.ctx, b.pool, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(b.ctx, "SELECT count(*) FROM vouchers WHERE idempotency_key LIKE 'charge:%'").Scan(&n)
	}))
	return n
}

// pay takes a payment the way the collections path will: the charges due
// by the payment day first (AccrueCharges in the payment's transaction),
// then the amount against one line of the demand, with its receipt voucher.
func pay(t *testing.T, b bundle, d billing.Demand, head, amount string, when time.Time) {
	t.Helper()
	lineNo := 0
	for _, l := range d.Lines {
		if l.Head == head {
			lineNo = l.LineNo
		}
	}
	require.NotZero(t, lineNo, head)
	day := ledger.Date(when.Year(), when.Month(), when.Day())
	require.NoError(t, db.InTenant(b.ctx, b.pool, tenant, func(tx pgx.Tx) error {
		if _, err := b.billing.AccrueCharges(b.ctx, tx, tenant, d.ConsumerCode, d.Service, when, "cashier"); err != nil {
			return err
		}
		if _, err := tx.Exec(b.ctx, "UPDATE demand_lines SET collected = collected + $1 WHERE tenant_id = $2 AND demand_id = $3 AND line_no = $4",
			amount, tenant, d.ID, lineNo); err != nil {
			return err
		}
		_, err := b.ledger.PostTx(b.ctx, tx, tenant, "cashier", []ledger.Voucher{{Type: ledger.Receipt, Date: day,
			Narration: "counter payment", IdempotencyKey: fmt.Sprintf("pay:%d:%s:%s", d.ID, head, day.Format(time.DateOnly)),
			Lines: []ledger.Line{
				{AccountCode: "4501001", FundCode: "01", FunctionCode: "9091", Debit: amt(amount)},
				{AccountCode: "4311001", FundCode: "01", FunctionCode: "9091", FieldCode: d.Ward, Party: d.ConsumerCode, Credit: amt(amount)},
			}}})
		return err
	}))
	tied(t, b)
}

func TestPenaltyIsPostedOnceTheDueDateHasPassed(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, func(m *billing.LatePaymentMaster) { m.Interest, m.InterestHead = nil, "" })
	d := raiseDue30Sep(t, b, "PT-1")

	bill := fetch(t, b, "PT-1", on(2026, time.September, 30))
	assert.Empty(t, charged(bill), "paying on the due date is paying in time")
	assert.Equal(t, "3780.00", bill.Total.StringFixed(2))

	bill = fetch(t, b, "PT-1", on(2026, time.October, 1))
	assert.Equal(t, []string{"PENALTY 378.00 through 2026-09-30"}, charged(bill))
	assert.Equal(t, "4158.00", bill.Total.StringFixed(2))
	require.Len(t, bill.Demands, 1)
	penalty := bill.Demands[0].Lines[2]
	assert.Equal(t, 3, penalty.LineNo, "appended as the demand's next line")
	v, err := b.ledger.Voucher(b.ctx, tenant, penalty.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"4311001:PT-1": "378.00", "1402010:": "-378.00"}, sumByKey(v))
	assert.Equal(t, "2026-10-01", v.Date.Format(time.DateOnly))
	// The demand as raised is untouched: its total, its lines and their voucher.
	assert.Equal(t, d.Total, bill.Demands[0].Total)
	assert.Equal(t, d.Lines, bill.Demands[0].Lines[:2])
	assert.Equal(t, d.VoucherID, bill.Demands[0].VoucherID)

	again := fetch(t, b, "PT-1", on(2026, time.October, 1).Add(6*time.Hour))
	assert.Equal(t, charged(bill), charged(again), "a second bill the same day posts nothing more")
	assert.Equal(t, "4158.00", again.Total.StringFixed(2))
	later := fetch(t, b, "PT-1", on(2027, time.January, 15))
	assert.Equal(t, charged(bill), charged(later), "the penalty is charged once, however late")
	assert.Equal(t, 1, chargeVouchers(t, b))
}

func TestInterestPostsOnlyTheMonthsNotYetCharged(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	raiseDue30Sep(t, b, "PT-1")

	bill := fetch(t, b, "PT-1", on(2026, time.October, 1))
	assert.Equal(t, []string{
		"PENALTY 378.00 through 2026-09-30",
		"INTEREST 56.70 through 2026-10-31",
	}, charged(bill), "1 October starts month 1")

	bill = fetch(t, b, "PT-1", on(2026, time.October, 31))
	assert.Len(t, charged(bill), 2, "31 October is still month 1")

	// Three months later, months 2 to 4 have started (1 November, 1
	// December, 1 January): only they are posted.
	bill = fetch(t, b, "PT-1", on(2027, time.January, 1))
	assert.Equal(t, []string{
		"PENALTY 378.00 through 2026-09-30",
		"INTEREST 56.70 through 2026-10-31",
		"INTEREST 170.10 through 2027-01-31",
	}, charged(bill))
	interest := bill.Demands[0].Lines[4]
	v, err := b.ledger.Voucher(b.ctx, tenant, interest.VoucherID)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"4311001:PT-1": "170.10", "1718001:": "-170.10"}, sumByKey(v))
	assert.Contains(t, v.Narration, "months 2 to 4")

	bill = fetch(t, b, "PT-1", on(2027, time.January, 31))
	assert.Len(t, charged(bill), 3, "31 January is still month 4")
	bill = fetch(t, b, "PT-1", on(2027, time.February, 1))
	assert.Equal(t, "INTEREST 56.70 through 2027-02-28", charged(bill)[3])

	// In steps or at once, the interest is the same: five months on 3,780.
	once, err := calc.Interest(calc.Arrear{Amount: amt("3780"), DueDate: ledger.Date(2026, time.September, 30)},
		calc.SampleInterestPunjab(), ledger.Date(2027, time.February, 1))
	require.NoError(t, err)
	assert.Equal(t, "283.50", once[0].Amount.StringFixed(2))
	assert.Equal(t, "4441.50", bill.Total.StringFixed(2)) // 3780 + 378 + 283.50
	assert.Equal(t, 4, chargeVouchers(t, b))
}

// Charges are worked out on what is unpaid of the tax and cess when they
// are charged. A payment is taken after the charges due by its day, so each
// month started while an amount was unpaid is charged on it, and later
// months on what is left.
func TestPartialPaymentReducesTheBaseOfLaterCharges(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	d := raiseDue30Sep(t, b, "PT-1")

	pay(t, b, d, "PT", "1000", on(2026, time.September, 20))
	bill := fetch(t, b, "PT-1", on(2026, time.October, 1))
	assert.Equal(t, []string{
		"PENALTY 278.00 through 2026-09-30",
		"INTEREST 41.70 through 2026-10-31",
	}, charged(bill), "10 % and 1.5 % of the 2,780 unpaid after the due date")

	// Paid on 15 November: month 2 had started on 2,780 and is charged on it.
	pay(t, b, d, "PT", "780", on(2026, time.November, 15))
	bill = fetch(t, b, "PT-1", on(2026, time.December, 1))
	assert.Equal(t, []string{
		"PENALTY 278.00 through 2026-09-30",
		"INTEREST 41.70 through 2026-10-31",
		"INTEREST 41.70 through 2026-11-30",
		"INTEREST 30.00 through 2026-12-31",
	}, charged(bill), "month 3 is charged on the 2,000 left")
	assert.Equal(t, "2391.40", bill.Total.StringFixed(2)) // 1820 + 180 + 278 + 113.40
}

func TestRebateIsShownWithinTheWindowAndNeverPostedByTheBill(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	// An arrear of 2025-26, a year with no late-payment master: it earns no
	// rebate and bears no charges.
	_, err := b.ledger.OpenFiscalYear(b.ctx, tenant, 2025, "admin")
	require.NoError(t, err)
	old := billing.DemandInput{Service: "property_tax", ConsumerCode: "PT-1", Ward: "W07",
		PeriodFrom: ledger.Date(2025, time.April, 1), PeriodTo: ledger.Date(2026, time.March, 31),
		Date: ledger.Date(2025, time.April, 1), DueDate: ledger.Date(2025, time.September, 30),
		IdempotencyKey: "pt-2025-PT-1", Lines: []billing.DemandLineInput{line("PT", "3000")}}
	_, err = b.billing.PostDemands(b.ctx, tenant, "run", billing.FromRun, []billing.DemandInput{old})
	require.NoError(t, err)
	raiseDue30Sep(t, b, "PT-1")

	bill := fetch(t, b, "PT-1", on(2026, time.September, 25))
	require.Len(t, bill.Rebates, 1)
	assert.Equal(t, "REBATE", bill.Rebates[0].Head)
	assert.Equal(t, "-378.00", bill.Rebates[0].Amount.StringFixed(2), "10 % of this year's 3,780, not of the arrear")
	assert.Equal(t, "2026-09-25", bill.RebateIfPaidBy.Format(time.DateOnly))
	assert.Equal(t, "6780.00", bill.Total.StringFixed(2))
	assert.Equal(t, "6402.00", bill.Payable.StringFixed(2))
	assert.Empty(t, charged(bill))
	assert.Zero(t, chargeVouchers(t, b), "the bill posts no rebate")

	bill = fetch(t, b, "PT-1", on(2026, time.September, 26))
	assert.Empty(t, bill.Rebates, "the window closed on 25 September")
	assert.True(t, bill.RebateIfPaidBy.IsZero())
	assert.Equal(t, bill.Total, bill.Payable)

	// The payment path asks the same question inside its transaction.
	require.NoError(t, db.InTenant(b.ctx, b.pool, tenant, func(tx pgx.Tx) error {
		in, err := b.billing.RebateDue(b.ctx, tx, tenant, "PT-1", "property_tax", on(2026, time.September, 25))
		require.NoError(t, err)
		require.Len(t, in, 1)
		assert.Equal(t, "-378.00", in[0].Amount.StringFixed(2))
		late, err := b.billing.RebateDue(b.ctx, tx, tenant, "PT-1", "property_tax", on(2026, time.September, 26))
		require.NoError(t, err)
		assert.Empty(t, late)
		return nil
	}))
}

func TestConcurrentBillsPostChargesOnce(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	raiseDue30Sep(t, b, "PT-1")
	b.clock.Set(on(2026, time.October, 1))

	const n = 6
	var wg sync.WaitGroup
	start := make(chan struct{})
	totals := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			bill, err := b.billing.FetchBill(b.ctx, tenant, "property_tax", "PT-1", "citizen")
			totals[i], errs[i] = bill.Total.StringFixed(2), err
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "bill %d", i)
		assert.Equal(t, "4214.70", totals[i], "bill %d: 3780 + 378 + 56.70", i)
	}
	assert.Equal(t, 2, chargeVouchers(t, b), "one penalty and one month of interest")
	bill := fetch(t, b, "PT-1", on(2026, time.October, 1))
	assert.Len(t, charged(bill), 2)
}

func TestLatePaymentMasterIsCheckedWhenSaved(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	cases := []struct {
		name  string
		edit  func(*billing.LatePaymentMaster)
		field string
	}{
		{"interest on interest", func(m *billing.LatePaymentMaster) {
			m.BaseCategories = append(m.BaseCategories, billing.Interest)
		}, "master.base_categories[2]"},
		{"no base", func(m *billing.LatePaymentMaster) { m.BaseCategories = nil }, "master.base_categories"},
		{"penalty under the interest head", func(m *billing.LatePaymentMaster) { m.PenaltyHead = "INTEREST" }, "master.penalty_head"},
		{"interest under a head the service lacks", func(m *billing.LatePaymentMaster) { m.InterestHead = "LATE_FEE" }, "master.interest_head"},
		{"penalty with no head", func(m *billing.LatePaymentMaster) { m.PenaltyHead = "" }, "master.penalty_head"},
		{"penalty over 100 percent", func(m *billing.LatePaymentMaster) { m.Penalty.Percent = amt("110") }, "master.penalty.percent"},
		{"interest per day", func(m *billing.LatePaymentMaster) { m.Interest.Per = "day" }, "master.interest.per"},
		{"interest naming its own head", func(m *billing.LatePaymentMaster) { m.Interest.Head = "PENALTY" }, "master.interest.head"},
		{"rebate window in another year", func(m *billing.LatePaymentMaster) {
			m.RebateWindows = calc.SampleRebatePunjab(2027)
		}, "master.rebate_windows[0].last_day"},
		{"rebate head without windows", func(m *billing.LatePaymentMaster) { m.RebateWindows = nil }, "master.rebate_head"},
		{"nothing to charge", func(m *billing.LatePaymentMaster) {
			*m = billing.LatePaymentMaster{BaseCategories: []billing.Category{billing.Tax}}
		}, "master"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := sampleMaster()
			penalty, interest := *m.Penalty, *m.Interest
			m.Penalty, m.Interest = &penalty, &interest
			c.edit(&m)
			err := b.billing.SaveLatePaymentMaster(b.ctx, tenant, "property_tax", 2026, m, "admin")
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			fields := make([]string, len(ve.Violations))
			for i, v := range ve.Violations {
				fields[i] = v.Field
			}
			assert.Contains(t, fields, c.field, "%v", ve.Violations)
		})
	}
	err := b.billing.SaveLatePaymentMaster(b.ctx, tenant, "water", 2026, sampleMaster(), "admin")
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "service", ve.Violations[0].Field, "a service with no heads")
}

// A year's late-payment master sits beside its tariff: saving the tariff
// (of either property-tax method) keeps it, and a calculation or a run
// reads the tariff, not it. Saved as a rate master, its fields are named
// under its method.
func TestLatePaymentMasterSitsBesideTheTariff(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, calc.SampleUnitAreaMaster(), "admin"))
	require.NoError(t, b.billing.SaveARVMaster(b.ctx, tenant, 2026, calc.SampleARVMaster(), "admin"))
	ms, err := b.billing.RateMasters(b.ctx, tenant, billing.PropertyTax, 2026)
	require.NoError(t, err)
	methods := make([]string, len(ms))
	for i, m := range ms {
		methods[i] = m.Method
	}
	assert.Equal(t, []string{billing.MethodARV, billing.MethodLatePayment}, methods, "the ARV master dropped the unit-area one only")
	assert.Equal(t, sampleMaster().RebateWindows[0].Percent.String(), ms[1].LatePayment.RebateWindows[0].Percent.String())

	p := property("PT-1", "W01", "2", "100")
	p.Units[0].Occupancy = "owner_occupied"
	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{p}, "admin"))
	_, err = b.billing.CalculatePropertyDemand(b.ctx, tenant, "PT-1", 2026)
	require.NoError(t, err)

	m := sampleMaster()
	m.PenaltyHead = "PT"
	method, err := b.billing.SaveRateMaster(b.ctx, tenant, billing.RateMaster{Service: billing.PropertyTax, FiscalYear: 2026, LatePayment: &m}, "admin")
	assert.Equal(t, billing.MethodLatePayment, method)
	var ve *ledger.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "master.late_payment.penalty_head", ve.Violations[0].Field)
}

// The database itself keeps a charge to one line, whatever the caller.
func TestTheSchemaKeepsAChargeToOneLine(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, func(m *billing.LatePaymentMaster) { m.Interest, m.InterestHead = nil, "" })
	raiseDue30Sep(t, b, "PT-1")
	bill := fetch(t, b, "PT-1", on(2026, time.October, 1))
	penalty := bill.Demands[0].Lines[2]
	insert := func(chargedThrough any, voucher any) error {
		return db.InTenant(b.ctx, b.pool, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(b.ctx, `INSERT INTO demand_lines (tenant_id, demand_id, line_no, head_code, amount, charged_through, voucher_id)
				VALUES ($1, $2, 9, 'PENALTY', 378, $3, $4)`, tenant, bill.Demands[0].ID, chargedThrough, voucher)
			return err
		})
	}
	err := insert(penalty.ChargedThrough, penalty.VoucherID)
	assert.Equal(t, "demand_lines_charge_once", db.UniqueViolation(err), "%v", err)
	assert.ErrorContains(t, insert(ledger.Date(2026, time.October, 2), nil), "demand_lines_charge_has_voucher")
	assert.Error(t, insert(ledger.Date(2026, time.October, 2), int64(999999)), "a voucher that does not exist")
}

// The year's late-payment master is kept beside its tariff but is not one:
// a property-tax run reads past it, and saving the tariff again leaves it
// in place, so a late bill still bears the penalty.
func TestLatePaymentMasterIsNotATariff(t *testing.T) {
	t.Parallel()
	b := setupCharges(t, nil)
	m := calc.SampleUnitAreaMaster()
	m.RoundToRupee = true
	require.NoError(t, b.billing.SaveUnitAreaMaster(b.ctx, tenant, 2026, m, "admin"))
	ms, err := b.billing.RateMasters(b.ctx, tenant, billing.PropertyTax, 2026)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	assert.Equal(t, []string{billing.MethodLatePayment, billing.MethodUnitArea}, []string{ms[0].Method, ms[1].Method})

	require.NoError(t, b.billing.SaveProperties(b.ctx, tenant, []billing.Property{property("PT-1", "W01", "B", "100")}, "admin"))
	withJobs(t, b)
	got := runToEnd(t, b, billing.RunRequest{Service: billing.PropertyTax, FiscalYear: 2026})
	require.Equal(t, billing.RunDone, got.Status, got.Error)
	assert.Equal(t, "3600.00", got.Total.StringFixed(2))

	bill := fetch(t, b, "PT-1", on(2026, time.October, 5))
	assert.Contains(t, charged(bill), "PENALTY 360.00 through 2026-09-30")
}
