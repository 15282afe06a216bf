package assets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

// The statuses of a depreciation job.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// DepreciationJob is a depreciation run asked for over the API and done in
// the background by a River job (the run itself is Depreciate's: one
// transaction, idempotent by date).
type DepreciationJob struct {
	ID          int64
	ThroughDate time.Time
	Status      string
	Expected    int // assets in use of depreciable classes when queued
	// What the run did, once done: the run (made by the job, or Replayed:
	// found made before, posting nothing), its total, the assets it
	// examined and its voucher (0 when it charged nothing).
	RunID       int64
	Replayed    bool
	Total       decimal.Decimal
	Assets      int
	VoucherID   int64
	Error       string
	RiverJobID  int64
	RequestedBy string
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
}

// UseJobs gives the service the job client it enqueues depreciation with.
func (s *Service) UseJobs(c jobs.Inserter) { s.jobs = c }

// AddWorkers registers the asset jobs' workers.
func AddWorkers(w *river.Workers, s *Service) {
	river.AddWorker(w, &depreciationWorker{svc: s})
}

// StartDepreciation records a depreciation job through a date and enqueues
// it, in one transaction. Asking again while a job through the date is
// still queued or running returns that job; a job through a date already
// run finds the run and posts nothing.
func (s *Service) StartDepreciation(ctx context.Context, tenant, actor string, through time.Time) (DepreciationJob, error) {
	if through.IsZero() {
		return DepreciationJob{}, invalid("through_date", "is required")
	}
	if s.jobs == nil {
		return DepreciationJob{}, errors.New("assets: no job client (UseJobs)")
	}
	var id int64
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		live, err := q.DepreciationJobLive(ctx, dbq.DepreciationJobLiveParams{TenantID: tenant, ThroughDate: through})
		switch {
		case err == nil:
			id = live
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("look up live job: %w", err)
		}
		n, err := q.AssetDepreciableCount(ctx, dbq.AssetDepreciableCountParams{TenantID: tenant, ThroughDate: through})
		if err != nil {
			return fmt.Errorf("count assets: %w", err)
		}
		if id, err = q.DepreciationJobInsert(ctx, dbq.DepreciationJobInsertParams{TenantID: tenant, ThroughDate: through,
			Expected: n, RequestedBy: actor}); err != nil {
			return fmt.Errorf("record job: %w", err)
		}
		job, err := s.jobs.InsertTx(ctx, tx, DepreciationArgs{TenantID: tenant, JobID: id}, nil)
		if err != nil {
			return fmt.Errorf("enqueue job: %w", err)
		}
		return q.DepreciationJobSetJob(ctx, dbq.DepreciationJobSetJobParams{TenantID: tenant, ID: id, JobID: job.Job.ID})
	})
	if db.UniqueViolation(err) == "depreciation_jobs_one_live" {
		// Another request queued the date's job between our look and insert.
		return s.StartDepreciation(ctx, tenant, actor, through)
	}
	if err != nil {
		return DepreciationJob{}, err
	}
	return s.DepreciationJob(ctx, tenant, id)
}

// DepreciationJob reads a depreciation job and how far it has gone.
func (s *Service) DepreciationJob(ctx context.Context, tenant string, id int64) (DepreciationJob, error) {
	var r dbq.DepreciationJobGetRow
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		r, err = dbq.New(tx).DepreciationJobGet(ctx, dbq.DepreciationJobGetParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("depreciation job %d", id)}
		}
		return err
	})
	if err != nil {
		return DepreciationJob{}, err
	}
	return DepreciationJob{ID: r.ID, ThroughDate: r.ThroughDate, Status: r.Status, Expected: int(r.Expected), RunID: r.RunID.Int64,
		Replayed: r.Replayed, Total: r.Total, Assets: int(r.Assets), VoucherID: r.VoucherID.Int64, Error: r.Error, RiverJobID: r.JobID,
		RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}, nil
}

// DepreciationArgs is a depreciation job.
type DepreciationArgs struct {
	TenantID string `json:"tenant_id"`
	JobID    int64  `json:"job_id"`
}

// Kind names the job.
func (DepreciationArgs) Kind() string { return "assets.depreciation" }

// InsertOpts gives a job five attempts: a lost connection or a deadlock is
// retried with backoff; the run is one transaction, so a retry starts clean.
func (DepreciationArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

type depreciationWorker struct {
	river.WorkerDefaults[DepreciationArgs]
	svc *Service
}

// Work runs the job's depreciation and marks the job done in the same
// transaction, so a job that dies half-way leaves nothing behind and its
// retry runs from the start; a retry after the commit finds the job done.
// An error no retry can mend (a closed period, a class with no terms)
// fails the job at once, naming it; the last attempt's error fails it too.
func (w *depreciationWorker) Work(ctx context.Context, job *river.Job[DepreciationArgs]) error {
	a := job.Args
	err := w.svc.work(ctx, a.TenantID, a.JobID)
	if err == nil {
		return nil
	}
	final := isInputError(err) || job.Attempt >= job.MaxAttempts
	if nerr := w.svc.noteJobError(context.WithoutCancel(ctx), a.TenantID, a.JobID, final, err); nerr != nil {
		return errors.Join(err, nerr)
	}
	if final {
		return river.JobCancel(err)
	}
	return err
}

func (s *Service) work(ctx context.Context, tenant string, id int64) error {
	// Mark it running first, in a transaction of its own, so GetJob shows
	// the run under way while its transaction is open.
	if err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return dbq.New(tx).DepreciationJobStart(ctx, dbq.DepreciationJobStartParams{TenantID: tenant, ID: id})
	}); err != nil {
		return fmt.Errorf("start job: %w", err)
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		status, err := q.DepreciationJobLock(ctx, dbq.DepreciationJobLockParams{TenantID: tenant, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return &ledger.NotFoundError{What: fmt.Sprintf("depreciation job %d", id)}
		}
		if err != nil || status == JobDone || status == JobFailed {
			return err
		}
		j, err := q.DepreciationJobGet(ctx, dbq.DepreciationJobGetParams{TenantID: tenant, ID: id})
		if err != nil {
			return fmt.Errorf("read job: %w", err)
		}
		run, err := s.depreciateTx(ctx, tx, tenant, j.RequestedBy, j.ThroughDate)
		if err != nil {
			return err
		}
		return q.DepreciationJobFinish(ctx, dbq.DepreciationJobFinishParams{TenantID: tenant, ID: id, Status: JobDone,
			RunID: pgtype.Int8{Int64: run.ID, Valid: true}, Replayed: run.Replayed})
	})
}

// isInputError reports an error no retry can mend.
func isInputError(err error) bool {
	var ve *ledger.ValidationError
	var pe *ledger.PreconditionError
	var nf *ledger.NotFoundError
	return errors.As(err, &ve) || errors.As(err, &pe) || errors.As(err, &nf)
}

// noteJobError records why an attempt failed: on the last (final) one the
// job fails; otherwise it stays live for River's retry.
func (s *Service) noteJobError(ctx context.Context, tenant string, id int64, final bool, cause error) error {
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if final {
			return q.DepreciationJobFinish(ctx, dbq.DepreciationJobFinishParams{TenantID: tenant, ID: id, Status: JobFailed, Error: cause.Error()})
		}
		return q.DepreciationJobNoteError(ctx, dbq.DepreciationJobNoteErrorParams{TenantID: tenant, ID: id, Error: cause.Error()})
	})
}
