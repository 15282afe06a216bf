package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
)

// unauthenticated names the actor of every change until authentication
// lands (issue 3): the books record it in posted_by and period events.
func unauthenticated(context.Context) string { return "unauthenticated" }

// openDatabase connects to dsn, first applying pending migrations when
// migrate is set.
func openDatabase(ctx context.Context, dsn string, migrate bool, log *slog.Logger) (*pgxpool.Pool, error) {
	if migrate {
		if err := db.Migrate(ctx, dsn, log); err != nil {
			return nil, err
		}
	}
	return db.Open(ctx, dsn)
}

// newServer wires every service of the binary onto one server.
func newServer(cfg server.Config, pool *pgxpool.Pool, led *ledger.Ledger, log *slog.Logger) (*server.Server, error) {
	srv, err := server.New(cfg, log)
	if err != nil {
		return nil, err
	}
	opts := srv.HandlerOptions()
	srv.Register(ledger.NewHandler(led, log, unauthenticated, opts...))
	srv.Register(tenancy.NewHandler(tenancy.NewService(pool), log, unauthenticated, opts...))
	return srv, nil
}
