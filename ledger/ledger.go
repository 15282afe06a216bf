package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// Config tunes a Ledger. The zero value is usable.
type Config struct {
	// Logger receives batch failures. Default: slog.Default().
	Logger *slog.Logger
	// Now is the clock, injectable so tests can pin time. Default: time.Now.
	Now func() time.Time
	// MaxBatchLines caps how many voucher lines the group committer puts in
	// one transaction. Default: 5000.
	MaxBatchLines int
	// BatchTimeout bounds one group commit. Default: 2 minutes.
	BatchTimeout time.Duration
	// Check, when set, vets vouchers posted through the ledger's own API
	// (Post, Reverse, Approve) in their posting transaction; see PostCheck.
	// Default: none.
	Check PostCheck
}

// Ledger posts vouchers and reads the books of every tenant.
type Ledger struct {
	pool    *pgxpool.Pool
	log     *slog.Logger
	now     func() time.Time
	chart   *chartCache
	maxLine int
	timeout time.Duration
	check   PostCheck

	mu     sync.Mutex
	queues map[string]*queue
}

// New returns a Ledger over pool.
func New(pool *pgxpool.Pool, cfg Config) *Ledger {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Ledger{
		pool:    pool,
		log:     cmp.Or(cfg.Logger, slog.Default()),
		now:     now,
		chart:   newChartCache(pool, now),
		maxLine: cmp.Or(cfg.MaxBatchLines, 5000),
		timeout: cmp.Or(cfg.BatchTimeout, 2*time.Minute),
		queues:  map[string]*queue{},
		check:   cfg.Check,
	}
}

// read runs fn in a read-only transaction that sees only tenant's rows.
func (l *Ledger) read(ctx context.Context, tenant string, fn func(tx pgx.Tx, q *dbq.Queries) error) error {
	return db.ReadTenant(ctx, l.pool, db.Scope(tenant), func(tx pgx.Tx) error { return fn(tx, dbq.New(tx)) })
}

// write runs fn in a transaction that sees and writes only tenant's rows.
func (l *Ledger) write(ctx context.Context, tenant string, fn func(tx pgx.Tx, q *dbq.Queries) error) error {
	return db.InTenant(ctx, l.pool, db.Scope(tenant), func(tx pgx.Tx) error { return fn(tx, dbq.New(tx)) })
}

// prepare validates vouchers on their own and against the tenant's chart,
// naming each violation by its path in the request ("vouchers[i]...").
func (l *Ledger) prepare(ctx context.Context, tenant string, vouchers []Voucher) error {
	if len(vouchers) == 0 {
		return invalid("vouchers", "at least one voucher is required")
	}
	var vs []FieldViolation
	keys := make(map[string]int, len(vouchers))
	for i := range vouchers {
		prefix := fmt.Sprintf("vouchers[%d]", i)
		v := &vouchers[i]
		err := v.Validate(prefix)
		if err == nil {
			err = l.chart.check(ctx, tenant, prefix, v)
		}
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			vs = append(vs, ve.Violations...)
		case err != nil:
			return err
		}
		if first, dup := keys[v.IdempotencyKey]; dup && v.IdempotencyKey != "" {
			vs = append(vs, FieldViolation{prefix + ".idempotency_key", fmt.Sprintf("repeats the key of vouchers[%d]; keys must be unique within a request", first)})
		}
		keys[v.IdempotencyKey] = i
	}
	if len(vs) > 0 {
		return &ValidationError{Violations: vs}
	}
	return nil
}

// Post posts vouchers for tenant, all or nothing, and returns them as
// posted (or, for a replay, as first posted). Concurrent calls for one
// tenant are grouped into shared transactions by the group committer; each
// call still commits entirely or not at all. Vouchers the Config's Check
// must see post in a transaction of their own instead.
func (l *Ledger) Post(ctx context.Context, tenant, actor string, vouchers []Voucher) ([]Posted, error) {
	if err := l.prepare(ctx, tenant, vouchers); err != nil {
		return nil, err
	}
	if l.needsCheck(vouchers) {
		return l.postChecked(ctx, tenant, actor, vouchers)
	}
	return l.submit(ctx, newRequest(ctx, tenant, actor, vouchers))
}

// PostTx posts vouchers inside the caller's transaction, so that a business
// record (a receipt, a demand) and its voucher commit together. It takes the
// tenant's chain-head lock, which the caller holds until it commits. The
// caller's transaction must be scoped to the tenant (db.InTenant).
func (l *Ledger) PostTx(ctx context.Context, tx pgx.Tx, tenant, actor string, vouchers []Voucher) ([]Posted, error) {
	if err := l.prepare(ctx, tenant, vouchers); err != nil {
		return nil, err
	}
	r := newRequest(ctx, tenant, actor, vouchers)
	// The caller's transaction is not ours to commit: its call is audited
	// the usual way, after it returns.
	r.audit = nil
	results, err := writeBatch(ctx, tx, tenant, []*request{r}, l.now())
	if err != nil {
		return nil, err
	}
	return l.answer(ctx, tx, tenant, results[0])
}

