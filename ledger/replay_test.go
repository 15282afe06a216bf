package ledger_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"

	"github.com/munimhq/munim/ledger"
)

// A key's look-up decides a request: a new key goes ahead, the same
// request again is a replay, another request under the key is a conflict,
// and a failed look-up is an error, never a go-ahead.
func TestReplayedSortsOutAnIdempotencyKey(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset")
	cases := []struct {
		name         string
		lookup       error
		stored       []byte
		replay       bool
		conflict, ok bool
	}{
		{name: "new key", lookup: pgx.ErrNoRows, ok: true},
		{name: "same request again", stored: []byte("h1"), replay: true, ok: true},
		{name: "another request under the key", stored: []byte("h2"), conflict: true},
		{name: "look-up failed", lookup: broken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			replay, err := ledger.Replayed(c.lookup, c.stored, []byte("h1"), "k1")
			assert.Equal(t, c.replay, replay)
			assert.Equal(t, c.ok, err == nil, "%v", err)
			assert.Equal(t, c.conflict, errors.Is(err, ledger.ErrIdempotencyConflict))
			if c.lookup == broken {
				assert.ErrorIs(t, err, broken)
			}
		})
	}
}
