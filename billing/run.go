package billing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

// A demand run raises a period's demands for every entry of a service's
// register. It is a River job: the run's row (demand_runs) holds its
// cursor and counts, and each batch of demands, their accrual vouchers and
// the advanced cursor commit together. So the progress reported is exactly
// what is in the books, a crashed run resumes after its last batch, and a
// rerun raises nothing twice (a consumer's demand for a period is unique,
// and found demands are counted, not raised again).

// RunRequest asks for a run: a fiscal year's property tax or licence
// renewals, or a period's water charges.
type RunRequest struct {
	Service    string
	FiscalYear int    // property tax, trade licence
	Period     Period // water: whole months of one fiscal year
	// AsOf dates a licence renewal run's demands; the late penalty runs to
	// it (default: today).
	AsOf time.Time
	Ward string // optional: one ward
}

// Run is a demand run and how far it has gone.
type Run struct {
	ID          int64
	Service     string
	FiscalYear  int
	Ward        string
	Status      string // queued, running, done, failed
	Period      Period
	AsOf        time.Time
	Expected    int    // register entries when the run started
	Entries     int    // entries gone through
	Raised      int    // demands raised
	Existing    int    // demands found already raised
	Skipped     int    // entries that could not be billed yet
	Skips       []Skip // the first thousand of them, with why
	Total       decimal.Decimal
	Error       string // the last attempt's error (the run retries) or why it failed
	Cursor      string // the last consumer code done
	JobID       int64
	RequestedBy string
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// PercentDone is how far the run has gone through its register, 0 to 100:
// 100 only once it is done, since entries added to the register after the
// run started can take Entries past Expected.
func (r Run) PercentDone() int {
	switch {
	case r.Status == RunDone:
		return 100
	case r.Expected == 0:
		return 0
	}
	return min(99, 100*r.Entries/r.Expected)
}

// Run statuses.
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// runBatch is how many register entries one transaction takes, unless a
// test says otherwise.
const runBatch = 1000

// source is a register as a run reads it: pages of demands to raise.
type source interface {
	// count is how many entries the run will go through.
	count(ctx context.Context, q *dbq.Queries) (int, error)
	// page computes the demands of up to limit entries after the cursor.
	page(ctx context.Context, q *dbq.Queries, after string, limit int) (runPage, error)
}

// runPage is a page of a register computed into demands.
type runPage struct {
	demands []DemandInput
	skips   []Skip // entries that cannot be billed yet
	read    int    // entries read: 0 at the register's end
	last    string // the last entry's consumer code: the next cursor
}

// Skip is a register entry a run left unbilled, and why.
type Skip struct {
	ConsumerCode string `json:"consumer_code"`
	Reason       string `json:"reason"`
}

// maxSkips bounds the skips a run lists (it counts them all).
const maxSkips = 1000

// plan checks a run request and fills in its period, day and fiscal year.
func (s *Service) plan(req RunRequest) (RunRequest, error) {
	switch req.Service {
	case Water:
		if err := req.Period.validate(); err != nil {
			return req, err
		}
		req.FiscalYear = ledger.FiscalYearOf(req.Period.From)
	case PropertyTax, TradeLicence:
		if req.FiscalYear < 2000 || req.FiscalYear > 2200 {
			return req, invalid("fiscal_year", "must be the year a fiscal year starts in, like 2026")
		}
		req.Period = Period{From: ledger.Date(req.FiscalYear, time.April, 1), To: ledger.Date(req.FiscalYear+1, time.March, 31)}
	default:
		return req, invalid("service", "no demand run for service %q (runs exist for %s, %s and %s)", req.Service, PropertyTax, Water, TradeLicence)
	}
	if req.AsOf.IsZero() {
		now := s.now().In(ledger.IST)
		req.AsOf = ledger.Date(now.Year(), now.Month(), now.Day())
	}
	return req, nil
}

// sourceFor reads what a planned run needs (its rate masters), or says why
// the run cannot start.
func (s *Service) sourceFor(ctx context.Context, tenant string, req RunRequest) (source, error) {
	var src source
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		switch req.Service {
		case PropertyTax:
			m, err := propertyMaster(ctx, q, tenant, req.FiscalYear)
			if err != nil {
				return err
			}
			pp, err := newPropertyPricer(m, req.FiscalYear)
			src = &propertySource{tenant: tenant, ward: req.Ward, pricer: pp}
			return err
		case Water:
			m, err := waterMastersOf(ctx, q, tenant, req.FiscalYear)
			if err == nil && m.metered == nil && m.flat == nil {
				err = noMaster("water", req.FiscalYear)
			}
			src = &waterSource{tenant: tenant, ward: req.Ward, period: req.Period, masters: m}
			return err
		default:
			m, err := tradeMaster(ctx, q, tenant, req.FiscalYear)
			src = &licenceSource{tenant: tenant, ward: req.Ward, fy: req.FiscalYear, on: req.AsOf, master: m}
			return err
		}
	})
	return src, err
}

