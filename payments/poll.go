package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gateway"
	"github.com/munimhq/munim/gen/dbq"
)

// The poller's backoff: 30 seconds after an order is opened, doubling with
// each unanswered poll up to an hour, and then hourly for as long as the
// transaction is not final. There is no age limit: a UPI payment captured a
// week late is still found.
const (
	firstPoll = 30 * time.Second
	maxPoll   = time.Hour
)

// errNoOrder: the transaction has no gateway order to ask about yet.
var errNoOrder = errors.New("no gateway order yet")

// backoff is the wait before poll number attempts+1.
func backoff(attempts int) time.Duration {
	if attempts >= 7 { // 30s << 7 is past the hour
		return maxPoll
	}
	return min(firstPoll<<attempts, maxPoll)
}

// Poll asks the gateway about one transaction: every payment against its
// order is applied as a webhook would be. It reports whether the
// transaction is final and, if not, when to ask again. A gateway that
// does not answer decides nothing: the transaction stays as it is.
func (s *Service) Poll(ctx context.Context, tenant string, id int64) (final bool, again time.Duration, err error) {
	gw, _, err := s.gateway(tenant)
	if err != nil {
		return true, 0, err
	}
	t, err := s.Get(ctx, tenant, id)
	if err != nil {
		return false, 0, err
	}
	if t.Status.Final() {
		return true, 0, nil
	}
	var pays []gateway.Payment
	perr := errNoOrder
	if t.OrderID != "" {
		pays, perr = gw.OrderPayments(ctx, t.OrderID)
	}
	switch {
	case errors.Is(perr, errNoOrder):
		// No order was opened (the gateway did not answer): nothing can
		// have been paid yet. The citizen's retry opens it; keep watching.
	case perr == nil:
		for _, p := range pays {
			if err := s.apply(ctx, tenant, viaPoll, p); err != nil {
				return false, 0, err
			}
		}
		if t, err = s.Get(ctx, tenant, id); err != nil {
			return false, 0, err
		}
		if t.Status.Final() {
			return true, 0, nil
		}
	case !gateway.Unreachable(perr):
		return false, 0, perr
	}
	again = backoff(t.PollAttempts + 1)
	next, why := s.now().Add(again), ""
	if perr != nil {
		why = perr.Error()
	}
	err = db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return dbq.New(tx).GatewayTxnPolled(ctx, dbq.GatewayTxnPolledParams{TenantID: tenant, ID: id, NextPollAt: &next, LastError: why})
	})
	return false, again, err
}

// PollDue polls every transaction of tenant whose poll is due, returning
// how many it polled; a sweep behind the per-transaction jobs.
func (s *Service) PollDue(ctx context.Context, tenant string, limit int) (int, error) {
	var ids []int64
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		ids, err = dbq.New(tx).GatewayTxnOpen(ctx, dbq.GatewayTxnOpenParams{TenantID: tenant, Now: s.now(), MaxRows: int32(limit)})
		return err
	})
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, id := range ids {
		if _, _, err := s.Poll(ctx, tenant, id); err != nil {
			errs = append(errs, fmt.Errorf("transaction %d: %w", id, err))
		}
	}
	return len(ids), errors.Join(errs...)
}

// PollArgs is the job that polls one transaction until it is final.
type PollArgs struct {
	TenantID      string `json:"tenant_id"`
	TransactionID int64  `json:"transaction_id"`
}

// Kind names the job.
func (PollArgs) Kind() string { return "payments.poll" }

// InsertOpts: one poller per transaction. Snoozes do not use up attempts;
// MaxAttempts bounds only errors of our own (the database), retried with
// River's backoff.
func (PollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 25, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type pollWorker struct {
	river.WorkerDefaults[PollArgs]
	svc *Service
}

// Work polls and snoozes until the transaction is final.
func (w *pollWorker) Work(ctx context.Context, job *river.Job[PollArgs]) error {
	final, again, err := w.svc.Poll(ctx, job.Args.TenantID, job.Args.TransactionID)
	switch {
	case errors.Is(err, ErrNoAccount):
		return river.JobCancel(err)
	case err != nil:
		return err
	case final:
		return nil
	}
	return river.JobSnooze(again)
}

// AddWorkers registers the payment jobs' workers.
func AddWorkers(w *river.Workers, s *Service) {
	river.AddWorker(w, &pollWorker{svc: s})
	river.AddWorker(w, &reconcileWorker{svc: s})
}

// enqueuePoll schedules the poller of a new transaction, in its transaction.
func (s *Service) enqueuePoll(ctx context.Context, tx pgx.Tx, tenant string, id int64, after time.Duration) error {
	if s.jobs == nil {
		return nil
	}
	_, err := s.jobs.InsertTx(ctx, tx, PollArgs{TenantID: tenant, TransactionID: id}, &river.InsertOpts{ScheduledAt: s.now().Add(after)})
	if err != nil {
		return fmt.Errorf("enqueue payment poller: %w", err)
	}
	return nil
}
