package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	pgxdecimal "github.com/jackc/pgx-shopspring-decimal"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/munimhq/munim/gen/dbq"
)

// Open connects a pool to dsn. Every connection learns to read and write
// numeric as shopspring decimal.Decimal, so money never passes through a float.
func Open(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// pgxpool's default (4, or the CPU count) is too few once the group
	// committer, the audit writer and readers share a pool. A DSN may still
	// say pool_max_conns.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 16
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		pgxdecimal.Register(conn.TypeMap())
		// Run as munim_app, which owns no table, so row-level security
		// applies even when the login role is the tables' owner.
		if _, err := conn.Exec(ctx, "SET ROLE munim_app"); err != nil {
			return fmt.Errorf("switch to role munim_app (run `munim migrate`, and grant munim_app to the login role): %w", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return pool, nil
}

// Beginner is what WithTx needs: a pool or a connection.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Scope names the tenants a transaction may see: a tenant id, a whole state
// ("uk.*") or "*" (every tenant: Munim's own cross-tenant work). Several are
// joined with commas. Only a single-tenant scope may write.
type Scope string

// AllTenants is the scope of work that spans every tenant.
const AllTenants Scope = "*"

// InTenant runs fn in a transaction scoped to scope (see WithTx for
// commit, rollback and retries). Row-level security hides every other
// tenant's rows from it and refuses writes to them.
func InTenant(ctx context.Context, b Beginner, scope Scope, fn func(tx pgx.Tx) error) error {
	return WithTx(ctx, b, func(tx pgx.Tx) error {
		if err := SetScope(ctx, tx, scope); err != nil {
			return err
		}
		return fn(tx)
	})
}

// ReadTenant is InTenant for reads: a read-only transaction.
func ReadTenant(ctx context.Context, b TxBeginner, scope Scope, fn func(tx pgx.Tx) error) error {
	return WithTx(ctx, readOnly{b}, func(tx pgx.Tx) error {
		if err := SetScope(ctx, tx, scope); err != nil {
			return err
		}
		return fn(tx)
	})
}

// SetScope declares the transaction's scope; callers that compose a
// transaction of their own call it first.
func SetScope(ctx context.Context, tx pgx.Tx, scope Scope) error {
	if scope == "" {
		return errors.New("db: empty tenant scope")
	}
	single := ""
	if !strings.ContainsAny(string(scope), ",*") {
		single = string(scope)
	}
	if err := dbq.New(tx).ScopeSet(ctx, dbq.ScopeSetParams{Tenants: string(scope), Tenant: single}); err != nil {
		return fmt.Errorf("set tenant scope: %w", err)
	}
	return nil
}

// WriterTx runs fn as munim_writer, the role that may COPY into the ledger
// tables; the transaction must be scoped to one tenant, whose rows alone
// the tables' statement triggers accept.
func WriterTx(ctx context.Context, tx pgx.Tx, fn func() error) error {
	q := dbq.New(tx)
	if err := q.RoleWriterBegin(ctx); err != nil {
		return fmt.Errorf("switch to munim_writer: %w", err)
	}
	if err := fn(); err != nil {
		return err
	}
	if err := q.RoleWriterEnd(ctx); err != nil {
		return fmt.Errorf("switch back to munim_app: %w", err)
	}
	return nil
}

// TxBeginner is what ReadTenant needs: a pool or a connection.
type TxBeginner interface {
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

type readOnly struct{ b TxBeginner }

func (r readOnly) Begin(ctx context.Context) (pgx.Tx, error) {
	return r.b.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
}

// maxAttempts bounds how often WithTx reruns fn after a serialization failure
// or a deadlock. Anything else is returned at once.
const maxAttempts = 3

// WithTx runs fn in one transaction: it commits when fn returns nil and rolls
// back otherwise. A rollback runs under context.WithoutCancel so a cancelled
// request still releases its locks. Serialization failures and deadlocks are
// retried up to three attempts in all; fn must therefore be safe to rerun
// (it must not keep state from a failed attempt).
func WithTx(ctx context.Context, b Beginner, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = runTx(ctx, b, fn)
		if err == nil || !IsRetryable(err) {
			return err
		}
	}
	return fmt.Errorf("%w: %w", ErrConflict, err)
}

func runTx(ctx context.Context, b Beginner, fn func(tx pgx.Tx) error) (err error) {
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ErrConflict reports that a transaction kept losing serialization or
// deadlock races after its bounded retries. Clients may retry later.
var ErrConflict = errors.New("transaction conflict, retries exhausted")

// IsRetryable reports a serialization failure (40001) or deadlock (40P01).
func IsRetryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// UniqueViolation returns the constraint name when err is a unique violation
// (23505), and "" otherwise. Callers compare it with the constraint constants
// in constraints.go.
func UniqueViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return pgErr.ConstraintName
	}
	return ""
}

// ForeignKeyViolation returns the constraint name when err is a foreign-key
// violation (23503), and "" otherwise.
func ForeignKeyViolation(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" {
		return pgErr.ConstraintName
	}
	return ""
}
