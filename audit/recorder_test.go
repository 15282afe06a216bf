package audit_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/audit"
	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	tenant = "uk.dehradun"
	other  = "uk.haridwar"
)

type bundle struct {
	ctx  context.Context
	pool *pgxpool.Pool
	rec  *audit.Recorder
	svc  *audit.Service
	log  *slog.Logger
}

// setup gives a test its own database and a Recorder that is flushed before
// the database goes away.
func setup(t *testing.T) bundle {
	t.Helper()
	pool := dbtest.NewDB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := audit.NewRecorder(pool, log)
	t.Cleanup(rec.Close) // runs before the pool closes: cleanups run last-in first-out
	return bundle{ctx: context.Background(), pool: pool, rec: rec, svc: audit.NewService(pool), log: log}
}

// event is a factory: a successful PostVouchers call with optional changes.
func event(tenantID, requestID string, opts ...func(*auth.Event)) auth.Event {
	e := auth.Event{TenantID: tenantID, Principal: "user:asha", Roles: []string{"accountant"},
		Procedure: "/munim.ledger.v1.LedgerService/PostVouchers", RequestID: requestID,
		IdempotencyKey: "k-" + requestID, Code: "ok", ClientIP: "10.0.0.7",
		At: time.Date(2026, time.May, 1, 10, 0, 0, 0, time.UTC)}
	for _, o := range opts {
		o(&e)
	}
	return e
}

// ownerQuery runs one query as the table owner, outside row-level security.
// Unlike dbtest.AsOwner it returns errors, so goroutines may call it.
func ownerQuery(ctx context.Context, pool *pgxpool.Pool, sql string, args []any, dest ...any) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE NONE"); err != nil {
			return err
		}
		return tx.QueryRow(ctx, sql, args...).Scan(dest...)
	})
}

func TestRecordFromManyGoroutinesLandsEveryEventInFewTransactions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const workers, perWorker = 40, 25 // per tenant
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*perWorker)
	for _, tn := range []string{tenant, other} {
		for w := range workers {
			wg.Go(func() {
				for i := range perWorker {
					errs <- b.rec.Record(b.ctx, event(tn, fmt.Sprintf("%s-%d-%d", tn, w, i)))
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	for _, tn := range []string{tenant, other} {
		var rows, distinct, txns int
		require.NoError(t, ownerQuery(b.ctx, b.pool,
			"SELECT count(*), count(DISTINCT request_id), count(DISTINCT xmin::text) FROM audit_events WHERE tenant_id = $1",
			[]any{tn}, &rows, &distinct, &txns))
		assert.Equal(t, workers*perWorker, rows, "every event of %s is stored", tn)
		assert.Equal(t, workers*perWorker, distinct, "and none twice")
		// Each transaction stamps its rows with its own xmin: concurrent
		// calls must share them, or the log costs a commit per call.
		assert.Less(t, txns, workers*perWorker/2, "%d events of %s took %d transactions", rows, tn, txns)
	}
}

func TestRecordReturnsOnlyOnceItsEventIsCommitted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var wg sync.WaitGroup
	for w := range 20 {
		wg.Go(func() {
			for i := range 10 {
				id := fmt.Sprintf("r-%d-%d", w, i)
				if !assert.NoError(t, b.rec.Record(b.ctx, event(tenant, id))) {
					return
				}
				// Another transaction, started after Record returned, sees it.
				var n int
				assert.NoError(t, ownerQuery(b.ctx, b.pool, "SELECT count(*) FROM audit_events WHERE request_id = $1", []any{id}, &n))
				assert.Equal(t, 1, n, "event %s not visible when Record returned", id)
			}
		})
	}
	wg.Wait()
}

func TestRecordStoresTheEventAsGiven(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name  string
		in    auth.Event
		check func(t *testing.T, got audit.Event)
	}{
		{"every field round-trips", event(tenant, "full", func(e *auth.Event) {
			e.Roles = []string{"accountant", "approver"}
			e.Code, e.Detail = "failed_precondition", "period closed"
		}), func(t *testing.T, got audit.Event) {
			want := event(tenant, "full")
			assert.Equal(t, []string{"accountant", "approver"}, got.Roles)
			assert.Equal(t, want.Principal, got.Principal)
			assert.Equal(t, want.Procedure, got.Procedure)
			assert.Equal(t, want.IdempotencyKey, got.IdempotencyKey)
			assert.Equal(t, "failed_precondition", got.Code)
			assert.Equal(t, "period closed", got.Detail)
			assert.Equal(t, want.ClientIP, got.ClientIP)
			assert.True(t, want.At.Equal(got.At), "at %v, want %v", got.At, want.At)
		}},
		{"a call that named no tenant is stored under -", event("", "no-tenant"), func(t *testing.T, got audit.Event) {
			assert.Equal(t, audit.NoTenant, got.TenantID)
		}},
		{"a wildcard tenant cannot scope a write: stored under -, named in the detail", event("uk.*", "wildcard", func(e *auth.Event) {
			e.Code, e.Detail = "permission_denied", "denied"
		}), func(t *testing.T, got audit.Event) {
			assert.Equal(t, audit.NoTenant, got.TenantID)
			assert.Equal(t, `tenant "uk.*"; denied`, got.Detail)
		}},
		{"no roles is an empty list, not a failed insert", event(tenant, "no-roles", func(e *auth.Event) { e.Roles = nil }), func(t *testing.T, got audit.Event) {
			assert.Empty(t, got.Roles)
		}},
		{"NUL bytes and bad UTF-8 are replaced, not refused", event(tenant, "nul", func(e *auth.Event) {
			e.IdempotencyKey = "a\x00b\xff"
		}), func(t *testing.T, got audit.Event) {
			assert.Equal(t, "a\uFFFDb\uFFFD", got.IdempotencyKey)
		}},
		{"a zero time is the time of recording", event(tenant, "no-time", func(e *auth.Event) { e.At = time.Time{} }), func(t *testing.T, got audit.Event) {
			assert.WithinDuration(t, time.Now(), got.At, time.Minute)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, b.rec.Record(b.ctx, c.in))
			scope := c.in.TenantID
			if scope == "" || scope == "uk.*" {
				scope = audit.NoTenant
			}
			evs, _, err := b.svc.List(b.ctx, scope, audit.Filter{From: time.Unix(0, 0), To: time.Now().Add(time.Hour), Code: c.in.Code})
			require.NoError(t, err)
			for _, e := range evs {
				if e.RequestID == c.in.RequestID {
					c.check(t, e)
					return
				}
			}
			t.Fatalf("event %s not found", c.in.RequestID)
		})
	}
}

func TestEventsAreImmutableEvenForTheOwner(t *testing.T) {
	t.Parallel()
	b := setup(t)
	require.NoError(t, b.rec.Record(b.ctx, event(tenant, "kept")))
	for _, stmt := range []string{
		"UPDATE audit_events SET code = 'ok', detail = 'edited'",
		"DELETE FROM audit_events",
		"TRUNCATE audit_events",
	} {
		t.Run(stmt, func(t *testing.T) {
			dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
				// A savepoint, so the outer transaction survives the refusal.
				sp, err := tx.Begin(b.ctx)
				require.NoError(t, err)
				_, err = sp.Exec(b.ctx, stmt)
				require.ErrorContains(t, err, "immutable")
				require.NoError(t, sp.Rollback(b.ctx))
			})
		})
	}
	var n int
	require.NoError(t, ownerQuery(b.ctx, b.pool, "SELECT count(*) FROM audit_events WHERE request_id = 'kept' AND detail = ''", nil, &n))
	assert.Equal(t, 1, n)
}

