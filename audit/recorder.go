package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// NoTenant is the tenant id under which events that named no tenant (or
// named one no transaction can be scoped to) are stored.
const NoTenant = "-"

const (
	// maxBatch bounds one wake of the writer, so that a burst becomes a few
	// statements of bounded size rather than one enormous one.
	maxBatch = 5000
	// writeTimeout bounds one tenant's insert. The guard records with a
	// context that never ends (the entry must outlive a departed caller),
	// so without it a stalled database would hold every caller forever.
	writeTimeout = 30 * time.Second
)

// ErrClosed is returned by Record after Close: the event was not written.
var ErrClosed = errors.New("audit: recorder closed")

// Recorder writes audit events in groups. Every call to Record waits for its
// own event to commit, but calls that arrive while a write is in flight
// share the next one: the first call to find the writer idle starts it, and
// it takes everything queued, one transaction and one INSERT per tenant,
// until the queue is empty. No timer: a lone event is written at once.
// Thousands of calls a second therefore cost tens of transactions.
type Recorder struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	now  func() time.Time
	// parallel is how many tenants' inserts one wake runs at once.
	parallel int

	mu      sync.Mutex
	waiting []*entry
	running bool
	closed  bool
	writer  sync.WaitGroup
}

// entry is one queued event and the answer its Record waits for.
type entry struct {
	e auth.Event
	// done is buffered so the writer never blocks on a caller that has
	// stopped waiting.
	done chan error
}

var _ auth.Recorder = (*Recorder)(nil)

// NewRecorder returns a Recorder writing to pool. Its writer uses at most a
// quarter of the pool's connections (at least one), so auditing cannot
// starve the calls it audits.
func NewRecorder(pool *pgxpool.Pool, log *slog.Logger) *Recorder {
	return &Recorder{pool: pool, log: log, now: time.Now, parallel: max(1, int(pool.Config().MaxConns)/4)}
}

// Record queues e and returns once it is committed, or with the error that
// kept it (and every event written with it) out of the log. If ctx ends
// first, Record returns ctx's error but the event is still written: an
// abandoned call happened all the same.
func (r *Recorder) Record(ctx context.Context, e auth.Event) error {
	en := &entry{e: r.clean(e), done: make(chan error, 1)}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	r.waiting = append(r.waiting, en)
	if !r.running {
		r.running = true
		r.writer.Add(1)
		go r.drain()
	}
	r.mu.Unlock()

	select {
	case err := <-en.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("audit: stopped waiting for the event to commit (it may still be written): %w", context.Cause(ctx))
	}
}

// Close waits until every queued event is written; later calls to Record
// return ErrClosed. Call it after the server has stopped taking requests.
func (r *Recorder) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.writer.Wait()
}

// drain writes the queue batch by batch until it finds it empty, so events
// queued while a batch commits ride in the next one.
func (r *Recorder) drain() {
	defer r.writer.Done()
	for {
		r.mu.Lock()
		if len(r.waiting) == 0 {
			r.running = false
			r.waiting = nil // let a burst's backing array go
			r.mu.Unlock()
			return
		}
		n := min(len(r.waiting), maxBatch)
		// The full slice expression keeps later appends out of batch.
		batch := r.waiting[:n:n]
		r.waiting = r.waiting[n:]
		r.mu.Unlock()
		r.write(batch)
	}
}

// write commits a batch as one transaction per tenant and answers every
// entry with its tenant's outcome.
func (r *Recorder) write(batch []*entry) {
	var order []string
	groups := map[string][]*entry{}
	for _, en := range batch {
		t := en.e.TenantID
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], en)
	}
	slots := make(chan struct{}, r.parallel)
	var wg sync.WaitGroup
	for _, t := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := r.insert(t, groups[t])
			for _, en := range groups[t] {
				en.done <- err
			}
		})
	}
	wg.Wait()
}

// insert writes one tenant's events in one statement and one transaction.
func (r *Recorder) insert(tenant string, entries []*entry) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	p := dbq.AuditEventInsertManyParams{TenantID: tenant}
	for _, en := range entries {
		e := en.e
		roles, _ := json.Marshal(e.Roles) // a []string always encodes
		p.At = append(p.At, e.At)
		p.Principal = append(p.Principal, e.Principal)
		p.Roles = append(p.Roles, string(roles))
		p.Procedure = append(p.Procedure, e.Procedure)
		p.RequestID = append(p.RequestID, e.RequestID)
		p.IdempotencyKey = append(p.IdempotencyKey, e.IdempotencyKey)
		p.Code = append(p.Code, e.Code)
		p.Detail = append(p.Detail, e.Detail)
		p.ClientIp = append(p.ClientIp, e.ClientIP)
	}
	err := db.InTenant(ctx, r.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return dbq.New(tx).AuditEventInsertMany(ctx, p)
	})
	if err != nil {
		r.log.Error("audit events not written; their calls fail", "tenant", tenant, "events", len(entries), "err", err)
		return fmt.Errorf("audit: write %d events of tenant %q: %w", len(entries), tenant, err)
	}
	return nil
}

// clean makes e storable, so that no caller-supplied value can fail the
// insert it shares with other callers' events: PostgreSQL text refuses NUL
// bytes and invalid UTF-8, and a tenant id holding a scope's separators
// ("," or "*") cannot scope a write.
func (r *Recorder) clean(e auth.Event) auth.Event {
	for _, s := range []*string{&e.TenantID, &e.Principal, &e.Procedure, &e.RequestID,
		&e.IdempotencyKey, &e.Code, &e.Detail, &e.ClientIP} {
		*s = storable(*s)
	}
	e.Roles = append([]string{}, e.Roles...) // never nil: the column is NOT NULL, and the caller keeps its slice
	for i := range e.Roles {
		e.Roles[i] = storable(e.Roles[i])
	}
	switch {
	case e.TenantID == "":
		e.TenantID = NoTenant
	case strings.ContainsAny(e.TenantID, ",*"):
		// Kept in the detail: who tried to name a wildcard is worth knowing.
		e.Detail = strings.TrimSuffix(fmt.Sprintf("tenant %q; %s", e.TenantID, e.Detail), "; ")
		e.TenantID = NoTenant
	}
	if e.At.IsZero() {
		e.At = r.now()
	}
	return e
}

func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