// UseJobs gives the service the job client it enqueues runs with.
func (s *Service) UseJobs(c jobs.Inserter) { s.jobs = c }

// AddWorkers registers the billing jobs' workers.
func AddWorkers(w *river.Workers, s *Service) {
	river.AddWorker(w, &runWorker{svc: s})
}

// StartRun records a run and enqueues its job in one transaction.
func (s *Service) StartRun(ctx context.Context, tenant string, req RunRequest, actor string) (Run, error) {
	req, err := s.plan(req)
	if err != nil {
		return Run{}, err
	}
	if s.jobs == nil {
		return Run{}, errors.New("billing: no job client (UseJobs)")
	}
	src, err := s.sourceFor(ctx, tenant, req)
	if err != nil {
		return Run{}, err
	}
	var id int64
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		n, err := src.count(ctx, q)
		if err != nil {
			return err
		}
		row, err := q.DemandRunInsert(ctx, dbq.DemandRunInsertParams{TenantID: tenant, Service: req.Service,
			FiscalYear: int32(req.FiscalYear), PeriodFrom: req.Period.From, PeriodTo: req.Period.To, AsOf: req.AsOf,
			Ward: req.Ward, Expected: int32(n), RequestedBy: actor})
		if db.UniqueViolation(err) == "demand_runs_one_live" {
			return &ledger.ExistsError{What: fmt.Sprintf("a live %s run for %s%s", req.Service, req.Period, wardSuffix(req.Ward))}
		}
		if err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		id = row.ID
		job, err := s.jobs.InsertTx(ctx, tx, RunArgs{TenantID: tenant, RunID: id}, nil)
		if err != nil {
			return fmt.Errorf("enqueue run: %w", err)
		}
		return q.DemandRunSetJob(ctx, dbq.DemandRunSetJobParams{TenantID: tenant, ID: id, JobID: job.Job.ID})
	})
	if err != nil {
		return Run{}, err
	}
	return s.GetRun(ctx, tenant, id)
}

func wardSuffix(ward string) string {
	if ward == "" {
		return ""
	}
	return ", ward " + ward
}

// GetRun reads a run's progress.
func (s *Service) GetRun(ctx context.Context, tenant string, id int64) (Run, error) {
	var r dbq.DemandRun
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		r, err = dbq.New(tx).DemandRunGet(ctx, dbq.DemandRunGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("run %d", id)}
		}
		return err
	})
	if err != nil {
		return Run{}, err
	}
	return runOut(r)
}

func runOut(r dbq.DemandRun) (Run, error) {
	out := Run{ID: r.ID, Service: r.Service, FiscalYear: int(r.FiscalYear), Ward: r.Ward, Status: r.Status,
		Period: Period{From: r.PeriodFrom, To: r.PeriodTo}, AsOf: r.AsOf,
		Expected: int(r.Expected), Entries: int(r.Entries), Raised: int(r.Raised), Existing: int(r.Existing),
		Skipped: int(r.Skipped), Total: r.Total, Error: r.Error, JobID: r.JobID, Cursor: r.Cursor, RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	if err := json.Unmarshal(r.Skips, &out.Skips); err != nil {
		return Run{}, fmt.Errorf("read run %d's skips: %w", r.ID, err)
	}
	return out, nil
}

// RunArgs is a run's job.
type RunArgs struct {
	TenantID string `json:"tenant_id"`
	RunID    int64  `json:"run_id"`
}

// Kind names the job.
func (RunArgs) Kind() string { return "billing.demand_run" }

// InsertOpts gives a run ten attempts: a batch that fails (a lost
// connection, a deadlock) is retried with backoff from the run's cursor.
func (RunArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 10} }

type runWorker struct {
	river.WorkerDefaults[RunArgs]
	svc *Service
}

