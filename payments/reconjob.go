package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
)

// reconcileAt is the hour of India's day after a settlement day when the
// day is reconciled: the report of a day is complete by then.
const reconcileAt = 6 * time.Hour

// sweepLimit bounds the transactions one daily sweep polls.
const sweepLimit = 1000

// ReconcileArgs is the job that reconciles one tenant's settlement day and
// then schedules the next day's.
type ReconcileArgs struct {
	TenantID string `json:"tenant_id"`
	Day      string `json:"day"` // YYYY-MM-DD, India
}

// Kind names the job.
func (ReconcileArgs) Kind() string { return "payments.reconcile" }

// InsertOpts: one job per tenant and day; a gateway that does not answer
// is retried with River's backoff for days.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	svc *Service
}

// Work reconciles the day, sweeps the transactions whose poll is overdue,
// and chains the next day.
func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[ReconcileArgs]) error {
	day, err := time.ParseInLocation(time.DateOnly, job.Args.Day, gateway.IST)
	if err != nil {
		return river.JobCancel(err)
	}
	if _, err := w.svc.RunReconciliation(ctx, job.Args.TenantID, "system:reconcile", day); err != nil {
		return err
	}
	// A sweep behind the pollers: a transaction whose job was lost (its
	// errors exhausted) is still asked about, daily at worst.
	if _, err := w.svc.PollDue(ctx, job.Args.TenantID, sweepLimit); err != nil {
		return err
	}
	return w.svc.scheduleReconciliation(ctx, job.Args.TenantID, day.AddDate(0, 0, 1))
}

// scheduleReconciliation enqueues the reconciliation of day, to run early
// the next morning.
func (s *Service) scheduleReconciliation(ctx context.Context, tenant string, day time.Time) error {
	if s.jobs == nil {
		return nil
	}
	return db.WithTx(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := s.jobs.InsertTx(ctx, tx, ReconcileArgs{TenantID: tenant, Day: day.Format(time.DateOnly)},
			&river.InsertOpts{ScheduledAt: day.AddDate(0, 0, 1).Add(reconcileAt)})
		if err != nil {
			return fmt.Errorf("schedule reconciliation of %s: %w", day.Format(time.DateOnly), err)
		}
		return nil
	})
}

// ScheduleReconciliations starts each configured tenant's daily chain at
// yesterday (due now); a chain already running is not doubled.
func (s *Service) ScheduleReconciliations(ctx context.Context) error {
	y, m, d := s.now().In(gateway.IST).AddDate(0, 0, -1).Date()
	yesterday := time.Date(y, m, d, 0, 0, 0, 0, gateway.IST)
	for tenant := range s.accounts {
		if err := s.scheduleReconciliation(ctx, tenant, yesterday); err != nil {
			return err
		}
	}
	return nil
}
