package receiptdoc

import "fmt"

// InputError is a value this package refuses: an amount it cannot print, a
// document missing a field the receipt must show, or a verification query
// that does not parse. Field names the offending value (e.g. "amount",
// "lines[2].head", or a query parameter such as "sig"); Rule says what it
// broke.
type InputError struct {
	Field string
	Rule  string
}

// Error reads "receiptdoc: field: rule".
func (e *InputError) Error() string { return "receiptdoc: " + e.Field + ": " + e.Rule }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Rule: fmt.Sprintf(format, args...)}
}
