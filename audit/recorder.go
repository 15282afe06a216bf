package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
)

// NoTenant is the tenant id under which events that named no tenant (or
// named one no transaction can be scoped to) are stored.
const NoTenant = auth.NoTenant

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
	events := make([]auth.Event, len(entries))
	for i, en := range entries {
		events[i] = en.e
	}
	err := db.InTenant(ctx, r.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return auth.InsertEventsTx(ctx, tx, tenant, events)
	})
	if err != nil {
		r.log.Error("audit events not written; their calls fail", "tenant", tenant, "events", len(entries), "err", err)
		return fmt.Errorf("audit: write %d events of tenant %q: %w", len(entries), tenant, err)
	}
	return nil
}

// clean makes e storable (see auth.CleanEvent).
func (r *Recorder) clean(e auth.Event) auth.Event { return auth.CleanEvent(e, r.now()) }
