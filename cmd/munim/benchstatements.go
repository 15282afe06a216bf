package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/tenancy"
	"github.com/munimhq/munim/yearend"
)

// statementBenchLegs are the shapes of the vouchers a statements bench
// posts: a debit and one to three credits, over heads of every part of the
// statements (revenue and its receivables, cash and bank, establishment and
// operations, assets and depreciation, grants, creditors, advances).
var statementBenchLegs = [][]string{
	{"4311001", "1100101", "3503001"}, // property-tax demand with a cess
	{"4313001", "1405013"},            // water billed
	{"4501001", "4311001", "4313001"}, // counter collection of both
	{"4502101", "4501001"},            // cash remitted
	{"2101001", "4502101"},            // salaries
	{"2201101", "3501003"},            // power, on credit
	{"3501003", "4502101"},            // a creditor paid
	{"4102001", "3501002"},            // a building, on credit
	{"2722000", "4112001"},            // depreciation
	{"4502101", "3201001"},            // a scheme grant
	{"4501001", "3504101"},            // advance collected
	{"1109004", "4311001"},            // rebate
	{"2408003", "4502101"},            // bank charges
}

var statementBenchFunctions = []string{"0100", "0200", "0300", "2010", "3000", "4000", "8000", "9091", "9092", "9099"}

// benchStatements builds a tenant with --lines voucher lines over two
// fiscal years through the ledger's own posting (group commit, COPY of
// lines, maintained balances, hash chain), then times GetBalanceSheet and
// GetIncomeExpenditure through the RPC API.
func benchStatements(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench statements", flag.ContinueOnError)
	lines := fs.Int("lines", 10_000_000, "how many voucher lines the tenant's ledger holds")
	calls := fs.Int("calls", 50, "how many times each statement is asked for")
	posters := fs.Int("posters", 4, "how many goroutines post at once")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env, err := newBenchEnv(ctx, quiet)
	if err != nil {
		return err
	}
	defer env.Close()
	tenant := fmt.Sprintf("bn.statements%d", time.Now().Unix()%100000)
	fmt.Printf("munim bench statements: %d lines, tenant %s, PostgreSQL: %s\n\n", *lines, tenant, env.where)
	if _, err := tenancy.NewService(env.pool).Create(ctx, tenant, "Bench statements", 2026, "bench"); err != nil {
		return err
	}
	if _, err := env.app.ledger.OpenFiscalYear(ctx, tenant, 2025, "bench"); err != nil {
		return err
	}

	start := time.Now()
	posted, err := postStatementLoad(ctx, env.app.ledger, tenant, *lines, *posters)
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Printf("ledger: %d lines posted in %s (%.0f lines/s), balances maintained as they committed\n",
		posted, el.Round(time.Second), float64(posted)/el.Seconds())
	// 2025-26 is closed, as a ULB's last year would be, so the statements
	// also leave its closing vouchers out of the I&E and the comparatives.
	start = time.Now()
	closed, err := yearend.NewService(env.pool, env.app.ledger).CloseYear(ctx, tenant, 2025, "bench")
	if err != nil {
		return fmt.Errorf("close 2025-26: %w", err)
	}
	fmt.Printf("2025-26 closed in %s: %d closing vouchers, surplus %s\n", time.Since(start).Round(time.Millisecond),
		len(closed.Vouchers), closed.Surplus.StringFixed(2))

	token, err := auth.MintHS256(env.secret, auth.TokenSpec{Subject: "bench-auditor", Roles: []auth.Role{auth.RoleAuditor}, Tenants: []string{"bn.*"}}, time.Now())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stopSrv := context.WithCancel(ctx)
	defer stopSrv()
	go env.app.srv.Serve(srvCtx, ln)
	hc := &http.Client{Transport: &http.Transport{Protocols: h2cOnly()}}
	client := reportsv1connect.NewReportServiceClient(hc, "http://"+ln.Addr().String(), connect.WithInterceptors(bearer(token)))

	period := &reportsv1.StatementPeriod{FiscalYear: 2026}
	bs, err := client.GetBalanceSheet(ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: tenant, Period: period}))
	if err != nil {
		return err
	}
	b := bs.Msg.BalanceSheet
	fmt.Printf("balance sheet as at %s: total assets Rs %s, total liabilities Rs %s, balanced: %v\n\n",
		b.AsOf, b.TotalAssets.Current, b.TotalLiabilities.Current, b.Balanced)
	if !b.Balanced {
		return errors.New("the balance sheet does not balance")
	}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"GetBalanceSheet", func() error {
			_, err := client.GetBalanceSheet(ctx, connect.NewRequest(&reportsv1.GetBalanceSheetRequest{TenantId: tenant, Period: period}))
			return err
		}},
		{"GetIncomeExpenditure", func() error {
			_, err := client.GetIncomeExpenditure(ctx, connect.NewRequest(&reportsv1.GetIncomeExpenditureRequest{TenantId: tenant, Period: period}))
			return err
		}},
	} {
		lat := make([]time.Duration, 0, *calls)
		for range *calls {
			t0 := time.Now()
			if err := c.call(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		fmt.Printf("%-21s %d calls: p50 %s, p95 %s, max %s\n", c.name, len(lat), percentile(lat, 50), percentile(lat, 95), lat[len(lat)-1].Round(10*time.Microsecond))
	}
	return nil
}

func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))].Round(10 * time.Microsecond)
}

// postStatementLoad posts vouchers of statementBenchLegs' shapes, dated
// over FY 2025-26 and 2026-27, until n lines are in, from several
// goroutines through Ledger.Post (which groups them into shared
// transactions). It returns how many lines it posted.
func postStatementLoad(ctx context.Context, l *ledger.Ledger, tenant string, n, posters int) (int64, error) {
	const perCall = 500
	var (
		done    atomic.Int64
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(15 * time.Second)
		defer tick.Stop()
		start := time.Now()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				d := done.Load()
				fmt.Printf("  %s: %d lines (%.0f lines/s)\n", time.Since(start).Round(time.Second), d, float64(d)/time.Since(start).Seconds())
			}
		}
	}()
	defer close(stop)
	yearStart := ledger.Date(2025, time.April, 1)
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(p), 8))
			for done.Load() < int64(n) && ctx.Err() == nil {
				batch := next.Add(1)
				vs := make([]ledger.Voucher, 0, perCall)
				count := 0
				for i := range perCall {
					legs := statementBenchLegs[rng.IntN(len(statementBenchLegs))]
					fund := fmt.Sprintf("0%d", 1+rng.IntN(4))
					fn := statementBenchFunctions[rng.IntN(len(statementBenchFunctions))]
					v := ledger.Voucher{Type: ledger.Journal, Date: yearStart.AddDate(0, 0, rng.IntN(730)),
						Narration: "bench", IdempotencyKey: fmt.Sprintf("b%d-%d", batch, i)}
					total := decimal.Zero
					for _, acct := range legs[1:] {
						a := decimal.New(int64(100+rng.IntN(5_000_000)), -2)
						total = total.Add(a)
						v.Lines = append(v.Lines, ledger.Line{AccountCode: acct, FundCode: fund, FunctionCode: fn, Credit: a})
					}
					v.Lines = append(v.Lines, ledger.Line{AccountCode: legs[0], FundCode: fund, FunctionCode: fn, Debit: total})
					vs = append(vs, v)
					count += len(v.Lines)
				}
				if _, err := l.Post(ctx, tenant, "bench", vs); err != nil {
					errOnce.Do(func() { first = err })
					return
				}
				done.Add(int64(count))
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return done.Load(), first
	}
	return done.Load(), ctx.Err()
}
