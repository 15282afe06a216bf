package calc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func TestPenalty(t *testing.T) {
	t.Parallel()

	arrear := calc.Arrear{Amount: dec("3600"), DueDate: date("2025-09-25")}
	for _, tc := range []struct {
		name string
		asOf time.Time
		want []string
	}{
		{"none on the due date", date("2025-09-25"), []string{}},
		{"charged the day after the due date", date("2025-09-26"), []string{"PENALTY=360.00"}},
		{"charged once, however late", date("2027-03-31"), []string{"PENALTY=360.00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, err := calc.Penalty(arrear, calc.SamplePenaltyPunjab(), tc.asOf)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
		})
	}
}

func TestInterest(t *testing.T) {
	t.Parallel()

	monthly := calc.SampleInterestBengaluru() // 2 % a month
	for _, tc := range []struct {
		name   string
		arrear calc.Arrear
		rule   calc.InterestRule
		asOf   time.Time
		want   []string
	}{
		{"none on the due date", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2025-06-30"), []string{}},
		{"the first day after the due date starts month 1", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2025-07-01"), []string{"INTEREST=200.00"}},
		{"a month-end due date's month runs to the next month-end", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2025-07-31"), []string{"INTEREST=200.00"}},
		{"the day after starts month 2", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2025-08-01"), []string{"INTEREST=400.00"}},
		{"mid-month due date: the anniversary ends month 1", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-15")}, monthly, date("2025-07-15"), []string{"INTEREST=200.00"}},
		{"mid-month due date: the day after the anniversary starts month 2", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-15")}, monthly, date("2025-07-16"), []string{"INTEREST=400.00"}},
		{"31 January's month ends on 28 February, not in March", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-01-31")}, monthly, date("2025-02-28"), []string{"INTEREST=200.00"}},
		{"and 1 March starts month 2", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-01-31")}, monthly, date("2025-03-01"), []string{"INTEREST=400.00"}},
		{"leap year: 29 February ends month 1", calc.Arrear{Amount: dec("10000"), DueDate: date("2024-01-31")}, monthly, date("2024-02-29"), []string{"INTEREST=200.00"}},
		{"a year after is 12 months", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2026-06-30"), []string{"INTEREST=2400.00"}},
		{"a year and a day after is 13 months", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-06-30")}, monthly, date("2026-07-01"), []string{"INTEREST=2600.00"}},
		{"18 percent a year is 1.5 percent a month", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-09-25")}, calc.SampleInterestPunjab(), date("2025-12-25"), []string{"INTEREST=450.00"}},
		{"a yearly rate is divided last, then rounded once", calc.Arrear{Amount: dec("333.33"), DueDate: date("2025-09-25")}, calc.SampleInterestPunjab(), date("2025-10-01"), []string{"INTEREST=5.00"}}, // 4.99995
		{"Andhra books the monthly charge as penalty", calc.Arrear{Amount: dec("10000"), DueDate: date("2025-09-30")}, calc.SampleInterestAndhra(), date("2025-10-01"), []string{"PENALTY=200.00"}},
		{"no interest on a nil arrear", calc.Arrear{Amount: dec("0"), DueDate: date("2025-06-30")}, monthly, date("2026-06-30"), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, err := calc.Interest(tc.arrear, tc.rule, tc.asOf)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
		})
	}
}

func TestArrearsReject(t *testing.T) {
	t.Parallel()

	good := calc.Arrear{Amount: dec("100"), DueDate: date("2025-06-30")}
	asOf := date("2025-08-01")
	for _, tc := range []struct {
		name  string
		run   func() ([]calc.Line, error)
		field string
	}{
		{"negative arrear", func() ([]calc.Line, error) {
			return calc.Penalty(calc.Arrear{Amount: dec("-1"), DueDate: good.DueDate}, calc.SamplePenaltyPunjab(), asOf)
		}, "arrear.amount"},
		{"no due date", func() ([]calc.Line, error) {
			return calc.Interest(calc.Arrear{Amount: good.Amount}, calc.SampleInterestPunjab(), asOf)
		}, "arrear.due_date"},
		{"penalty over 100 percent", func() ([]calc.Line, error) {
			return calc.Penalty(good, calc.PenaltyRule{Percent: dec("101")}, asOf)
		}, "master.penalty.percent"},
		{"interest with no period", func() ([]calc.Line, error) {
			return calc.Interest(good, calc.InterestRule{Percent: dec("2")}, asOf)
		}, "master.interest.per"},
		{"negative interest", func() ([]calc.Line, error) {
			return calc.Interest(good, calc.InterestRule{Percent: dec("-2"), Per: calc.PerMonth}, asOf)
		}, "master.interest.percent"},
		{"no as-of date", func() ([]calc.Line, error) {
			return calc.Interest(good, calc.SampleInterestBengaluru(), time.Time{})
		}, "as_of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.run()
			requireInputError(t, err, tc.field)
		})
	}
}

// Charging interest in steps comes to what charging it at once would, when
// the arrear is unchanged: each step charges only the months started since
// the last, and says how far the charged months now run.
func TestInterestSinceChargesOnlyNewMonths(t *testing.T) {
	t.Parallel()

	arrear := calc.Arrear{Amount: dec("3780"), DueDate: date("2026-09-30")}
	rule := calc.SampleInterestPunjab() // 1.5 % a month: 56.70 a month on 3780
	for _, tc := range []struct {
		name        string
		charged     time.Time
		asOf        time.Time
		want        []string
		wantThrough string
	}{
		{"nothing charged before: month 1", time.Time{}, date("2026-10-01"), []string{"INTEREST=56.70"}, "2026-10-31"},
		{"nothing charged before: months 1 to 3", time.Time{}, date("2026-12-31"), []string{"INTEREST=170.10"}, "2026-12-31"},
		{"month 1 charged, still month 1", date("2026-10-31"), date("2026-10-31"), []string{}, ""},
		{"month 1 charged, months 2 and 3 started", date("2026-10-31"), date("2026-12-31"), []string{"INTEREST=113.40"}, "2026-12-31"},
		{"months 1 to 3 charged, 1 January starts month 4", date("2026-12-31"), date("2027-01-01"), []string{"INTEREST=56.70"}, "2027-01-31"},
		{"an as-of before the months charged adds nothing", date("2026-12-31"), date("2026-11-15"), []string{}, ""},
		{"none on the due date", time.Time{}, date("2026-09-30"), []string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, through, err := calc.InterestSince(arrear, rule, tc.charged, tc.asOf)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
			if tc.wantThrough == "" {
				require.True(t, through.IsZero(), "through %v", through)
			} else {
				require.Equal(t, tc.wantThrough, through.Format(time.DateOnly))
			}
		})
	}

	// Month by month, the steps add up to the single charge.
	var charged time.Time
	total := dec("0")
	for d := date("2026-10-01"); !d.After(date("2027-03-31")); d = d.AddDate(0, 0, 1) {
		lines, through, err := calc.InterestSince(arrear, rule, charged, d)
		require.NoError(t, err)
		for _, l := range lines {
			total = total.Add(l.Amount)
			charged = through
		}
	}
	once, err := calc.Interest(arrear, rule, date("2027-03-31"))
	require.NoError(t, err)
	require.Equal(t, []string{"INTEREST=" + total.StringFixed(2)}, heads(t, once))
}

func TestRulesValidate(t *testing.T) {
	t.Parallel()

	requireInputError(t, calc.PenaltyRule{Percent: dec("100.5")}.Validate(), "master.penalty.percent")
	requireInputError(t, calc.InterestRule{Percent: dec("2"), Per: "day"}.Validate(), "master.interest.per")
	requireInputError(t, calc.ValidateRebateWindows([]calc.RebateWindow{
		{LastDay: date("2026-06-30"), Percent: dec("15")}, {Percent: dec("5")},
	}), "master.rebate_windows[1].last_day")
	require.NoError(t, calc.SamplePenaltyPunjab().Validate())
	require.NoError(t, calc.SampleInterestPunjab().Validate())
	require.NoError(t, calc.ValidateRebateWindows(calc.SampleRebatePunjab(2026)))
}