// Work goes on with a run for one time slice, then snoozes to be picked up
// again; the last attempt's error marks the run failed.
func (w *runWorker) Work(ctx context.Context, job *river.Job[RunArgs]) error {
	a := job.Args
	done, err := w.svc.work(ctx, a.TenantID, a.RunID, jobs.Slice)
	if err != nil {
		// Bad register data or a missing master fails the same way on
		// every attempt: the run fails now, naming it; anything else
		// (a lost connection) is retried from the cursor.
		final := isInputError(err) || job.Attempt >= job.MaxAttempts
		status := ""
		if final {
			status = RunFailed
		}
		if nerr := w.svc.noteRunError(context.WithoutCancel(ctx), a.TenantID, a.RunID, status, err); nerr != nil {
			return errors.Join(err, nerr)
		}
		if final {
			return river.JobCancel(err)
		}
		return err
	}
	if !done {
		return river.JobSnooze(0)
	}
	return nil
}

// isInputError reports an error no retry can mend.
func isInputError(err error) bool {
	var ve *ledger.ValidationError
	var pe *ledger.PreconditionError
	var nf *ledger.NotFoundError
	return errors.As(err, &ve) || errors.As(err, &pe) || errors.As(err, &nf)
}

func (s *Service) noteRunError(ctx context.Context, tenant string, id int64, status string, cause error) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if status != "" {
			return q.DemandRunFinish(ctx, dbq.DemandRunFinishParams{TenantID: tenant, ID: id, Status: status, Error: cause.Error()})
		}
		return q.DemandRunNoteError(ctx, dbq.DemandRunNoteErrorParams{TenantID: tenant, ID: id, Error: cause.Error()})
	})
}

// computed is a page of a run, computed ahead of its write.
type computed struct {
	runPage
	after string
	err   error
}

// work raises the run's demands batch by batch for up to slice, reading and
// computing the next page while the last is written. It reports whether
// the run is over.
func (s *Service) work(ctx context.Context, tenant string, id int64, slice time.Duration) (bool, error) {
	r, err := s.GetRun(ctx, tenant, id)
	if err != nil || r.Status == RunDone || r.Status == RunFailed {
		return true, err
	}
	src, err := s.sourceFor(ctx, tenant, RunRequest{Service: r.Service, FiscalYear: r.FiscalYear, Period: r.Period,
		AsOf: r.AsOf, Ward: r.Ward})
	if err != nil {
		return false, err
	}
	heads, err := s.headsByService(ctx, tenant)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan computed, 2)
	go s.compute(ctx, tenant, src, r.Cursor, pages)
	w := &writers{cancel: cancel, slots: make(chan struct{}, inFlight)}
	return w.run(ctx, s, tenant, r, heads, pages, time.Now().Add(slice))
}

// inFlight is how many batches a run writes at once: while one holds the
// ledger, the next ones write their demands and their vouchers' lines
// (which take longer than the ledger's part; with two, the ledger idled).
const inFlight = 3

// writers writes a run's pages, up to inFlight at once, each committing
// after the one before it.
type writers struct {
	cancel context.CancelFunc
	slots  chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	moved  bool
}

func (w *writers) done(moved bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil && w.err == nil {
		w.err = err
		w.cancel()
	}
	if moved {
		w.moved = true
		w.cancel()
	}
}

// run writes pages until the register ends (then finishes the run), the
// deadline passes, a batch fails, or another worker is found on the run.
func (w *writers) run(ctx context.Context, s *Service, tenant string, r Run, heads map[string]map[string]TaxHead, pages <-chan computed, deadline time.Time) (bool, error) {
	prev := make(chan struct{})
	close(prev)
	batches, end := 0, ""
	finished := false
pages:
	for p := range pages {
		if p.err != nil {
			w.done(false, p.err)
			break
		}
		if p.read == 0 {
			finished, end = true, p.after
			break
		}
		// The demand tables may have doubled since the planner last looked.
		if batches&(batches-1) == 0 {
			if err := s.refreshStats(ctx); err != nil {
				w.done(false, err)
				break
			}
		}
		batches++
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			break pages
		}
		t := &turn{prev: prev, mine: make(chan struct{})}
		prev = t.mine
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer func() { <-w.slots }()
			w.done(s.writeBatch(ctx, tenant, r, heads, p, t))
		}()
		if time.Now().After(deadline) {
			break
		}
	}
	w.wg.Wait()
	switch {
	case w.err != nil:
		return false, w.err
	case w.moved:
		// Another worker holds this run (a rescued job whose first worker
		// lives on): leave it the run.
		return true, nil
	case finished:
		return true, s.finishRun(ctx, tenant, r.ID, end)
	}
	return false, context.Cause(ctx)
}

// turn makes a batch lock its run only after the batch before it has: the
// run's row lock, held to commit, then orders their commits, so the cursor
// only ever moves forward over committed batches.
type turn struct {
	prev <-chan struct{}
	mine chan struct{}
	once sync.Once
}

