package payments

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/ledger"
)

// Errors of this package.
var (
	// ErrNoAccount: the tenant has no gateway account configured.
	ErrNoAccount = errors.New("this ULB takes no online payments: no gateway account is configured")
	// ErrForged: a callback or webhook signature did not verify.
	ErrForged = errors.New("the signature does not verify")
	// ErrUnknownOrder: the gateway named an order we did not open.
	ErrUnknownOrder = errors.New("no payment transaction has this gateway order")
)

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}

// ToConnect maps this package's errors to Connect codes, once: a forged
// signature is PermissionDenied, an unconfigured tenant FailedPrecondition,
// a gateway that could not be reached Unavailable (nothing was decided: try
// again), a gateway refusal FailedPrecondition; the rest as the ledger maps
// them.
func ToConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	var ge *gateway.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrForged):
		return connect.NewError(connect.CodePermissionDenied, ErrForged)
	case errors.Is(err, ErrNoAccount):
		return connect.NewError(connect.CodeFailedPrecondition, ErrNoAccount)
	case errors.Is(err, ErrUnknownOrder):
		return connect.NewError(connect.CodeNotFound, ErrUnknownOrder)
	case errors.As(err, &ge) && ge.Unreachable():
		log.WarnContext(ctx, "gateway unreachable", "procedure", procedure, "err", err)
		return connect.NewError(connect.CodeUnavailable, errors.New("the payment gateway did not answer; try again"))
	case errors.As(err, &ge):
		return connect.NewError(connect.CodeFailedPrecondition, fmt.Errorf("the payment gateway refused: %s", ge.Description))
	}
	return ledger.ToConnect(ctx, log, procedure, err)
}
