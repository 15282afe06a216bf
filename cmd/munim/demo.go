package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db/pgserver"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
)

const (
	demoTenant = "uk.dehradun"
	demoName   = "Dehradun Municipal Corporation"
	demoFY     = 2026
)

func runDemo(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := filepath.Abs(cmp.Or(os.Getenv("MUNIM_DATA"), ".munim"))
	if err != nil {
		return err
	}
	secret, err := devSecret(dir)
	if err != nil {
		return err
	}
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		log.Info("starting private PostgreSQL", "data", dir)
		pg, err := pgserver.Start(ctx, pgserver.Options{DataDir: filepath.Join(dir, "pg"), Durable: true, Log: log})
		if err != nil {
			return fmt.Errorf("start PostgreSQL (set MUNIM_DATA to a directory the postgres user can reach, or DATABASE_URL): %w", err)
		}
		defer func() {
			if err := pg.Stop(context.WithoutCancel(ctx)); err != nil {
				log.Error("stop PostgreSQL", "err", err)
			}
		}()
		dsn = pg.DSN("postgres")
	}
	pool, err := openDatabase(ctx, dsn, true, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	a, err := newApp(ctx, server.Config{Addr: *addr}, authConfig{secret: secret}, pool, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seedDemo(ctx, log, pool, a.ledger); err != nil {
		return err
	}
	tokens, err := demoTokens(secret)
	if err != nil {
		return err
	}
	printExamples(*addr, tokens, filepath.Join(dir, "dev-jwt-secret"))
	return a.srv.ListenAndServe(ctx)
}

// seedDemo creates the demo ULB with seven months of vouchers, once.
func seedDemo(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger) error {
	tenants := tenancy.NewService(pool)
	if _, err := tenants.Get(ctx, demoTenant); err == nil {
		log.Info("demo ULB already there", "tenant", demoTenant)
		return nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return err
	}
	if _, err := tenants.Create(ctx, demoTenant, demoName, demoFY, "demo"); err != nil {
		return err
	}
	vs := demoVouchers()
	start := time.Now()
	for i := 0; i < len(vs); i += 500 {
		if _, err := led.Post(ctx, demoTenant, "demo", vs[i:min(i+500, len(vs))]); err != nil {
			return fmt.Errorf("post demo vouchers: %w", err)
		}
	}
	log.Info("demo ULB created", "tenant", demoTenant, "vouchers", len(vs), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// demoVouchers is seven months (April to October 2026) of a mid-sized ULB's
// books: property-tax demands, counter and online collections, water bills,
// gateway settlements, cash remitted to the bank, salaries and electricity.
// The generator is seeded, so every demo has the same books.
func demoVouchers() []ledger.Voucher {
	rng := rand.New(rand.NewPCG(2026, 27))
	money := func(lo, hi int) decimal.Decimal { return decimal.New(int64(lo*100+rng.IntN((hi-lo)*100)), -2) }
	line := func(acct, fn, party, ward string, dr, cr decimal.Decimal) ledger.Line {
		return ledger.Line{AccountCode: acct, FundCode: "01", FunctionCode: fn, Party: party, FieldCode: ward, Debit: dr, Credit: cr}
	}
	var vs []ledger.Voucher
	add := func(t ledger.VoucherType, d time.Time, narration, ref string, lines ...ledger.Line) {
		vs = append(vs, ledger.Voucher{Type: t, Date: d, Narration: narration, SourceRef: ref,
			IdempotencyKey: fmt.Sprintf("demo-%06d", len(vs)+1), Lines: lines})
	}

	const properties = 2000
	demand := make([]decimal.Decimal, properties)
	for p := range properties {
		id, ward := fmt.Sprintf("PT-%05d", p+1), fmt.Sprintf("W%02d", p%40+1)
		tax := money(1500, 18000).Round(0)
		cess := tax.Mul(decimal.New(5, -2)).Round(0) // library cess collected for the state
		demand[p] = tax.Add(cess)
		add(ledger.Journal, ledger.Date(2026, time.April, 1), "Property tax demand 2026-27 "+id, "DEMAND/"+id,
			line("4311001", "9091", id, ward, demand[p], decimal.Zero),
			line("1100101", "9091", "", ward, decimal.Zero, tax),
			line("3503001", "9091", "", ward, decimal.Zero, cess))
	}
	for m := time.April; m <= time.October; m++ {
		// Collections: about a tenth of the properties pay each month.
		var online decimal.Decimal
		for p := range properties {
			if rng.IntN(10) != 0 || demand[p].IsZero() {
				continue
			}
			id, ward := fmt.Sprintf("PT-%05d", p+1), fmt.Sprintf("W%02d", p%40+1)
			d := ledger.Date(2026, m, 1+rng.IntN(28))
			amt := demand[p]
			if rng.IntN(4) == 0 {
				amt = amt.Div(decimal.NewFromInt(2)).Round(2)
			}
			demand[p] = demand[p].Sub(amt)
			cash := "4501001"
			if rng.IntN(3) == 0 {
				cash = "4501002"
				online = online.Add(amt)
			}
			add(ledger.Receipt, d, "Property tax collected "+id, "RCPT/"+id,
				line(cash, "9091", "", ward, amt, decimal.Zero),
				line("4311001", "9091", id, ward, decimal.Zero, amt))
		}
		end := ledger.Date(2026, m+1, 1).AddDate(0, 0, -1)
		// Water bills for 400 connections, billed on the 5th.
		for c := range 400 {
			id := fmt.Sprintf("WC-%04d", c+1)
			amt := money(100, 900)
			add(ledger.Journal, ledger.Date(2026, m, 5), "Water charges "+id, "WATER/"+id,
				line("4313001", "9092", id, "", amt, decimal.Zero),
				line("1405013", "9092", "", "", decimal.Zero, amt))
		}
		// Gateway settles the month's online collections net of 1.8% charges.
		if online.IsPositive() {
			fee := online.Mul(decimal.New(18, -3)).Round(2)
			add(ledger.Journal, end, "Razorpay settlement", "SETTLEMENT/"+m.String(),
				line("4502101", "9091", "", "", online.Sub(fee), decimal.Zero),
				line("2408003", "9091", "", "", fee, decimal.Zero),
				line("4501002", "9091", "", "", decimal.Zero, online))
		}
		// Cash remitted to the bank every week.
		for week := range 4 {
			amt := money(150000, 400000)
			add(ledger.Contra, ledger.Date(2026, m, 7*week+7), "Cash remitted to SBI", "CHALLAN",
				line("4502101", "0200", "", "", amt, decimal.Zero),
				line("4501001", "0200", "", "", decimal.Zero, amt))
		}
		salaries := money(2800000, 3100000)
		add(ledger.Payment, end, "Salaries "+m.String(), "PAYROLL",
			line("2101001", "0100", "", "", salaries, decimal.Zero),
			line("4502101", "0100", "", "", decimal.Zero, salaries))
		bill := money(180000, 260000)
		add(ledger.Payment, end, "Street-light electricity "+m.String(), "UPCL",
			line("2201101", "2030", "", "", bill, decimal.Zero),
			line("4502101", "2030", "", "", decimal.Zero, bill))
	}
	return vs
}

// demoRoles are the people the demo prints a token for.
var demoRoles = []struct {
	role    auth.Role
	user    string
	tenants []string
}{
	{auth.RoleAdmin, "admin.asha", []string{demoTenant}},
	{auth.RoleAccountant, "accountant.ravi", []string{demoTenant}},
	{auth.RoleApprover, "approver.meena", []string{demoTenant}},
	{auth.RoleCashier, "cashier.sunil", []string{demoTenant}},
	{auth.RoleAuditor, "auditor.state", []string{"uk.*"}},
}

func demoTokens(secret []byte) (map[auth.Role]string, error) {
	out := map[auth.Role]string{}
	for _, r := range demoRoles {
		tok, err := auth.MintHS256(secret, auth.TokenSpec{Subject: r.user, Roles: []auth.Role{r.role}, Tenants: r.tenants, TTL: 24 * time.Hour}, time.Now())
		if err != nil {
			return nil, err
		}
		out[r.role] = tok
	}
	return out, nil
}

func printExamples(addr string, tokens map[auth.Role]string, secretFile string) {
	base := "http://" + addr
	fmt.Printf("\nMunim demo is serving %s (tenant %s, FY 2026-27). Ctrl-C stops it.\n\n", base, demoTenant)
	fmt.Println("Tokens, valid 24 hours (mint more with: MUNIM_JWT_SECRET=$(cat " + secretFile + ") munim token --tenant " + demoTenant + " --role accountant):")
	fmt.Println()
	for _, r := range demoRoles {
		fmt.Printf("export %s=%s\n", strings.ToUpper(string(r.role)), tokens[r.role])
	}
	fmt.Printf(`
Then try (the accountant's voucher is a draft until the approver approves it):

  curl -s %[1]s/munim.ledger.v1.LedgerService/GetTrialBalance \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","as_of":"2026-10-31"}'

  curl -s %[1]s/munim.ledger.v1.LedgerService/PostVouchers \
    -H "Authorization: Bearer $ACCOUNTANT" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","vouchers":[{"type":"VOUCHER_TYPE_JOURNAL","date":"2026-11-02","narration":"Bank charges for October","idempotency_key":"try-1","lines":[{"account_code":"2408003","fund_code":"01","function_code":"0200","debit":"118.00"},{"account_code":"4502101","fund_code":"01","function_code":"0200","credit":"118.00"}]}]}'

  curl -s %[1]s/munim.ledger.v1.LedgerService/ApproveVoucher \
    -H "Authorization: Bearer $APPROVER" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","voucher_id":"<the id PostVouchers returned>"}'

  curl -s %[1]s/munim.ledger.v1.LedgerService/GetAccountStatement \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","account_code":"4311001","party":"PT-00042","from":"2026-04-01","to":"2027-03-31"}'

`, base, demoTenant)
}