func (t *turn) wait(ctx context.Context) error {
	select {
	case <-t.prev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *turn) pass() { t.once.Do(func() { close(t.mine) }) }

// refreshStats re-analyzes the demand tables (see munim_refresh_billing_stats).
func (s *Service) refreshStats(ctx context.Context) error {
	if err := dbq.New(s.pool).RefreshBillingStats(ctx); err != nil {
		return fmt.Errorf("refresh planner statistics: %w", err)
	}
	return nil
}

// compute sends computed pages after cursor until the register ends (a
// page of nothing read), an error, or ctx is done.
func (s *Service) compute(ctx context.Context, tenant string, src source, cursor string, out chan<- computed) {
	defer close(out)
	for {
		p := computed{after: cursor}
		p.err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
			var err error
			p.runPage, err = src.page(ctx, dbq.New(tx), cursor, cmp.Or(s.runBatch, runBatch))
			return err
		})
		select {
		case out <- p:
		case <-ctx.Done():
			return
		}
		if p.err != nil || p.read == 0 {
			return
		}
		cursor = p.last
	}
}

// errMoved rolls back a batch whose run moved on without it.
var errMoved = errors.New("the run's cursor moved")

// writeBatch raises a page's demands not raised yet and advances the run,
// in one transaction: first the demands (while the batch before may still
// hold the ledger), then, in its turn, the run's lock and the accrual
// vouchers. It reports moved when the run's cursor is no longer where the
// page began: another worker has done it (or the batch before failed).
func (s *Service) writeBatch(ctx context.Context, tenant string, run Run, heads map[string]map[string]TaxHead, p computed, t *turn) (moved bool, err error) {
	defer t.pass()
	var vs []ledger.FieldViolation
	for i := range p.demands {
		vs = append(vs, p.demands[i].validate(p.demands[i].ConsumerCode, heads[p.demands[i].Service])...)
	}
	if len(vs) > 0 {
		return false, &ledger.ValidationError{Violations: vs}
	}
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		todo, err := notRaised(ctx, q, tenant, run, p.demands)
		if err != nil {
			return err
		}
		var st staged
		if len(todo) > 0 {
			if st, err = s.stageTx(ctx, tx, tenant, run.RequestedBy, FromRun, todo, heads); err != nil {
				return err
			}
		}
		if err := t.wait(ctx); err != nil {
			return err
		}
		r, err := q.DemandRunLock(ctx, dbq.DemandRunLockParams{TenantID: tenant, ID: run.ID})
		t.pass()
		if err != nil {
			return fmt.Errorf("lock run: %w", err)
		}
		if r.Cursor != p.after || r.Status == RunDone || r.Status == RunFailed {
			return errMoved
		}
		total := decimal.Zero
		if len(todo) > 0 {
			if err := s.postStaged(ctx, tx, st); err != nil {
				return err
			}
			for i := range todo {
				total = total.Add(todo[i].total())
			}
		}
		listed := append([]Skip{}, p.skips[:min(len(p.skips), max(0, maxSkips-int(r.Skipped)))]...)
		skips, err := json.Marshal(listed)
		if err != nil {
			return err
		}
		return q.DemandRunAdvance(ctx, dbq.DemandRunAdvanceParams{TenantID: tenant, ID: run.ID, Cursor: p.last,
			Entries: int32(p.read), Raised: int32(len(todo)), Existing: int32(len(p.demands) - len(todo)),
			Skipped: int32(len(p.skips)), Skips: skips, Total: total})
	})
	if errors.Is(err, errMoved) {
		return true, nil
	}
	return false, err
}

// notRaised drops the demands whose consumer already has a demand for the
// period (raised by an earlier attempt, or by other means).
func notRaised(ctx context.Context, q *dbq.Queries, tenant string, run Run, demands []DemandInput) ([]DemandInput, error) {
	if len(demands) == 0 {
		return nil, nil
	}
	codes := make([]string, len(demands))
	for i, d := range demands {
		codes[i] = d.ConsumerCode
	}
	found, err := q.DemandConsumersRaised(ctx, dbq.DemandConsumersRaisedParams{TenantID: tenant, Service: run.Service,
		ConsumerCodes: codes, FromDate: run.Period.From, ToDate: run.Period.To})
	if err != nil {
		return nil, fmt.Errorf("find raised demands: %w", err)
	}
	if len(found) == 0 {
		return demands, nil
	}
	type key struct {
		code string
		from time.Time
	}
	raised := make(map[key]bool, len(found))
	for _, f := range found {
		raised[key{f.ConsumerCode, f.PeriodFrom}] = true
	}
	todo := make([]DemandInput, 0, len(demands)-len(found))
	for _, d := range demands {
		if !raised[key{d.ConsumerCode, d.PeriodFrom}] {
			todo = append(todo, d)
		}
	}
	return todo, nil
}

