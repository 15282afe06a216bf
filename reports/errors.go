package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/ledger"
)

// errNotWired is a report whose source (a sub-ledger's service, the audit
// controls) was not wired into the Service: the binary wires them all, a
// test may not.
var errNotWired = errors.New("not wired")

// OutOfScopeError is a caller whose tenants do not cover what it asked
// for: a state's consolidation asked by one ULB's staff.
type OutOfScopeError struct {
	Actor, Scope string
}

func (e *OutOfScopeError) Error() string {
	return fmt.Sprintf("%s may not read all of %s", e.Actor, e.Scope)
}

// toConnect maps this package's errors to Connect codes, once: what is not
// wired is Unimplemented; a caller out of scope PermissionDenied;
// everything else as the ledger maps it (bad input InvalidArgument with
// field violations, an unknown tenant or account NotFound, a year not
// opened FailedPrecondition, anything unexpected Internal with a generic
// message).
func toConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if oos, ok := errors.AsType[*OutOfScopeError](err); ok {
		return connect.NewError(connect.CodePermissionDenied, oos)
	}
	if errors.Is(err, errNotWired) {
		return connect.NewError(connect.CodeUnimplemented, errors.New(procedure+": this server does not serve it (its source is not wired)"))
	}
	return ledger.ToConnect(ctx, log, procedure, err)
}
