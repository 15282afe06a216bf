package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/ledger"
)

// errNotBuilt is a procedure of munim.reports.v1 declared in the contract
// and not built yet.
var errNotBuilt = errors.New("not implemented yet")

// OutOfScopeError is a caller whose tenants do not cover what it asked
// for: a state's consolidation asked by one ULB's staff.
type OutOfScopeError struct {
	Actor, Scope string
}

func (e *OutOfScopeError) Error() string {
	return fmt.Sprintf("%s may not read all of %s", e.Actor, e.Scope)
}

// toConnect maps this package's errors to Connect codes, once: what is not
// built yet is Unimplemented; a caller out of scope PermissionDenied;
// everything else as the ledger maps it (bad input InvalidArgument with
// field violations, an unknown tenant or account NotFound, a year not
// opened FailedPrecondition, anything unexpected Internal with a generic
// message).
func toConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if oos, ok := errors.AsType[*OutOfScopeError](err); ok {
		return connect.NewError(connect.CodePermissionDenied, oos)
	}
	if errors.Is(err, errNotBuilt) {
		return connect.NewError(connect.CodeUnimplemented, errors.New(procedure+" is not implemented yet"))
	}
	return ledger.ToConnect(ctx, log, procedure, err)
}
