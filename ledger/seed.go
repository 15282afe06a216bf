package ledger

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// The seed data every new tenant starts from: the NMAM chart of accounts
// (copied from shared/reference/nmam-chart-of-accounts.tsv), a few detailed
// heads the accounting entries of DESIGN.md need that the reference chart
// lacks (munim-additions.tsv), the funds, and the NMAM function codes.
//
//go:embed seed/*.tsv
var seedFiles embed.FS

func readTSV(name string) ([][]string, error) {
	b, err := seedFiles.ReadFile("seed/" + name)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for first := true; sc.Scan(); first = false {
		if first || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	return rows, sc.Err()
}

// SeedTx gives a new tenant its chart of accounts, funds, functions and an
// empty hash chain, in the caller's transaction (scoped to the tenant).
func SeedTx(ctx context.Context, tx pgx.Tx, tenant string) error {
	if err := db.WriterTx(ctx, tx, func() error { return seedMasters(ctx, tx, tenant) }); err != nil {
		return err
	}
	if err := dbq.New(tx).ChainHeadInsert(ctx, tenant); err != nil {
		return fmt.Errorf("start hash chain: %w", err)
	}
	return nil
}

func seedMasters(ctx context.Context, tx pgx.Tx, tenant string) error {
	q := dbq.New(tx)
	var accounts []dbq.AccountInsertManyParams
	for _, file := range []string{"nmam-chart-of-accounts.tsv", "munim-additions.tsv"} {
		rows, err := readTSV(file)
		if err != nil {
			return fmt.Errorf("read %s: %w", file, err)
		}
		for _, r := range rows {
			if len(r) != 5 {
				return fmt.Errorf("%s: want 5 columns, got %q", file, r)
			}
			a := dbq.AccountInsertManyParams{TenantID: tenant, Code: r[0], Name: r[1], Kind: r[2], Level: r[3], Postable: r[4] == "true"}
			switch r[3] {
			case "minor":
				a.ParentCode = pgtype.Text{String: r[0][:3], Valid: true}
			case "detailed":
				a.ParentCode = pgtype.Text{String: r[0][:5], Valid: true}
			}
			accounts = append(accounts, a)
		}
	}
	if _, err := q.AccountInsertMany(ctx, accounts); err != nil {
		return fmt.Errorf("seed chart of accounts: %w", err)
	}
	funds, err := readTSV("funds.tsv")
	if err != nil {
		return err
	}
	fundRows := make([]dbq.FundInsertManyParams, len(funds))
	for i, r := range funds {
		fundRows[i] = dbq.FundInsertManyParams{TenantID: tenant, Code: r[0], Name: r[1]}
	}
	if _, err := q.FundInsertMany(ctx, fundRows); err != nil {
		return fmt.Errorf("seed funds: %w", err)
	}
	functions, err := readTSV("functions.tsv")
	if err != nil {
		return err
	}
	fnRows := make([]dbq.FunctionInsertManyParams, len(functions))
	for i, r := range functions {
		fnRows[i] = dbq.FunctionInsertManyParams{TenantID: tenant, Code: r[0], Name: r[1]}
	}
	if _, err := q.FunctionInsertMany(ctx, fnRows); err != nil {
		return fmt.Errorf("seed functions: %w", err)
	}
	return nil
}
