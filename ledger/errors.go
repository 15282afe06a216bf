package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// FieldViolation names one invalid field by its path in the request, e.g.
// "vouchers[2].lines[0].debit", and the rule it broke.
type FieldViolation struct {
	Field string
	Rule  string
}

// ValidationError is bad input: one or more field violations.
type ValidationError struct {
	Violations []FieldViolation
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.Field + ": " + v.Rule
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// invalid returns a ValidationError with one violation.
func invalid(field, format string, args ...any) error {
	return &ValidationError{Violations: []FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

// PreconditionError is a request that is well formed but not allowed in the
// books' present state: a closed period, a year not opened, a voucher
// already reversed. Field names the part of the request it concerns.
type PreconditionError struct {
	Field  string
	Reason string
	// Kind is one of the Err* sentinels below, for errors.Is.
	Kind error
}

func (e *PreconditionError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func (e *PreconditionError) Unwrap() error { return e.Kind }

// Sentinels for the states that refuse a posting.
var (
	ErrPeriodClosed    = errors.New("period closed")
	ErrYearNotOpen     = errors.New("fiscal year not open")
	ErrAlreadyReversed = errors.New("voucher already reversed")
	ErrPeriodState     = errors.New("period already in that state")
)

// ErrNotFound reports an unknown tenant, voucher or account.
var ErrNotFound = errors.New("not found")

// NotFoundError names what was not found.
type NotFoundError struct {
	What string
}

func (e *NotFoundError) Error() string { return e.What + " not found" }
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ErrIdempotencyConflict reports a key already used with a different body.
var ErrIdempotencyConflict = errors.New("idempotency key already used with a different request")

// ConflictError names the key that was reused.
type ConflictError struct {
	Field string
	Key   string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: idempotency key %q was already used with a different request", e.Field, e.Key)
}
func (e *ConflictError) Unwrap() error { return ErrIdempotencyConflict }

// Replayed sorts out a request carrying idempotency key, given what the
// look-up of the key found: the request hash stored with it and the
// look-up's error. It reports true when the same request was made before
// (answer with what it made), false when the key is new, and a
// ConflictError when the key came with another request.
func Replayed(lookupErr error, stored, hash []byte, key string) (bool, error) {
	switch {
	case errors.Is(lookupErr, pgx.ErrNoRows):
		return false, nil
	case lookupErr != nil:
		return false, fmt.Errorf("look up idempotency key: %w", lookupErr)
	case !bytes.Equal(stored, hash):
		return false, &ConflictError{Field: "idempotency_key", Key: key}
	}
	return true, nil
}

// ErrExists reports a create of something that already exists.
var ErrExists = errors.New("already exists")

// ExistsError names what already exists.
type ExistsError struct {
	What string
}

func (e *ExistsError) Error() string { return e.What + " already exists" }
func (e *ExistsError) Unwrap() error { return ErrExists }
