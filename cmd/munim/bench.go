package main

import (
	"context"
	crand "crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db/pgserver"
	accessv1 "github.com/munimhq/munim/gen/pb/munim/access/v1"
	"github.com/munimhq/munim/gen/pb/munim/access/v1/accessv1connect"
	ledgerv1 "github.com/munimhq/munim/gen/pb/munim/ledger/v1"
	"github.com/munimhq/munim/gen/pb/munim/ledger/v1/ledgerv1connect"
	tenancyv1 "github.com/munimhq/munim/gen/pb/munim/tenancy/v1"
	"github.com/munimhq/munim/gen/pb/munim/tenancy/v1/tenancyv1connect"
	"github.com/munimhq/munim/server"
)

// benchPhase is one load shape of `munim bench ledger`.
type benchPhase struct {
	name     string
	clients  int
	perCall  int  // vouchers per PostVouchers request
	hot      bool // every voucher touches 4501002 and 4311001
	tenantID string
	client   ledgerv1connect.LedgerServiceClient // authenticated with the tenant's API key
}

// bearer sends credentials with every call of a client.
func bearer(credential string) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+credential)
			return next(ctx, req)
		}
	}
}

type phaseResult struct {
	calls, vouchers, lines int64
	latencies              []time.Duration
	errors                 int64
	elapsed                time.Duration
}

const benchUsage = `usage: munim bench ledger [--duration 10s] | munim bench demands [--properties 1000000] | munim bench statements [--lines 10000000] [--calls 50] | munim bench consolidation [--ulbs 100] [--lines 10000] [--calls 20]`

func runBench(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(benchUsage)
	}
	switch args[0] {
	case "ledger":
		return benchLedger(ctx, args)
	case "demands":
		return benchDemands(ctx, args)
	case "statements":
		return benchStatements(ctx, args)
	case "consolidation":
		return benchConsolidation(ctx, args)
	}
	return errors.New(benchUsage)
}

// benchSettings size the private server as a production one on this
// machine would be (24 GiB of memory): crash-safe, with room for the
// working set in shared buffers and checkpoints spaced for bulk runs.
var benchSettings = map[string]string{
	"shared_buffers":     "2GB",
	"max_wal_size":       "8GB",
	"checkpoint_timeout": "15min",
	"wal_buffers":        "64MB",
}

// benchEnv is what a benchmark runs on: a database, the app wired on it
// with a fresh token secret, and how to say where the database is.
type benchEnv struct {
	app    *app
	pool   *pgxpool.Pool
	secret []byte
	where  string
	stops  []func()
}

func newBenchEnv(ctx context.Context, quiet *slog.Logger) (*benchEnv, error) {
	dsn, where, stopDB, err := benchDatabase(ctx, quiet)
	if err != nil {
		return nil, err
	}
	env := &benchEnv{where: where, stops: []func(){stopDB}, secret: make([]byte, 32)}
	if env.pool, err = openDatabase(ctx, dsn, true, quiet); err != nil {
		env.Close()
		return nil, err
	}
	env.stops = append(env.stops, env.pool.Close)
	if _, err := crand.Read(env.secret); err != nil {
		env.Close()
		return nil, err
	}
	if env.app, err = newApp(ctx, server.Config{}, authConfig{secret: env.secret}, env.pool, quiet); err != nil {
		env.Close()
		return nil, err
	}
	env.stops = append(env.stops, env.app.Close)
	return env, nil
}

// Close stops what newBenchEnv started, last first.
func (e *benchEnv) Close() {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
}

// benchDatabase returns DATABASE_URL, or starts a private, durable
// PostgreSQL (fsync on: the numbers include real commits, as in
// production) and returns its DSN and a function that stops it.
func benchDatabase(ctx context.Context, quiet *slog.Logger) (dsn, where string, stop func(), err error) {
	if dsn := os.Getenv("DATABASE_URL"); dsn != "" {
		return dsn, "DATABASE_URL", func() {}, nil
	}
	dir, err := os.MkdirTemp("", "munim-bench-")
	if err != nil {
		return "", "", nil, err
	}
	// The server may run as the postgres OS user (when we are root).
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	pg, err := pgserver.Start(ctx, pgserver.Options{DataDir: dir + "/pg", Durable: true, Log: quiet, Settings: benchSettings})
	if err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	stop = func() {
		pg.Stop(context.WithoutCancel(ctx))
		os.RemoveAll(dir)
	}
	return pg.DSN("postgres"), "a private PostgreSQL (durable: fsync and synchronous_commit on; shared_buffers 2GB, max_wal_size 8GB)", stop, nil
}

