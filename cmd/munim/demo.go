package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/db/pgserver"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/server"
	"github.com/munimhq/munim/tenancy"
	"github.com/munimhq/munim/yearend"
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
	a, err := newApp(ctx, server.Config{Addr: *addr}, authConfig{secret: secret, paymentAccounts: os.Getenv("MUNIM_PAYMENT_ACCOUNTS")}, pool, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seedDemo(ctx, log, pool, a.ledger, a.billing, fullDemo); err != nil {
		return err
	}
	tokens, err := demoTokens(secret)
	if err != nil {
		return err
	}
	printExamples(*addr, tokens, filepath.Join(dir, "dev-jwt-secret"), makeDemoRegisters(fullDemo).properties[0].ConsumerCode)
	return a.srv.ListenAndServe(ctx)
}

// seedDemo creates the demo ULB of the given size once: its revenue
// set-up and registers, this year's demands and last year's (the arrears)
// raised by demand runs, counter collections, the year's budget with bills
// against it and the fixed-asset register, and seven months of the other
// vouchers. Every step
// is idempotent, so a seeding cut short is finished by the next start; the
// other vouchers are posted last, so finding the last of them in the books
// means the demo is complete.
func seedDemo(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger, b *billing.Service, size demoSize) error {
	books := demoVouchers()
	if done, err := demoSeeded(ctx, pool, led, books[len(books)-1]); err != nil || done {
		if done {
			log.Info("demo ULB already there", "tenant", demoTenant)
		}
		return err
	}
	return createDemo(ctx, log, pool, led, b, size, books)
}

// createDemo runs every step of the seeding, posting books last. Each step
// is idempotent: run again, it finds what is there and adds what is not.
func createDemo(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger, b *billing.Service, size demoSize, books []ledger.Voucher) error {
	log.Info("creating the demo ULB", "tenant", demoTenant, "properties", size.properties,
		"water_connections", size.connections, "trade_licences", size.licences)
	start := time.Now()
	if _, err := tenancy.NewService(pool).Create(ctx, demoTenant, demoName, demoFY, "demo"); err != nil {
		return err
	}
	// The year before's books take its property-tax demands, the arrears.
	if _, err := led.OpenFiscalYear(ctx, demoTenant, demoFY-1, "demo"); err != nil && !errors.Is(err, ledger.ErrPeriodState) {
		return fmt.Errorf("open fiscal year %d: %w", demoFY-1, err)
	}
	if err := setUpDemoRevenue(ctx, b); err != nil {
		return err
	}
	regs := makeDemoRegisters(size)
	if err := saveDemoRegisters(ctx, b, regs); err != nil {
		return err
	}
	runs, err := raiseDemoDemands(ctx, log, b)
	if err != nil {
		return err
	}
	// 2025-26 is closed before this year's collections: its unpaid
	// property tax becomes arrears (4311004), which they then credit.
	if err := closeDemoYear(ctx, log, pool, led); err != nil {
		return err
	}
	if err := collectDemo(ctx, log, pool, led, b, regs); err != nil {
		return err
	}
	if err := seedDemoSpending(ctx, log, pool, led); err != nil {
		return err
	}
	if err := postDemoBooks(ctx, led, books); err != nil {
		return err
	}
	demands := 0
	for _, r := range runs {
		demands += r.Raised + r.Existing
	}
	log.Info("demo ULB created", "tenant", demoTenant, "demands", demands, "other_vouchers", len(books),
		"took", time.Since(start).Round(time.Millisecond))
	return nil
}

// closeDemoYear closes the year before the demo's, unless it is closed.
func closeDemoYear(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger) error {
	ye := yearend.NewService(pool, led)
	closed, err := ye.Closed(ctx, demoTenant, demoFY-1)
	if err != nil || closed {
		return err
	}
	c, err := ye.CloseYear(ctx, demoTenant, demoFY-1, "demo")
	if err != nil {
		return fmt.Errorf("close %s: %w", ledger.FiscalYearLabel(demoFY-1), err)
	}
	log.Info("closed the year before", "fiscal_year", ledger.FiscalYearLabel(demoFY-1), "surplus", c.Surplus.StringFixed(2),
		"arrears", c.ArrearsMoved.StringFixed(2), "provision", c.Provisions.Required.StringFixed(2))
	return nil
}

