package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/munimhq/munim/auth"
)

// runToken mints a staff token with MUNIM_JWT_SECRET, for development and
// scripts. The token is the last line of the output.
func runToken(_ context.Context, _ *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	tenants := fs.String("tenant", "", `tenant(s) the token acts on, comma-separated: "uk.dehradun", or "uk.*" for a whole state (required)`)
	roles := fs.String("role", "", "role(s), comma-separated: admin, accountant, approver, cashier, auditor (required)")
	user := fs.String("user", "", "the user's id (sub); default: the first role")
	name := fs.String("name", "", "display name")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := os.Getenv("MUNIM_JWT_SECRET")
	if secret == "" {
		return errors.New("MUNIM_JWT_SECRET is not set (the demo keeps its secret in .munim/dev-jwt-secret)")
	}
	if *tenants == "" || *roles == "" {
		return errors.New("--tenant and --role are required")
	}
	spec := auth.TokenSpec{Subject: *user, Name: *name, Tenants: strings.Split(*tenants, ","), TTL: *ttl}
	for _, r := range strings.Split(*roles, ",") {
		spec.Roles = append(spec.Roles, auth.Role(strings.TrimSpace(r)))
	}
	if spec.Subject == "" {
		spec.Subject = string(spec.Roles[0])
	}
	tok, err := auth.MintHS256([]byte(secret), spec, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("# %s as %s on %s, valid %s\n%s\n", spec.Subject, *roles, *tenants, *ttl, tok)
	return nil
}