func (s *Service) finishRun(ctx context.Context, tenant string, id int64, cursor string) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		r, err := q.DemandRunLock(ctx, dbq.DemandRunLockParams{TenantID: tenant, ID: id})
		if err != nil || r.Cursor != cursor || r.Status == RunDone {
			return err
		}
		return q.DemandRunFinish(ctx, dbq.DemandRunFinishParams{TenantID: tenant, ID: id, Status: RunDone})
	})
}

// propertySource is the property register priced by the year's master.
type propertySource struct {
	tenant, ward string
	pricer       *propertyPricer
}

func (p *propertySource) count(ctx context.Context, q *dbq.Queries) (int, error) {
	n, err := q.PropertyCount(ctx, dbq.PropertyCountParams{TenantID: p.tenant, Ward: p.ward})
	return int(n), err
}

func (p *propertySource) page(ctx context.Context, q *dbq.Queries, after string, limit int) (runPage, error) {
	ps, err := properties(ctx, q, p.tenant, pageFilter{ward: p.ward, after: after, limit: limit})
	if err != nil || len(ps) == 0 {
		return runPage{}, err
	}
	out := runPage{read: len(ps), last: ps[len(ps)-1].ConsumerCode, demands: make([]DemandInput, 0, len(ps))}
	for _, prop := range ps {
		d, err := p.pricer.demand(prop)
		if err != nil {
			return runPage{}, err
		}
		out.demands = append(out.demands, d)
	}
	return out, nil
}

// waterSource is the connections live in the period, priced by the year's
// water masters; a metered connection not read in the period is skipped.
type waterSource struct {
	tenant, ward string
	period       Period
	masters      waterMasters
}

func (w *waterSource) count(ctx context.Context, q *dbq.Queries) (int, error) {
	n, err := q.WaterConnectionCount(ctx, dbq.WaterConnectionCountParams{TenantID: w.tenant, Ward: w.ward,
		LiveFrom: w.period.From, LiveTo: w.period.To})
	return int(n), err
}

func (w *waterSource) page(ctx context.Context, q *dbq.Queries, after string, limit int) (runPage, error) {
	cs, err := waterConnections(ctx, q, w.tenant, pageFilter{ward: w.ward, after: after, limit: limit, from: w.period.From, to: w.period.To})
	if err != nil || len(cs) == 0 {
		return runPage{}, err
	}
	codes := make([]string, len(cs))
	for i, c := range cs {
		codes[i] = c.ConsumerCode
	}
	readings, err := meterReadings(ctx, q, w.tenant, codes, w.period.From, w.period.To)
	if err != nil {
		return runPage{}, err
	}
	out := runPage{read: len(cs), last: cs[len(cs)-1].ConsumerCode}
	for _, c := range cs {
		d, err := waterDemand(c, readings[c.ConsumerCode], w.masters, w.period)
		if errors.Is(err, ErrNoReading) {
			out.skips = append(out.skips, Skip{ConsumerCode: c.ConsumerCode, Reason: err.Error()})
			continue
		}
		if err != nil {
			return runPage{}, err
		}
		out.demands = append(out.demands, d)
	}
	return out, nil
}

// licenceSource is the active licences whose renewal falls due in the
// fiscal year, priced by its trade master as of the run's day.
type licenceSource struct {
	tenant, ward string
	fy           int
	on           time.Time
	master       calc.TradeMaster
}

func (l *licenceSource) count(ctx context.Context, q *dbq.Queries) (int, error) {
	from, to := renewalWindow(l.fy)
	n, err := q.TradeLicenceCount(ctx, dbq.TradeLicenceCountParams{TenantID: l.tenant, Ward: l.ward, Status: LicenceActive,
		ExpiringFrom: from, ExpiringTo: to})
	return int(n), err
}

func (l *licenceSource) page(ctx context.Context, q *dbq.Queries, after string, limit int) (runPage, error) {
	from, to := renewalWindow(l.fy)
	ls, err := licences(ctx, q, l.tenant, pageFilter{ward: l.ward, after: after, limit: limit, from: from, to: to}, LicenceActive)
	if err != nil || len(ls) == 0 {
		return runPage{}, err
	}
	out := runPage{read: len(ls), last: ls[len(ls)-1].ConsumerCode}
	for _, lic := range ls {
		d, err := licenceDemand(lic, l.master, l.fy, l.on)
		if err != nil {
			return runPage{}, err
		}
		out.demands = append(out.demands, d)
	}
	return out, nil
}