// postDemoBooks posts the other vouchers, 500 to a request; vouchers
// posted before are found by their idempotency keys, not posted again.
func postDemoBooks(ctx context.Context, led *ledger.Ledger, books []ledger.Voucher) error {
	for i := 0; i < len(books); i += 500 {
		if _, err := led.Post(ctx, demoTenant, "demo", books[i:min(i+500, len(books))]); err != nil {
			return fmt.Errorf("post demo vouchers: %w", err)
		}
	}
	return nil
}

// demoSeeded reports whether the demo ULB is complete: the tenant is there
// and its books hold the last voucher seeding posts.
func demoSeeded(ctx context.Context, pool *pgxpool.Pool, led *ledger.Ledger, last ledger.Voucher) (bool, error) {
	_, err := tenancy.NewService(pool).Get(ctx, demoTenant)
	if errors.Is(err, ledger.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	vs, _, err := led.ListVouchers(ctx, demoTenant, ledger.VoucherFilter{From: last.Date, To: last.Date, Type: last.Type,
		AccountCode: last.Lines[0].AccountCode, PageSize: 1000})
	return slices.ContainsFunc(vs, func(v ledger.Posted) bool { return v.IdempotencyKey == last.IdempotencyKey }), err
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

// printExamples prints the tokens and curl calls to try, property being a
// property of the demo's register.
func printExamples(addr string, tokens map[auth.Role]string, secretFile, property string) {
	base := "http://" + addr
	fmt.Printf("\nMunim demo is serving %s (tenant %s, FY 2026-27). Ctrl-C stops it.\n\n", base, demoTenant)
	fmt.Println("Tokens, valid 24 hours (mint more with: MUNIM_JWT_SECRET=$(cat " + secretFile + ") munim token --tenant " + demoTenant + " --role accountant):")
	fmt.Println()
	for _, r := range demoRoles {
		fmt.Printf("export %s=%s\n", strings.ToUpper(string(r.role)), tokens[r.role])
	}
	fmt.Printf(`
Then try. What property %[3]s owes: 2025-26's property tax (arrears) and 2026-27's:

  curl -s %[1]s/munim.billing.v1.BillingService/GetDues \
    -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","consumer_code":"%[3]s"}'

Its bill as of today (posts the penalty and interest fallen due since, once):

  curl -s %[1]s/munim.billing.v1.BillingService/FetchBill \
    -H "Authorization: Bearer $CASHIER" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","service":"property_tax","consumer_code":"%[3]s"}'

The demand, collection and balance register by ward, head and year, and its tie to the ledger:

  curl -s %[1]s/munim.billing.v1.BillingService/GetDcbRegister \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","service":"property_tax","fiscal_year":2026}'

  curl -s %[1]s/munim.billing.v1.BillingService/CheckDcbAgainstLedger \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s"}'

The books (the accountant's voucher is a draft until the approver approves it):

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
    -d '{"tenant_id":"%[2]s","account_code":"4311001","party":"%[3]s","from":"2025-04-01","to":"2027-03-31"}'

The year's budget against what was spent, and the quarterly variance:

  curl -s %[1]s/munim.budget.v1.BudgetService/GetBudgetVsActual \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","fiscal_year":2026}'

  curl -s %[1]s/munim.budget.v1.BudgetService/GetQuarterlyVariance \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","fiscal_year":2026}'

What the ULB owes its suppliers and contractors, by age, and the asset register's tie to the ledger:

  curl -s %[1]s/munim.expenditure.v1.ExpenditureService/GetCreditorAgeing \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","as_of":"2026-10-31"}'

  curl -s %[1]s/munim.assets.v1.AssetService/CheckRegisterAgainstLedger \
    -H "Authorization: Bearer $AUDITOR" -H 'Content-Type: application/json' \
    -d '{"tenant_id":"%[2]s","as_of":"2026-10-31"}'

`, base, demoTenant, property)
}
