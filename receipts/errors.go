package receipts

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/ledger"
)

// ErrNotAllowed is an operation the caller's role does not allow on this
// receipt (a cashier cancelling their own receipt, a supervisor cancelling
// one of an earlier day).
var ErrNotAllowed = errors.New("not allowed")

// ErrReceiptState is a receipt (or cheque) whose state refuses the
// operation: already cancelled, cash already remitted, a cheque deposited.
var ErrReceiptState = errors.New("receipt state")

func notAllowed(reason string) error { return &notAllowedError{reason} }

type notAllowedError struct{ reason string }

func (e *notAllowedError) Error() string { return e.reason }
func (e *notAllowedError) Unwrap() error { return ErrNotAllowed }

func refused(field, reason string) error {
	return &ledger.PreconditionError{Field: field, Reason: reason, Kind: ErrReceiptState}
}

// toConnect maps this package's errors to Connect codes, once: a role that
// may not is PermissionDenied; everything else as the ledger maps it
// (bad input InvalidArgument with field violations, unknown NotFound, a
// reused key AlreadyExists, a refusing state FailedPrecondition, anything
// unexpected Internal with a generic message).
func toConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if errors.Is(err, ErrNotAllowed) {
		return connect.NewError(connect.CodePermissionDenied, err)
	}
	return ledger.ToConnect(ctx, log, procedure, err)
}
