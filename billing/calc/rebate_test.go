package calc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func TestRebate(t *testing.T) {
	t.Parallel()

	ist := time.FixedZone("IST", 5*3600+1800)
	tiers := []calc.RebateWindow{
		{LastDay: date("2025-12-26"), Percent: dec("10")},
		{LastDay: date("2025-06-30"), Percent: dec("15")},
	}
	for _, tc := range []struct {
		name    string
		windows []calc.RebateWindow
		paidOn  time.Time
		want    []string
	}{
		{"paid early in the window earns it", calc.SampleRebateDelhi(2025), date("2025-04-01"), []string{"REBATE=540.00"}},
		{"paid on the window's last day earns it", calc.SampleRebateDelhi(2025), date("2025-06-30"), []string{"REBATE=540.00"}},
		{"paid the day after the window earns none", calc.SampleRebateDelhi(2025), date("2025-07-01"), []string{}},
		{
			"late evening of the last day in the tenant's zone is still that day",
			calc.SampleRebateDelhi(2025), time.Date(2025, 6, 30, 23, 59, 0, 0, ist), []string{"REBATE=540.00"},
		},
		{"5 percent if paid by 30 April", calc.SampleRebateBengaluru(2025), date("2025-04-30"), []string{"REBATE=180.00"}},
		{"none on 1 May", calc.SampleRebateBengaluru(2025), date("2025-05-01"), []string{}},
		{"10 percent until 25 September", calc.SampleRebatePunjab(2025), date("2025-09-25"), []string{"REBATE=360.00"}},
		{"of several open windows the largest applies", tiers, date("2025-06-01"), []string{"REBATE=540.00"}},
		{"a later tier applies once the first has closed", tiers, date("2025-07-01"), []string{"REBATE=360.00"}},
		{"no windows means no rebate", nil, date("2025-04-01"), []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lines, err := calc.Rebate(dec("3600"), tc.windows, tc.paidOn)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
		})
	}
}

func TestRebateRejects(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name    string
		base    string
		windows []calc.RebateWindow
		paidOn  time.Time
		field   string
	}{
		{"negative base", "-1", calc.SampleRebateDelhi(2025), date("2025-04-01"), "base"},
		{"no payment date", "3600", calc.SampleRebateDelhi(2025), time.Time{}, "paid_on"},
		{"window with no last day", "3600", []calc.RebateWindow{{Percent: dec("5")}}, date("2025-04-01"), "master.rebate_windows[0].last_day"},
		{"percentage over 100", "3600", []calc.RebateWindow{{LastDay: date("2025-06-30"), Percent: dec("150")}}, date("2025-04-01"), "master.rebate_windows[0].percent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := calc.Rebate(dec(tc.base), tc.windows, tc.paidOn)
			requireInputError(t, err, tc.field)
		})
	}
}