func benchLedger(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench ledger", flag.ContinueOnError)
	duration := fs.Duration("duration", 10*time.Second, "how long each phase drives load")
	only := fs.String("phases", "a,b,c1,c2", "which phases to run, comma-separated")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and clients) to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	env, err := newBenchEnv(ctx, quiet)
	if err != nil {
		return err
	}
	defer env.Close()
	srv, led, secret, where := env.app.srv, env.app.ledger, env.secret, env.where
	// An admin of every "bn" tenant creates the bench tenants and their
	// department apps' keys; the load is posted with those keys, as a
	// department app would (its vouchers post directly, no maker-checker).
	adminToken, err := auth.MintHS256(secret, auth.TokenSpec{Subject: "bench", Roles: []auth.Role{auth.RoleAdmin}, Tenants: []string{"bn.*"}}, time.Now())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srvCtx, stopSrv := context.WithCancel(ctx)
	defer stopSrv()
	go srv.Serve(srvCtx, ln)
	base := "http://" + ln.Addr().String()

	// HTTP/2 over cleartext: every client shares one connection, as a
	// department app's gRPC channel would.
	hc := &http.Client{Transport: &http.Transport{Protocols: h2cOnly(), MaxIdleConnsPerHost: 64}}
	// The clients ask for uncompressed replies, as an app on the same
	// network would: gzip of a 100-voucher reply costs more CPU than the
	// loopback saves, and this machine's two cores are shared by clients,
	// server and PostgreSQL.
	noGzip := connect.WithAcceptCompression("gzip", nil, nil)
	tenants := tenancyv1connect.NewTenantServiceClient(hc, base, connect.WithInterceptors(bearer(adminToken)))
	keys := accessv1connect.NewApiKeyServiceClient(hc, base, connect.WithInterceptors(bearer(adminToken)))

	run := fmt.Sprintf("%d", time.Now().Unix()%100000)
	phases := []benchPhase{
		{name: "(a) batches of 100 vouchers, 4 clients", clients: 4, perCall: 100},
		{name: "(b) single vouchers, 32 clients", clients: 32, perCall: 1},
		{name: "(c1) batches of 100, 4 clients, hot accounts", clients: 4, perCall: 100, hot: true},
		{name: "(c2) single vouchers, 32 clients, hot accounts", clients: 32, perCall: 1, hot: true},
	}
	fmt.Printf("munim bench ledger: %s per phase, through the Connect API on %s, PostgreSQL: %s\n\n", *duration, base, where)
	phases = slices.DeleteFunc(phases, func(p benchPhase) bool {
		return !slices.Contains(strings.Split(*only, ","), strings.Trim(strings.Fields(p.name)[0], "()"))
	})
	for i := range phases {
		p := &phases[i]
		p.tenantID = fmt.Sprintf("bn.run%s-%c", run, 'a'+i)
		if _, err := tenants.CreateTenant(ctx, connect.NewRequest(&tenancyv1.CreateTenantRequest{
			TenantId: p.tenantID, Name: "Bench " + p.name, FiscalYear: 2026})); err != nil {
			return fmt.Errorf("create bench tenant: %w", err)
		}
		key, err := keys.CreateApiKey(ctx, connect.NewRequest(&accessv1.CreateApiKeyRequest{TenantId: p.tenantID,
			Name: "bench app", Scopes: []string{string(auth.PermLedgerPost), string(auth.PermLedgerRead)}}))
		if err != nil {
			return fmt.Errorf("create bench API key: %w", err)
		}
		p.client = ledgerv1connect.NewLedgerServiceClient(hc, base, noGzip, connect.WithInterceptors(bearer(key.Msg.Key)))
		r := drive(ctx, p.client, *p, *duration)
		slices.Sort(r.latencies)
		fmt.Printf("%s\n  %d requests, %d vouchers, %d lines in %s; %d errors\n  %.0f lines/s, %.0f vouchers/s; latency p50 %s, p99 %s\n\n",
			p.name, r.calls, r.vouchers, r.lines, r.elapsed.Round(time.Millisecond), r.errors,
			float64(r.lines)/r.elapsed.Seconds(), float64(r.vouchers)/r.elapsed.Seconds(),
			pct(r.latencies, 50), pct(r.latencies, 99))
	}

	fmt.Println("checks:")
	ok := true
	for _, p := range phases {
		tb, err := p.client.GetTrialBalance(ctx, connect.NewRequest(&ledgerv1.GetTrialBalanceRequest{TenantId: p.tenantID, AsOf: "2027-03-31"}))
		if err != nil {
			return err
		}
		balanced := tb.Msg.TotalDebit == tb.Msg.TotalCredit && tb.Msg.TotalClosingDebit == tb.Msg.TotalClosingCredit
		check, err := led.CheckIntegrity(ctx, p.tenantID)
		if err != nil {
			return err
		}
		chain, err := led.Verify(ctx, p.tenantID)
		if err != nil {
			return err
		}
		pass := balanced && check.OK() && chain.Breach == nil
		ok = ok && pass
		fmt.Printf("  %s: trial balance Dr %s = Cr %s (%v); every balance equals the sum of its lines (%v); %d vouchers numbered without gaps (%v); hash chain intact (%v)\n",
			p.tenantID, tb.Msg.TotalDebit, tb.Msg.TotalCredit, balanced, len(check.BalanceMismatches) == 0,
			check.Vouchers, len(check.SeriesGaps) == 0, chain.Breach == nil)
	}
	if !ok {
		return errors.New("a check failed")
	}
	fmt.Println("all checks passed")
	return nil
}

