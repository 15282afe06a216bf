package billing_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/munimhq/munim/billing"
)

// Reinstating part of an advance application takes the lines it settled
// last first (the tax before the cess); a round-off line, settled first,
// only with the whole application.
func TestLastOf(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	applied := []billing.Allocation{ // apportionment order
		{LineNo: 3, Head: "ROUNDOFF", Amount: d("-0.40")},
		{LineNo: 2, Head: "LIB_CESS", Amount: d("180")},
		{LineNo: 1, Head: "PT", Amount: d("320.40")},
	}
	cases := []struct {
		name   string
		amount string
		want   map[string]string // head: amount taken off, in order
		order  []string
	}{
		{"within the tax", "100", map[string]string{"PT": "100.00"}, []string{"PT"}},
		{"the tax and part of the cess", "400", map[string]string{"PT": "320.40", "LIB_CESS": "79.60"}, []string{"PT", "LIB_CESS"}},
		{"the whole application", "500", map[string]string{"PT": "320.40", "LIB_CESS": "180.00", "ROUNDOFF": "-0.40"},
			[]string{"PT", "LIB_CESS", "ROUNDOFF"}},
		{"more than it settled", "900", map[string]string{"PT": "320.40", "LIB_CESS": "180.00", "ROUNDOFF": "-0.40"},
			[]string{"PT", "LIB_CESS", "ROUNDOFF"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := billing.LastOf(applied, d(c.amount))
			heads, amounts := []string{}, map[string]string{}
			for _, a := range got {
				heads = append(heads, a.Head)
				amounts[a.Head] = a.Amount.StringFixed(2)
			}
			assert.Equal(t, c.order, heads)
			assert.Equal(t, c.want, amounts)
		})
	}
	assert.Empty(t, billing.LastOf(nil, d("10")), "nothing applied, nothing taken")
}