// Staged is vouchers that StageTx has checked and whose lines it has
// written, waiting for PostStagedTx in the same transaction.
type Staged struct {
	req *request
}

// StageTx does, inside the caller's transaction and before the tenant's
// chain-head lock is taken, the part of posting that does not depend on
// the chain: it checks vouchers against the chart and writes their lines.
// Every voucher must carry an id reserved in tx (ReserveVoucherIDs) and
// an idempotency key not used before. PostStagedTx must follow in tx, and
// tx must roll back if it fails: until then the lines name vouchers that do
// not exist. A demand run stages one batch while the batch before it holds
// the chain head.
func (l *Ledger) StageTx(ctx context.Context, tx pgx.Tx, tenant, actor string, vouchers []Voucher) (*Staged, error) {
	if err := l.prepare(ctx, tenant, vouchers); err != nil {
		return nil, err
	}
	var lines []dbq.VoucherLineInsertManyParams
	written := make([][]PostedLine, len(vouchers))
	for i := range vouchers {
		v := &vouchers[i]
		if v.ID == 0 {
			return nil, fmt.Errorf("ledger: StageTx: vouchers[%d] has no reserved id", i)
		}
		written[i] = postedLines(v)
		lines = appendLineRows(lines, tenant, v.ID, v.Date, written[i])
	}
	err := db.WriterTx(ctx, tx, func() error {
		_, err := dbq.New(tx).VoucherLineInsertMany(ctx, lines)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("copy voucher lines: %w", err)
	}
	r := newRequest(ctx, tenant, actor, vouchers)
	r.audit = nil // as in PostTx
	r.written = written
	return &Staged{req: r}, nil
}

// PostStagedTx posts the vouchers of s in tx, which must be the
// transaction that staged them: their headers, numbers, place in the hash
// chain and balances. It fails, and tx must roll back, if any of them was
// posted before.
func (l *Ledger) PostStagedTx(ctx context.Context, tx pgx.Tx, s *Staged) ([]Posted, error) {
	results, err := writeBatch(ctx, tx, s.req.tenant, []*request{s.req}, l.now())
	if err != nil {
		return nil, err
	}
	r := results[0]
	if r.err != nil {
		return nil, r.err
	}
	if r.replay != nil {
		return nil, fmt.Errorf("ledger: staged vouchers were posted before (%d of them)", len(r.replay))
	}
	for i, p := range r.posted {
		if p.ID != s.req.vouchers[i].ID {
			return nil, fmt.Errorf("ledger: staged voucher %q was posted before, as voucher %d", p.IdempotencyKey, p.ID)
		}
	}
	return r.posted, nil
}

// ReserveVoucherIDs reserves n voucher ids in tx, for vouchers a caller
// posts later with PostTx in the same transaction (see Voucher.ID).
func (l *Ledger) ReserveVoucherIDs(ctx context.Context, tx pgx.Tx, n int) ([]int64, error) {
	ids, err := dbq.New(tx).VoucherIDsNext(ctx, int32(n))
	if err != nil {
		return nil, fmt.Errorf("reserve voucher ids: %w", err)
	}
	return ids, nil
}

// Reverse posts the mirror of voucher id on date (debits become credits),
// at most once per voucher.
func (l *Ledger) Reverse(ctx context.Context, tenant, actor string, id int64, date time.Time, reason, key string) (Posted, error) {
	orig, err := l.Voucher(ctx, tenant, id)
	if err != nil {
		return Posted{}, err
	}
	v, err := mirror(orig, date, reason, key)
	if err != nil {
		return Posted{}, err
	}
	posted, err := l.Post(ctx, tenant, actor, []Voucher{v})
	if err != nil {
		return Posted{}, reversalFields(err)
	}
	return posted[0], nil
}

// ReverseTx is Reverse inside the caller's transaction (scoped to tenant),
// so that undoing a business record (a cancelled receipt) and reversing its
// voucher commit together.
func (l *Ledger) ReverseTx(ctx context.Context, tx pgx.Tx, tenant, actor string, id int64, date time.Time, reason, key string) (Posted, error) {
	got, err := getVouchers(ctx, tx, tenant, []int64{id})
	if err != nil {
		return Posted{}, err
	}
	if len(got) == 0 {
		return Posted{}, &NotFoundError{What: fmt.Sprintf("voucher %d", id)}
	}
	v, err := mirror(got[0], date, reason, key)
	if err != nil {
		return Posted{}, err
	}
	posted, err := l.PostTx(ctx, tx, tenant, actor, []Voucher{v})
	if err != nil {
		return Posted{}, reversalFields(err)
	}
	return posted[0], nil
}

// mirror is the reversal of orig: its lines with debits and credits swapped.
func mirror(orig Posted, date time.Time, reason, key string) (Voucher, error) {
	if reason == "" {
		return Voucher{}, invalid("reason", "is required")
	}
	if date.Before(orig.Date) {
		return Voucher{}, invalid("date", "a reversal cannot be dated before the voucher it reverses (%s)", orig.Date.Format(time.DateOnly))
	}
	if orig.ReversesID != 0 {
		return Voucher{}, &PreconditionError{Field: "voucher_id", Kind: ErrAlreadyReversed,
			Reason: fmt.Sprintf("%s is itself a reversal; post a new voucher instead", orig.Number)}
	}
	v := Voucher{
		Type: orig.Type, Date: date, IdempotencyKey: key, SourceRef: orig.Number,
		Narration: fmt.Sprintf("Reversal of %s: %s", orig.Number, reason),
		reverses:  orig.ID, reversalReason: reason,
	}
	for _, ln := range orig.Lines {
		m := ln.Line
		m.Debit, m.Credit = ln.Credit, ln.Debit
		v.Lines = append(v.Lines, m)
	}
	return v, nil
}

// reversalFields names fields of the reverse request, not of a voucher list.
func reversalFields(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Violations {
			ve.Violations[i].Field = "reversal: " + ve.Violations[i].Field
		}
	}
	return err
}

