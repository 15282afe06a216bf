package reports

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/ledger"
)

// errNotBuilt is a procedure of munim.reports.v1 declared in the contract
// and not built yet.
var errNotBuilt = errors.New("not implemented yet")

// toConnect maps this package's errors to Connect codes, once: what is not
// built yet is Unimplemented; everything else as the ledger maps it (bad
// input InvalidArgument with field violations, an unknown tenant or account
// NotFound, a year not opened FailedPrecondition, anything unexpected
// Internal with a generic message).
func toConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if errors.Is(err, errNotBuilt) {
		return connect.NewError(connect.CodeUnimplemented, errors.New(procedure+" is not implemented yet"))
	}
	return ledger.ToConnect(ctx, log, procedure, err)
}
