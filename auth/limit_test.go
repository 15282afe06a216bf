package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/auth"
)

type discard struct{}

func (discard) Record(context.Context, auth.Event) error { return nil }

// A public page is limited per client address, as public calls are: the
// burst passes, the next request from that address is refused, and another
// address is not held back.
func TestPublicPagesAreLimitedPerAddress(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	g, err := auth.NewGuard(auth.GuardConfig{Audit: discard{}, Now: func() time.Time { return now }, PublicRate: 1, PublicBurst: 3})
	require.NoError(t, err)
	page := g.LimitPublic(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	get := func(addr string) int {
		r := httptest.NewRequest(http.MethodGet, "/verify/receipt", nil)
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		page.ServeHTTP(w, r)
		return w.Code
	}
	for range 3 {
		require.Equal(t, http.StatusOK, get("203.0.113.7:5000"))
	}
	assert.Equal(t, http.StatusTooManyRequests, get("203.0.113.7:5001"), "same address, other port")
	assert.Equal(t, http.StatusOK, get("198.51.100.2:5000"))
	now = now.Add(time.Second)
	assert.Equal(t, http.StatusOK, get("203.0.113.7:5000"), "a token back after a second")
}
