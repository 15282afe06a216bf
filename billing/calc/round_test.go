package calc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func TestRounding(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		name       string
		in         string
		paise, rup string
	}{
		{"half a paisa rounds up", "2.345", "2.35", "2"},
		{"under half a paisa rounds down", "2.3449", "2.34", "2"},
		{"half a rupee rounds up", "3599.50", "3599.50", "3600"},
		{"under half a rupee rounds down", "3599.49", "3599.49", "3599"},
		{"exact amounts are kept", "3600", "3600", "3600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.True(t, dec(tc.paise).Equal(calc.RoundPaise(dec(tc.in))), "paise: %s", calc.RoundPaise(dec(tc.in)))
			require.True(t, dec(tc.rup).Equal(calc.RoundRupee(dec(tc.in))), "rupee: %s", calc.RoundRupee(dec(tc.in)))
		})
	}
}

func TestWithRoundOff(t *testing.T) {
	t.Parallel()

	line := func(head, amt string) calc.Line { return calc.Line{Head: head, Amount: dec(amt), Basis: "test"} }
	for _, tc := range []struct {
		name  string
		lines []calc.Line
		want  []string
		net   string
	}{
		{
			"net rounded up gives a positive round-off",
			[]calc.Line{line("PT", "3613.50")},
			[]string{"PT=3613.50", "ROUNDOFF=0.50"}, "3614",
		},
		{
			"net rounded down gives the one negative line",
			[]calc.Line{line("PT", "3613.32")},
			[]string{"PT=3613.32", "ROUNDOFF=-0.32"}, "3613",
		},
		{
			"a whole-rupee net adds no line",
			[]calc.Line{line("PT", "3600.00")},
			[]string{"PT=3600.00"}, "3600",
		},
		{
			"the rebate is subtracted before rounding",
			[]calc.Line{line("PT", "3600.00"), line("REBATE", "540.40")},
			[]string{"PT=3600.00", "REBATE=540.40", "ROUNDOFF=0.40"}, "3060",
		},
		{
			"an earlier round-off is replaced, not added to",
			[]calc.Line{line("PT", "3613.32"), line("ROUNDOFF", "-0.32"), line("INTEREST", "10.75")},
			[]string{"PT=3613.32", "INTEREST=10.75", "ROUNDOFF=-0.07"}, "3624",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := calc.WithRoundOff(tc.lines)
			require.Equal(t, tc.want, heads(t, got))
			require.True(t, dec(tc.net).Equal(calc.Net(got)), "net %s", calc.Net(got))
		})
	}
}
