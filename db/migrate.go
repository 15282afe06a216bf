package db

import (
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies every pending migration to the database at dsn.
func Migrate(ctx context.Context, dsn string, log *slog.Logger) error {
	sqlDB, err := goose.OpenDBWithDriver("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open for migration: %w", err)
	}
	defer sqlDB.Close()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	files, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, files, goose.WithLogger(gooseLogger{log}))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return migrateJobs(ctx, dsn, log)
}

// JobSchema holds River's tables, apart from Munim's: they are not tenant
// data, and River's own migrations manage them.
const JobSchema = "river"

// migrateJobs brings River's tables in JobSchema up to date and lets the
// application role use them.
func migrateJobs(ctx context.Context, dsn string, log *slog.Logger) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open for job migration: %w", err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+JobSchema); err != nil {
		return fmt.Errorf("create job schema: %w", err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: JobSchema, Logger: log})
	if err != nil {
		return err
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate job tables: %w", err)
	}
	for _, v := range res.Versions {
		log.Info("job migration applied", "version", v.Version, "name", v.Name)
	}
	_, err = pool.Exec(ctx, `GRANT USAGE ON SCHEMA `+JobSchema+` TO munim_app;
		GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA `+JobSchema+` TO munim_app;
		GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA `+JobSchema+` TO munim_app;
		GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA `+JobSchema+` TO munim_app`)
	if err != nil {
		return fmt.Errorf("grant job tables: %w", err)
	}
	return nil
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" database/sql driver

type gooseLogger struct{ log *slog.Logger }

func (g gooseLogger) Printf(format string, v ...any) { g.log.Info(fmt.Sprintf(format, v...)) }
func (g gooseLogger) Fatalf(format string, v ...any) { g.log.Error(fmt.Sprintf(format, v...)) }
