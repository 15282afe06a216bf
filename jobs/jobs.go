// Package jobs runs Munim's background work as River jobs in PostgreSQL, so
// that a job is enqueued in the same transaction as the data it acts on.
// Domains register their workers; the binary starts one client per process.
package jobs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/munimhq/munim/db"
)

// Client enqueues and works jobs.
type Client = river.Client[pgx.Tx]

// Inserter is what a domain needs to enqueue work in its own transaction.
type Inserter interface {
	InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Timing shared by every job. A long job works in slices shorter than
// Timeout and snoozes between them, so that a job whose process died is
// picked up again after RescueAfter without a live one ever being taken
// for dead.
const (
	Timeout     = 5 * time.Minute
	RescueAfter = 10 * time.Minute
	Slice       = 2 * time.Minute
)

// Config sets up a client.
type Config struct {
	Workers *river.Workers
	// MaxWorkers bounds the jobs worked at once by this process (default 4).
	MaxWorkers int
	// InsertOnly makes a client that enqueues but works nothing.
	InsertOnly bool
	Logger     *slog.Logger
}

// New returns a client on pool. Call Start to work jobs, Stop to finish.
func New(pool *pgxpool.Pool, cfg Config) (*Client, error) {
	rc := &river.Config{
		Schema:               db.JobSchema,
		Logger:               cfg.Logger,
		JobTimeout:           Timeout,
		RescueStuckJobsAfter: RescueAfter,
		Workers:              cfg.Workers,
	}
	if !cfg.InsertOnly {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmp.Or(cfg.MaxWorkers, 4)}}
	}
	c, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	return c, nil
}
