package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every account is placed by its major head: the schedule it is explained
// in and the side of the statement it lands on.
func TestClassifyPlacesAccountsByMajorHead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rule, code, schedule string
		side                 Side
	}{
		{"the municipal fund is the first liability schedule", "3101001", "B-1", Liabilities},
		{"the surplus head belongs to the municipal fund", "3109000", "B-1", Liabilities},
		{"specific-purpose grants are liabilities", "3201001", "B-4", Liabilities},
		{"advance collections are other liabilities", "3504101", "B-9", Liabilities},
		{"accumulated depreciation is a contra asset", "4112001", "B-12", Assets},
		{"receivables are sundry debtors", "4311001", "B-17", Assets},
		{"provisions against debtors are a contra asset", "4321000", "B-18", Assets},
		{"cash and bank is B-20, as DESIGN numbers it", "4502101", "B-20", Assets},
		{"miscellaneous expenditure is the last asset", "4800000", "B-24", Assets},
		{"property tax is tax revenue", "1100101", "I-1", Income},
		{"a rebate stays in tax revenue", "1109004", "I-1", Income},
		{"interest earned has a schedule of its own", "1710000", "I-8", Income},
		{"salaries are establishment", "2101001", "I-10", Expenditure},
		{"depreciation", "2722000", "I-18", Expenditure},
		{"prior period items", "2802000", "I-19", Expenditure},
		{"transfer to reserves is the last", "2900000", "I-20", Expenditure},
		{"a major head alone", "450", "B-20", Assets},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			h, err := classify(c.code)
			require.NoError(t, err)
			assert.Equal(t, c.schedule, h.Schedule)
			assert.Equal(t, c.side, h.Side)
		})
	}
	for _, bad := range []string{"", "45", "9990001", "5000000"} {
		_, err := classify(bad)
		assert.Error(t, err, bad)
	}
}

// The schedules follow the chart: one per major head, numbered in order,
// income and expenditure by first digit, and every NMAM major head placed.
func TestScheduleTableFollowsTheChart(t *testing.T) {
	t.Parallel()
	sides := map[byte]Side{'1': Income, '2': Expenditure, '3': Liabilities, '4': Assets}
	seen := map[string]bool{}
	for _, h := range heads {
		assert.Equal(t, sides[h.Major[0]], h.Side, h.Major)
		assert.False(t, seen[h.Schedule], "schedule %s twice", h.Schedule)
		seen[h.Schedule] = true
	}
	assert.Len(t, heads, 44, "the 44 major heads of the NMAM chart")
}

// Every balance-sheet head but cash and bank has one place in the cash
// flow, or the groups would not add up to the change in cash.
func TestCashFlowPlacesEveryBalanceSheetHeadOnce(t *testing.T) {
	t.Parallel()
	placed := map[string]int{}
	for _, fl := range flowLines {
		for _, m := range fl.major {
			placed[m]++
		}
	}
	for _, h := range heads {
		want := 1
		if h.Side == Income || h.Side == Expenditure || h.Major == cashHead {
			want = 0
		}
		assert.Equal(t, want, placed[h.Major], h.Major)
	}
}
