package receiptdoc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/receiptdoc"
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

// requireInputError checks err is an *InputError on field.
func requireInputError(t *testing.T, err error, field string) {
	t.Helper()
	var ie *receiptdoc.InputError
	require.True(t, errors.As(err, &ie), "want *receiptdoc.InputError on %s, got %v", field, err)
	require.Equal(t, field, ie.Field, "rule: %s", ie.Rule)
	require.NotEmpty(t, ie.Rule)
}