// answer turns a batch result into the vouchers a caller sees, reading
// replayed vouchers back from the books.
func (l *Ledger) answer(ctx context.Context, q dbq.DBTX, tenant string, r result) ([]Posted, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.replay != nil {
		return getVouchers(ctx, q, tenant, r.replay)
	}
	return r.posted, nil
}

// queue holds a tenant's requests waiting for the group committer.
type queue struct {
	waiting []*request
	running bool
}

// submit queues r for its tenant's committer and waits for the answer. The
// first request to find the committer idle starts it; it then drains the
// queue batch by batch, so requests that arrive while a batch commits share
// the next one. No timer: an idle tenant commits a lone request at once.
func (l *Ledger) submit(ctx context.Context, r *request) ([]Posted, error) {
	l.mu.Lock()
	q := l.queues[r.tenant]
	if q == nil {
		q = &queue{}
		l.queues[r.tenant] = q
	}
	q.waiting = append(q.waiting, r)
	if !q.running {
		q.running = true
		go l.drain(r.tenant, q)
	}
	l.mu.Unlock()

	select {
	case res := <-r.done:
		if res.replay == nil {
			return l.answer(ctx, nil, r.tenant, res)
		}
		var out []Posted
		err := l.read(ctx, r.tenant, func(tx pgx.Tx, _ *dbq.Queries) error {
			var err error
			out, err = l.answer(ctx, tx, r.tenant, res)
			return err
		})
		return out, err
	case <-ctx.Done():
		// The request may still commit; its idempotency key makes a retry safe.
		return nil, ctx.Err()
	}
}

func (l *Ledger) drain(tenant string, q *queue) {
	for {
		l.mu.Lock()
		if len(q.waiting) == 0 {
			q.running = false
			delete(l.queues, tenant)
			l.mu.Unlock()
			return
		}
		var batch []*request
		lines := 0
		for len(q.waiting) > 0 && (len(batch) == 0 || lines+q.waiting[0].lines <= l.maxLine) {
			r := q.waiting[0]
			q.waiting = q.waiting[1:]
			if r.ctx.Err() != nil {
				r.done <- result{err: r.ctx.Err()}
				continue
			}
			batch = append(batch, r)
			lines += r.lines
		}
		l.mu.Unlock()
		if len(batch) > 0 {
			l.commit(tenant, batch)
		}
	}
}

// commit writes one batch in one transaction. If the transaction fails for
// a reason no single request was charged with (a constraint the checks did
// not foresee), every request is retried alone, so one bad request cannot
// fail its batch-mates.
func (l *Ledger) commit(tenant string, batch []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	var results []result
	err := l.write(ctx, tenant, func(tx pgx.Tx, _ *dbq.Queries) error {
		var err error
		results, err = writeBatch(ctx, tx, tenant, batch, l.now())
		return err
	})
	if err != nil && len(batch) > 1 {
		l.log.Warn("group commit failed; retrying its requests one by one", "tenant", tenant, "requests", len(batch), "err", err)
		for _, r := range batch {
			l.commit(tenant, []*request{r})
		}
		return
	}
	if err != nil {
		batch[0].done <- result{err: err}
		return
	}
	for i, r := range batch {
		if r.audit != nil && results[i].err == nil {
			r.audit.MarkWritten()
		}
		r.done <- results[i]
	}
}
