package reports

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"

	"github.com/munimhq/munim/receiptdoc"
)

// The exports print amounts with receiptdoc's Indian digit grouping.
func TestIndianGroupsByLakhAndCrore(t *testing.T) {
	t.Parallel()
	cases := []struct{ rule, in, want string }{
		{"under a thousand is not grouped", "999.5", "999.50"},
		{"thousands", "1000", "1,000.00"},
		{"ten thousands", "93300.25", "93,300.25"},
		{"a lakh", "100000", "1,00,000.00"},
		{"ten lakh", "1234567.8", "12,34,567.80"},
		{"a crore", "12345678.90", "1,23,45,678.90"},
		{"ten crore", "123456789", "12,34,56,789.00"},
		{"negative keeps its sign", "-10000", "-10,000.00"},
		{"zero", "0", "0.00"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, receiptdoc.FormatAmount(decimal.RequireFromString(c.in)))
		})
	}
}
