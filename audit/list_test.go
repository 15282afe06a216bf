package audit_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/ledger"
)

const (
	postVouchers = "/munim.ledger.v1.LedgerService/PostVouchers"
	closePeriod  = "/munim.ledger.v1.LedgerService/ClosePeriod"
)

var t0 = time.Date(2026, time.May, 1, 10, 0, 0, 0, time.UTC)

// seedLog records, one at a time so ids follow this order, r1..r5 for
// tenant an hour apart, and one event of another tenant among them.
func seedLog(t *testing.T, b bundle) {
	t.Helper()
	at := func(h int) func(*auth.Event) {
		return func(e *auth.Event) { e.At = t0.Add(time.Duration(h) * time.Hour) }
	}
	for _, e := range []auth.Event{
		event(tenant, "r1", at(0)),
		event(tenant, "r2", at(1), func(e *auth.Event) { e.Procedure, e.Code = closePeriod, "failed_precondition" }),
		event(other, "x1", at(1)),
		event(tenant, "r3", at(2), func(e *auth.Event) { e.Principal = "key:abc" }),
		event(tenant, "r4", at(3), func(e *auth.Event) { e.Principal, e.Code = "user:ravi", "permission_denied" }),
		event(tenant, "r5", at(4)),
	} {
		require.NoError(t, b.rec.Record(b.ctx, e))
	}
}

func requestIDs(evs []audit.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.RequestID
	}
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedLog(t, b)
	day := audit.Filter{From: t0.Add(-time.Hour), To: t0.Add(24 * time.Hour)}
	with := func(f func(*audit.Filter)) audit.Filter { g := day; f(&g); return g }

	cases := []struct {
		name   string
		tenant string
		f      audit.Filter
		want   []string
	}{
		{"everything of the tenant, newest first", tenant, day, []string{"r5", "r4", "r3", "r2", "r1"}},
		{"another tenant's events stay apart", other, day, []string{"x1"}},
		{"one principal", tenant, with(func(f *audit.Filter) { f.Principal = "user:asha" }), []string{"r5", "r2", "r1"}},
		{"one procedure", tenant, with(func(f *audit.Filter) { f.Procedure = postVouchers }), []string{"r5", "r4", "r3", "r1"}},
		{"one code", tenant, with(func(f *audit.Filter) { f.Code = "ok" }), []string{"r5", "r3", "r1"}},
		{"from is inclusive, to exclusive", tenant, audit.Filter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}, []string{"r3", "r2"}},
		{"an open end reaches the newest", tenant, audit.Filter{From: t0.Add(3 * time.Hour)}, []string{"r5", "r4"}},
		{"filters combine", tenant, with(func(f *audit.Filter) { f.Principal, f.Procedure, f.Code = "user:asha", postVouchers, "ok" }), []string{"r5", "r1"}},
		{"no match is an empty page", tenant, with(func(f *audit.Filter) { f.Principal = "user:nobody" }), []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			evs, next, err := b.svc.List(b.ctx, c.tenant, c.f)
			require.NoError(t, err)
			assert.Equal(t, c.want, requestIDs(evs))
			assert.Empty(t, next)
			for _, e := range evs {
				assert.Equal(t, c.tenant, e.TenantID)
			}
		})
	}
}

func TestListPagesNewestFirstByID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	seedLog(t, b)
	var (
		got   []string
		pages int
		last  int64
		f     = audit.Filter{From: t0.Add(-time.Hour), PageSize: 2}
	)
	for {
		evs, next, err := b.svc.List(b.ctx, tenant, f)
		require.NoError(t, err)
		pages++
		for _, e := range evs {
			if last != 0 {
				assert.Less(t, e.ID, last, "ids fall across and within pages")
			}
			last = e.ID
		}
		got = append(got, requestIDs(evs)...)
		if next == "" {
			break
		}
		require.Len(t, evs, 2, "only the last page is short")
		f.PageToken = next
	}
	assert.Equal(t, []string{"r5", "r4", "r3", "r2", "r1"}, got)
	assert.Equal(t, 3, pages)
}

func TestListDefaultsToTheLastThirtyDays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := time.Now()
	require.NoError(t, b.rec.Record(b.ctx, event(tenant, "old", func(e *auth.Event) { e.At = now.Add(-40 * 24 * time.Hour) })))
	require.NoError(t, b.rec.Record(b.ctx, event(tenant, "recent", func(e *auth.Event) { e.At = now.Add(-time.Hour) })))
	evs, _, err := b.svc.List(b.ctx, tenant, audit.Filter{})
	require.NoError(t, err)
	assert.Equal(t, []string{"recent"}, requestIDs(evs))
}

func TestListRefusesBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name   string
		tenant string
		f      audit.Filter
		field  string
	}{
		{"no tenant", "", audit.Filter{}, "tenant_id"},
		{"a wildcard is not one tenant", "uk.*", audit.Filter{}, "tenant_id"},
		{"to before from", tenant, audit.Filter{From: t0, To: t0.Add(-time.Second)}, "to"},
		{"an empty range", tenant, audit.Filter{From: t0, To: t0}, "to"},
		{"a token not issued here", tenant, audit.Filter{PageToken: "not-a-token"}, "page_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := b.svc.List(b.ctx, c.tenant, c.f)
			var ve *ledger.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, c.field, ve.Violations[0].Field)
		})
	}
}
