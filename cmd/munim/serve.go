package main

import (
	"cmp"
	"context"
	"flag"
	"log/slog"
	"os"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/server"
)

func runServe(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	migrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	dev := fs.Bool("dev", false, "development: without a configured secret or JWKS, sign and verify tokens with a local secret")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ac := authConfigFromEnv()
	if len(ac.secret) == 0 && ac.jwksURL == "" && ac.oidcIssuer == "" {
		if !*dev {
			return errNoSigningKey
		}
		var err error
		if ac.secret, err = devSecret(cmp.Or(os.Getenv("MUNIM_DATA"), ".munim")); err != nil {
			return err
		}
		log.Warn("development mode: tokens are signed with a local secret; mint one with `munim token`")
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
	a, err := newApp(ctx, server.Config{Addr: *addr}, ac, pool, log)
	if err != nil {
		return err
	}
	defer a.Close()
	log.Info("serving", "addr", *addr)
	return a.srv.ListenAndServe(ctx)
}

func runMigrate(ctx context.Context, log *slog.Logger, args []string) error {
	dsn, err := databaseURL()
	if err != nil {
		return err
	}
	return db.Migrate(ctx, dsn, log)
}
