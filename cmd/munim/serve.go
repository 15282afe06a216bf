package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/server"
)

func runServe(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dsn, err := databaseURL()
	if err != nil {
		return err
	}
	pool, err := openDatabase(ctx, dsn, *migrate, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	shutdownTracing, err := server.SetupTracing(ctx, log)
	if err != nil {
		return err
	}
	defer shutdownTracing(context.WithoutCancel(ctx))
	srv, err := newServer(server.Config{Addr: *addr}, pool, ledger.New(pool, ledger.Config{Logger: log}), log)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", *addr)
	return srv.ListenAndServe(ctx)
}

func runMigrate(ctx context.Context, log *slog.Logger, args []string) error {
	dsn, err := databaseURL()
	if err != nil {
		return err
	}
	return db.Migrate(ctx, dsn, log)
}
