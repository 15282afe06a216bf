package ledger_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"connectrpc.com/connect"
	"github.com/stretchr/testify/assert"

	"github.com/munimhq/munim/ledger"
)

// A precondition another package names (a missing rate master, an
// amendment already decided) is FailedPrecondition, not Internal.
func TestToConnectMapsEveryPreconditionToFailedPrecondition(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := ledger.ToConnect(context.Background(), log, "/x", &ledger.PreconditionError{Field: "f", Reason: "r", Kind: errors.New("elsewhere")})
	assert.Equal(t, connect.CodeFailedPrecondition, connect.CodeOf(err))
	err = ledger.ToConnect(context.Background(), log, "/x", &ledger.PreconditionError{Field: "f", Reason: "r", Kind: ledger.ErrSelfApproval})
	assert.Equal(t, connect.CodePermissionDenied, connect.CodeOf(err))
}
