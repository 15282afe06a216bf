package calc

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// InputError is input a calculator refuses: a register entry, master or
// date that breaks a rule. Field is the path of the offending value, e.g.
// "property.units[1].area_m2" or "master.slabs[2].up_to_kl"; Rule says what
// it broke, so a clerk can fix the entry without reading code.
type InputError struct {
	Field string
	Rule  string
}

// Error reads "calc: field: rule", the form a clerk sees in a rejection.
func (e *InputError) Error() string { return "calc: " + e.Field + ": " + e.Rule }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

var hundred = decimal.NewFromInt(100)

func checkPercent(field string, p decimal.Decimal) error {
	if p.IsNegative() || p.GreaterThan(hundred) {
		return invalid(field, "must be a percentage from 0 to 100, got %s", p)
	}
	return nil
}

func checkPositive(field string, d decimal.Decimal) error {
	if !d.IsPositive() {
		return invalid(field, "must be greater than zero, got %s", d)
	}
	return nil
}

func checkNonNegative(field string, d decimal.Decimal) error {
	if d.IsNegative() {
		return invalid(field, "must not be negative, got %s", d)
	}
	return nil
}

func checkMonths(field string, n int) error {
	if n < 1 {
		return invalid(field, "must be at least 1 month, got %d", n)
	}
	return nil
}