func TestRecordFailsEveryWaiterOfAFailedInsertAndNoOther(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// Stands in for any failure of the insert: a full disk, a lost connection.
	dbtest.AsOwner(t, b.pool, func(tx pgx.Tx) {
		_, err := tx.Exec(b.ctx, `
			CREATE FUNCTION test_refuse_broken() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
			    IF NEW.tenant_id = 'uk.broken' THEN RAISE EXCEPTION 'disk full'; END IF;
			    RETURN NEW;
			END $$;
			CREATE TRIGGER test_refuse_broken BEFORE INSERT ON audit_events
			    FOR EACH ROW EXECUTE FUNCTION test_refuse_broken();`)
		require.NoError(t, err)
	})

	const n = 50
	var wg sync.WaitGroup
	broken := make(chan error, n)
	fine := make(chan error, n)
	for i := range n {
		wg.Go(func() { broken <- b.rec.Record(b.ctx, event("uk.broken", fmt.Sprintf("b-%d", i))) })
		wg.Go(func() { fine <- b.rec.Record(b.ctx, event(tenant, fmt.Sprintf("f-%d", i))) })
	}
	wg.Wait()
	close(broken)
	close(fine)
	for err := range broken {
		require.ErrorContains(t, err, "disk full", "every caller whose event was not written hears of it")
	}
	for err := range fine {
		require.NoError(t, err, "another tenant's transaction is not dragged down")
	}
	var stored, storedBroken int
	require.NoError(t, ownerQuery(b.ctx, b.pool,
		"SELECT count(*) FILTER (WHERE tenant_id = $1), count(*) FILTER (WHERE tenant_id = 'uk.broken') FROM audit_events",
		[]any{tenant}, &stored, &storedBroken))
	assert.Equal(t, n, stored)
	assert.Zero(t, storedBroken)

	// The writer is not wedged by a failure.
	require.NoError(t, b.rec.Record(b.ctx, event(tenant, "after")))
}

func TestCloseFlushesQueuedEventsThenRefusesNewOnes(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewDB(t)
	rec := audit.NewRecorder(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()

	// Callers that stop waiting leave their events queued; Close must
	// still write them.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	const n = 200
	for i := range n {
		err := rec.Record(gone, event(tenant, fmt.Sprintf("c-%d", i)))
		if err != nil {
			require.ErrorIs(t, err, context.Canceled)
		}
	}
	rec.Close()

	var stored int
	require.NoError(t, ownerQuery(ctx, pool, "SELECT count(*) FROM audit_events", nil, &stored))
	assert.Equal(t, n, stored)
	assert.ErrorIs(t, rec.Record(ctx, event(tenant, "late")), audit.ErrClosed)
}
