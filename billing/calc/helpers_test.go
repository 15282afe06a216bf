package calc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/billing/calc"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// date parses a calendar day, e.g. "2025-06-30".
func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

// heads reduces lines to "HEAD=amount" in order, after checking the
// invariants every calculator keeps: amounts to the paisa, and no negative
// amount except on ROUNDOFF.
func heads(t *testing.T, lines []calc.Line) []string {
	t.Helper()
	out := make([]string, len(lines))
	for i, l := range lines {
		require.True(t, l.Amount.Equal(calc.RoundPaise(l.Amount)), "%s amount %s is not to the paisa", l.Head, l.Amount)
		if l.Head != calc.HeadRoundOff {
			require.False(t, l.Amount.IsNegative(), "%s amount %s is negative", l.Head, l.Amount)
		}
		require.NotEmpty(t, l.Basis, "%s has no basis", l.Head)
		out[i] = l.Head + "=" + l.Amount.StringFixed(2)
	}
	return out
}

// requireInputError checks err is an *InputError on field.
func requireInputError(t *testing.T, err error, field string) {
	t.Helper()
	var ie *calc.InputError
	require.True(t, errors.As(err, &ie), "want *calc.InputError on %s, got %v", field, err)
	require.Equal(t, field, ie.Field, "rule: %s", ie.Rule)
	require.NotEmpty(t, ie.Rule)
}
