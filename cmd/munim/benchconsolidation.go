package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"

	"github.com/munimhq/munim/auth"
	reportsv1 "github.com/munimhq/munim/gen/pb/munim/reports/v1"
	"github.com/munimhq/munim/gen/pb/munim/reports/v1/reportsv1connect"
	"github.com/munimhq/munim/reports"
	"github.com/munimhq/munim/tenancy"
)

// benchConsolidation builds --ulbs tenants in one state, each with --lines
// voucher lines over two fiscal years (the statements bench's voucher
// shapes, posted through the ledger), then times GetStateConsolidation of
// the state through the RPC API as its state auditor: the consolidated
// balance sheet and income and expenditure, the ULB table and each ULB's
// quick audit status (sub-ledger ties). Then it times, once and in
// process (the chains take longer than the server's write timeout), the
// same consolidation with every ULB's hash chain verified as well.
func benchConsolidation(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench consolidation", flag.ContinueOnError)
	ulbs := fs.Int("ulbs", 100, "how many ULBs the state has")
	lines := fs.Int("lines", 10_000, "how many voucher lines each ULB's ledger holds")
	calls := fs.Int("calls", 20, "how many times the consolidation is asked for")
	posters := fs.Int("posters", 4, "how many goroutines post at once, per ULB")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *ulbs < 1 || *lines < 1 || *calls < 1 {
		return errors.New("bench consolidation: --ulbs, --lines and --calls must be positive")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env, err := newBenchEnv(ctx, quiet)
	if err != nil {
		return err
	}
	defer env.Close()
	// A state code of its own, so that runs against DATABASE_URL do not meet.
	state := fmt.Sprintf("z%c", 'a'+rune(time.Now().Unix()%26))
	fmt.Printf("munim bench consolidation: %d ULBs of state %s, %d lines each, PostgreSQL: %s\n\n", *ulbs, state, *lines, env.where)

	start := time.Now()
	var total int64
	for i := range *ulbs {
		tenant := fmt.Sprintf("%s.ulb%03d", state, i+1)
		if _, err := tenancy.NewService(env.pool).Create(ctx, tenant, fmt.Sprintf("Bench ULB %d", i+1), 2026, "bench"); err != nil {
			return err
		}
		if _, err := env.app.ledger.OpenFiscalYear(ctx, tenant, 2025, "bench"); err != nil {
			return err
		}
		posted, err := postStatementLoad(ctx, env.app.ledger, tenant, *lines, *posters)
		if err != nil {
			return fmt.Errorf("post %s: %w", tenant, err)
		}
		total += posted
	}
	el := time.Since(start)
	fmt.Printf("ledgers: %d ULBs, %d lines posted in %s (%.0f lines/s)\n", *ulbs, total, el.Round(time.Second), float64(total)/el.Seconds())

	token, err := auth.MintHS256(env.secret, auth.TokenSpec{Subject: "bench-state-auditor", Roles: []auth.Role{auth.RoleAuditor},
		Tenants: []string{state + ".*"}}, time.Now())
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
	req := &reportsv1.GetStateConsolidationRequest{StateCode: state, FiscalYear: 2026}

	res, err := client.GetStateConsolidation(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	b := res.Msg.BalanceSheet
	statuses := map[reportsv1.ControlStatus]int{}
	for _, u := range res.Msg.Ulbs {
		statuses[u.AuditStatus]++
	}
	fmt.Printf("consolidated balance sheet as at %s: total assets Rs %s, balanced: %v; %d ULBs in the table (audit status ok %d, attention %d, failed %d)\n",
		b.AsOf, b.TotalAssets.Current, b.Balanced, len(res.Msg.Ulbs), statuses[reportsv1.ControlStatus_CONTROL_STATUS_OK],
		statuses[reportsv1.ControlStatus_CONTROL_STATUS_ATTENTION], statuses[reportsv1.ControlStatus_CONTROL_STATUS_FAILED])
	fmt.Println("(the bench's cash and advances are journalled, not receipted, so their cash book and advance ties fail: that is the check working)")
	if !b.Balanced {
		return errors.New("the consolidated balance sheet does not balance")
	}
	if len(res.Msg.Ulbs) != *ulbs {
		return fmt.Errorf("the table has %d ULBs, not %d", len(res.Msg.Ulbs), *ulbs)
	}
	lat := make([]time.Duration, 0, *calls)
	for range *calls {
		t0 := time.Now()
		if _, err := client.GetStateConsolidation(ctx, connect.NewRequest(req)); err != nil {
			return fmt.Errorf("GetStateConsolidation: %w", err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	fmt.Printf("\nGetStateConsolidation (statements, ULB table, ties) %d calls: p50 %s, p95 %s, max %s\n",
		len(lat), percentile(lat, 50), percentile(lat, 95), lat[len(lat)-1].Round(10*time.Microsecond))

	t0 := time.Now()
	if _, err := env.app.reports.StateConsolidation(ctx, reports.StateRequest{StateCode: state, FiscalYear: 2026, VerifyChains: true}); err != nil {
		return fmt.Errorf("consolidation with chains: %w", err)
	}
	fmt.Printf("the same with every ULB's hash chain verified (in process, once): %s\n", time.Since(t0).Round(time.Millisecond))
	return nil
}