// h2cOnly makes an http.Transport speak HTTP/2 without TLS.
func h2cOnly() *http.Protocols {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &p
}

var benchAccounts = []string{"4501001", "4501051", "4311001", "4311004", "1100101", "3503001", "4313001", "1405013",
	"4313002", "1401101", "3504101", "1718001", "4502101", "2408003", "2101001", "2201101"}

func drive(ctx context.Context, c ledgerv1connect.LedgerServiceClient, p benchPhase, d time.Duration) phaseResult {
	var (
		mu  sync.Mutex
		res phaseResult
		seq atomic.Int64
		wg  sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range p.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var lat []time.Duration
			var calls, vouchers, lines, errs int64
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req := &ledgerv1.PostVouchersRequest{TenantId: p.tenantID}
				for range p.perCall {
					v := benchVoucher(rng, seq.Add(1), p.hot)
					lines += int64(len(v.Lines))
					req.Vouchers = append(req.Vouchers, v)
				}
				t0 := time.Now()
				_, err := c.PostVouchers(ctx, connect.NewRequest(req))
				lat = append(lat, time.Since(t0))
				calls++
				if err != nil {
					errs++
					lines -= countLines(req)
					continue
				}
				vouchers += int64(p.perCall)
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.calls += calls
			res.vouchers += vouchers
			res.lines += lines
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func countLines(req *ledgerv1.PostVouchersRequest) int64 {
	var n int64
	for _, v := range req.Vouchers {
		n += int64(len(v.Lines))
	}
	return n
}

// benchVoucher is a balanced voucher of 2 to 4 lines on random heads; with
// hot, its first two lines are always 4501002 (debit) and 4311001 (credit).
func benchVoucher(rng *rand.Rand, n int64, hot bool) *ledgerv1.VoucherInput {
	nLines := 2 + rng.IntN(3)
	amounts := make([]int64, nLines-1)
	var total int64
	for i := range amounts {
		amounts[i] = 100 + rng.Int64N(500000)
		total += amounts[i]
	}
	paise := func(p int64) string { return fmt.Sprintf("%d.%02d", p/100, p%100) }
	v := &ledgerv1.VoucherInput{
		Type: ledgerv1.VoucherType_VOUCHER_TYPE_JOURNAL, Date: fmt.Sprintf("2026-%02d-%02d", 4+rng.IntN(8), 1+rng.IntN(28)),
		Narration: "bench", IdempotencyKey: fmt.Sprintf("bench-%d", n),
	}
	acct := func() string { return benchAccounts[rng.IntN(len(benchAccounts))] }
	debit := acct()
	if hot {
		debit = "4501002"
	}
	v.Lines = append(v.Lines, &ledgerv1.LineInput{AccountCode: debit, FundCode: "01", FunctionCode: "9091", Debit: paise(total)})
	for i, a := range amounts {
		credit := acct()
		if hot && i == 0 {
			credit = "4311001"
		}
		v.Lines = append(v.Lines, &ledgerv1.LineInput{AccountCode: credit, FundCode: "01", FunctionCode: "9091",
			Party: fmt.Sprintf("P-%d", rng.IntN(5000)), Credit: paise(a)})
	}
	return v
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)].Round(10 * time.Microsecond)
}
