package ledger

import (
	"context"
	"errors"
	"log/slog"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/munimhq/munim/db"
)

// ToConnect maps an error of this package (or of the db boundary) to a
// Connect error, once, for every handler that serves ledger operations:
// bad input is InvalidArgument with field violations, unknown things
// NotFound, a reused idempotency key or an existing record AlreadyExists, a
// closed period, a voucher already reversed or any other PreconditionError
// (whatever its Kind: other packages define kinds of their own)
// FailedPrecondition, a lost serialization race Aborted. Anything else is logged and becomes Internal
// with a generic message, so no SQL or stack text reaches a client.
func ToConnect(ctx context.Context, log *slog.Logger, procedure string, err error) error {
	if err == nil {
		return nil
	}
	var (
		ve *ValidationError
		pe *PreconditionError
		ce *connect.Error
	)
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &ve):
		cerr := connect.NewError(connect.CodeInvalidArgument, err)
		br := &errdetails.BadRequest{}
		for _, v := range ve.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Rule})
		}
		if d, derr := connect.NewErrorDetail(br); derr == nil {
			cerr.AddDetail(d)
		}
		return cerr
	case errors.Is(err, ErrSelfApproval):
		return connect.NewError(connect.CodePermissionDenied, err)
	case errors.Is(err, ErrNotFound):
		return connect.NewError(connect.CodeNotFound, err)
	case errors.Is(err, ErrIdempotencyConflict), errors.Is(err, ErrExists):
		return connect.NewError(connect.CodeAlreadyExists, err)
	case errors.Is(err, ErrPeriodClosed), errors.Is(err, ErrYearNotOpen), errors.Is(err, ErrAlreadyReversed),
		errors.Is(err, ErrPeriodState), errors.Is(err, ErrDraftDecided), errors.As(err, &pe):
		return connect.NewError(connect.CodeFailedPrecondition, err)
	case errors.Is(err, db.ErrConflict):
		return connect.NewError(connect.CodeAborted, errors.New("the request lost a race with a concurrent change; retry it"))
	case errors.Is(err, context.Canceled):
		return connect.NewError(connect.CodeCanceled, err)
	case errors.Is(err, context.DeadlineExceeded):
		return connect.NewError(connect.CodeDeadlineExceeded, err)
	}
	log.ErrorContext(ctx, "internal error", "procedure", procedure, "err", err)
	return connect.NewError(connect.CodeInternal, errors.New("internal error; the server log has the details"))
}
