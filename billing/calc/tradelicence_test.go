package calc_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func tradeMaster(opts ...func(*calc.TradeMaster)) calc.TradeMaster {
	m := calc.SampleTradeMaster()
	for _, o := range opts {
		o(&m)
	}
	return m
}

// newLicence is a new licence for the units, for a trade that commenced on
// 1 April 2025.
func newLicence(units ...calc.TradeUnit) calc.TradeLicence {
	return calc.TradeLicence{Kind: calc.LicenceNew, Units: units, Commenced: date("2025-04-01")}
}

// renewal is a renewal of a licence that expires on 31 March 2026.
func renewal(units ...calc.TradeUnit) calc.TradeLicence {
	return calc.TradeLicence{Kind: calc.LicenceRenewal, Units: units, Expires: date("2026-03-31")}
}

var (
	small10  = calc.TradeUnit{Trade: "bakery_small", Size: 10}
	small20  = calc.TradeUnit{Trade: "bakery_small", Size: 20}
	small21  = calc.TradeUnit{Trade: "bakery_small", Size: 21}
	small30  = calc.TradeUnit{Trade: "bakery_small", Size: 30}
	medium40 = calc.TradeUnit{Trade: "bakery_medium", Size: 40}
)

func TestTradeLicenceFee(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name      string
		licence   calc.TradeLicence
		master    calc.TradeMaster
		appliedOn time.Time
		want      []string
		basis     string // a fragment of the last line's working
	}{
		// Fees by category, size band and kind.
		{name: "small bakery of 20 workers, new", licence: newLicence(small20), appliedOn: date("2025-04-01"), want: []string{"TL_FEE=2500.00"}, basis: "bakery_small size 20 (band 1-20) new 2500.00"},
		{name: "small bakery of 21 workers is in the next band", licence: newLicence(small21), appliedOn: date("2025-04-01"), want: []string{"TL_FEE=3000.00"}, basis: "(band 21-30)"},
		{name: "small bakery of 20 workers, renewal", licence: renewal(small20), appliedOn: date("2026-02-01"), want: []string{"TL_FEE=2000.00"}},
		{name: "small bakery of 30 workers, renewal", licence: renewal(small30), appliedOn: date("2026-02-01"), want: []string{"TL_FEE=2500.00"}},
		{name: "medium bakery at any size, new", licence: newLicence(medium40), appliedOn: date("2025-04-01"), want: []string{"TL_FEE=5000.00"}, basis: "(band 1+)"},
		{name: "medium bakery renewal", licence: renewal(medium40), appliedOn: date("2026-02-01"), want: []string{"TL_FEE=4500.00"}},

		// Combining trade units.
		{name: "units combine by sum", licence: newLicence(small10, medium40), appliedOn: date("2025-04-01"), want: []string{"TL_FEE=7500.00"}, basis: "sum = 7500.00"},
		{
			name: "units combine by max", licence: newLicence(small10, medium40), appliedOn: date("2025-04-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine = calc.CombineMax }), want: []string{"TL_FEE=5000.00"},
		},
		{
			name: "units combine by average", licence: newLicence(small10, medium40), appliedOn: date("2025-04-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine = calc.CombineAverage }), want: []string{"TL_FEE=3750.00"},
		},
		{
			name: "an average is rounded to the paisa", licence: newLicence(small10, small20, small21), appliedOn: date("2025-04-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine = calc.CombineAverage }), want: []string{"TL_FEE=2666.67"}, // 8000 / 3
		},
		{
			name: "an empty combine rule sums", licence: newLicence(small10, medium40), appliedOn: date("2025-04-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine = "" }), want: []string{"TL_FEE=7500.00"},
		},

		// New licence, commenced 1 April 2025: 0 % up to 60 days late, 25 % to 120, 50 % beyond.
		{name: "new: applied before commencing is not late", licence: newLicence(small10), appliedOn: date("2025-03-01"), want: []string{"TL_FEE=2500.00"}},
		{name: "new: 60 days late is still free of penalty", licence: newLicence(small10), appliedOn: date("2025-05-31"), want: []string{"TL_FEE=2500.00"}},
		{name: "new: 61 days late pays 25 percent", licence: newLicence(small10), appliedOn: date("2025-06-01"), want: []string{"TL_FEE=2500.00", "TL_PENALTY=625.00"}, basis: "61 day(s) after commencement on 2025-04-01: 25% of 2500.00 = 625.00"},
		{name: "new: 120 days late still pays 25 percent", licence: newLicence(small10), appliedOn: date("2025-07-30"), want: []string{"TL_FEE=2500.00", "TL_PENALTY=625.00"}},
		{name: "new: 121 days late pays 50 percent", licence: newLicence(small10), appliedOn: date("2025-07-31"), want: []string{"TL_FEE=2500.00", "TL_PENALTY=1250.00"}},
		{name: "new: the penalty is on the combined fee", licence: newLicence(small10, medium40), appliedOn: date("2025-07-31"), want: []string{"TL_FEE=7500.00", "TL_PENALTY=3750.00"}},

		// Renewal, expiring 31 March 2026: 0 % up to 30 days before expiry, 25 % until expiry, 50 % after.
		{name: "renewal: applied exactly 30 days before expiry is on time", licence: renewal(small10), appliedOn: date("2026-03-01"), want: []string{"TL_FEE=2000.00"}},
		{name: "renewal: 29 days before expiry has missed the window, 25 percent", licence: renewal(small10), appliedOn: date("2026-03-02"), want: []string{"TL_FEE=2000.00", "TL_PENALTY=500.00"}, basis: "29 day(s) before expiry on 2026-03-31: 25%"},
		{name: "renewal: on the expiry day still 25 percent", licence: renewal(small10), appliedOn: date("2026-03-31"), want: []string{"TL_FEE=2000.00", "TL_PENALTY=500.00"}, basis: "on the expiry day"},
		{name: "renewal: the day after expiry pays 50 percent", licence: renewal(small10), appliedOn: date("2026-04-01"), want: []string{"TL_FEE=2000.00", "TL_PENALTY=1000.00"}, basis: "1 day(s) after expiry"},
		{name: "renewal: long after expiry still 50 percent", licence: renewal(small10), appliedOn: date("2027-01-01"), want: []string{"TL_FEE=2000.00", "TL_PENALTY=1000.00"}},
		{
			name: "no late bands, no penalty", licence: renewal(small10), appliedOn: date("2027-01-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.RenewalLateBands = nil }), want: []string{"TL_FEE=2000.00"},
		},
		{
			name: "rounded to the rupee", licence: newLicence(small10, small20, small21), appliedOn: date("2025-04-01"),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine, m.RoundToRupee = calc.CombineAverage, true }),
			want:   []string{"TL_FEE=2666.67", "ROUNDOFF=0.33"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.Fees == nil {
				m = calc.SampleTradeMaster()
			}
			lines, err := calc.TradeLicenceFee(tc.licence, m, tc.appliedOn)
			require.NoError(t, err)
			require.Equal(t, tc.want, heads(t, lines))
			require.Contains(t, lines[len(lines)-1].Basis, tc.basis)
		})
	}
}

func TestTradeLicenceFeeRejects(t *testing.T) {
	t.Parallel()

	applied := date("2025-04-01")
	for _, tc := range []struct {
		name      string
		licence   calc.TradeLicence
		master    calc.TradeMaster
		appliedOn time.Time
		field     string
	}{
		{name: "trade not in the master", licence: newLicence(calc.TradeUnit{Trade: "brewery", Size: 5}), field: "licence.units[0].trade"},
		{name: "size zero", licence: newLicence(calc.TradeUnit{Trade: "bakery_small"}), field: "licence.units[0].size"},
		{name: "small bakery beyond its last band", licence: newLicence(calc.TradeUnit{Trade: "bakery_small", Size: 31}), field: "licence.units[0].size"},
		{name: "no units", licence: newLicence(), field: "licence.units"},
		{name: "no kind", licence: calc.TradeLicence{Units: []calc.TradeUnit{small10}}, field: "licence.kind"},
		{name: "new licence without commencement", licence: calc.TradeLicence{Kind: calc.LicenceNew, Units: []calc.TradeUnit{small10}}, field: "licence.commenced"},
		{name: "renewal without expiry", licence: calc.TradeLicence{Kind: calc.LicenceRenewal, Units: []calc.TradeUnit{small10}}, field: "licence.expires"},
		{name: "no application date", licence: newLicence(small10), appliedOn: time.Time{}, field: "applied_on"},
		{
			name: "master with an unknown combine rule", licence: newLicence(small10),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Combine = "median" }), field: "master.combine",
		},
		{
			name: "master late bands out of order", licence: newLicence(small10),
			master: tradeMaster(func(m *calc.TradeMaster) { m.NewLateBands[1].UpToDays = ptr(30) }), field: "master.new_late_bands[1]",
		},
		{
			name: "master fee band with no worker in it", licence: newLicence(small10),
			master: tradeMaster(func(m *calc.TradeMaster) { m.Fees["bakery_small"][0].UpToSize = ptr(0) }), field: "master.fees[bakery_small][0]",
		},
		{
			name: "lateness beyond a bounded last band", licence: newLicence(small10), appliedOn: date("2026-04-02"), // 366 days
			master: tradeMaster(func(m *calc.TradeMaster) { m.NewLateBands[2].UpToDays = ptr(365) }), field: "applied_on",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := tc.master
			if m.Fees == nil {
				m = calc.SampleTradeMaster()
			}
			appliedOn := tc.appliedOn
			if appliedOn.IsZero() && tc.field != "applied_on" {
				appliedOn = applied
			}
			_, err := calc.TradeLicenceFee(tc.licence, m, appliedOn)
			requireInputError(t, err, tc.field)
		})
	}
}
