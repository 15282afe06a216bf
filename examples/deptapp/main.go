// Command deptapp is an example department app: the building-plan
// department's system posting its permit fees to Munim as demands, with its
// API key, and reading them back as the applicants' dues.
//
//	go run ./examples/deptapp --url http://127.0.0.1:8080 --tenant uk.dehradun --key mk_...
//
// The key needs the scopes billing.demand.post and billing.read, and the
// tenant a tax head BP_FEE for the service building_plan (see README).
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"connectrpc.com/connect"

	billingv1 "github.com/munimhq/munim/gen/pb/munim/billing/v1"
	"github.com/munimhq/munim/gen/pb/munim/billing/v1/billingv1connect"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "Munim's address")
	tenant := flag.String("tenant", "uk.dehradun", "the ULB")
	key := flag.String("key", os.Getenv("MUNIM_API_KEY"), "the department's API key (or MUNIM_API_KEY)")
	flag.Parse()
	if *key == "" {
		fmt.Fprintln(os.Stderr, "deptapp: --key or MUNIM_API_KEY is required")
		os.Exit(2)
	}
	if err := run(context.Background(), *url, *tenant, *key); err != nil {
		fmt.Fprintln(os.Stderr, "deptapp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, tenant, key string) error {
	auth := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			req.Header().Set("Authorization", "Bearer "+key)
			return next(ctx, req)
		}
	})
	client := billingv1connect.NewBillingServiceClient(&http.Client{Timeout: 30 * time.Second}, url, connect.WithInterceptors(auth))

	today := time.Now().Format(time.DateOnly)
	due := time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	applications := []struct {
		number, ward, fee string
	}{
		{"BPA-2026-0141", "W03", "12500.00"},
		{"BPA-2026-0142", "W11", "8400.00"},
		{"BPA-2026-0143", "W11", "21750.00"},
	}
	req := &billingv1.PostDemandsRequest{TenantId: tenant}
	for _, a := range applications {
		req.Demands = append(req.Demands, &billingv1.DemandInput{Service: "building_plan", ConsumerCode: a.number, Ward: a.ward,
			PeriodFrom: today, PeriodTo: today, Date: today, DueDate: due,
			// The application number makes the post safe to retry: a rerun returns the same demands.
			IdempotencyKey: "building-plan-fee:" + a.number,
			Lines:          []*billingv1.DemandLine{{Head: "BP_FEE", Amount: a.fee}}})
	}
	res, err := client.PostDemands(ctx, connect.NewRequest(req))
	if err != nil {
		return fmt.Errorf("post demands: %w", err)
	}
	for _, d := range res.Msg.Demands {
		fmt.Printf("demand %d for %s: %s (accrual voucher %d)\n", d.Id, d.ConsumerCode, d.Total, d.VoucherId)
	}
	for _, a := range applications {
		dues, err := client.GetDues(ctx, connect.NewRequest(&billingv1.GetDuesRequest{TenantId: tenant, ConsumerCode: a.number}))
		if err != nil {
			return fmt.Errorf("dues of %s: %w", a.number, err)
		}
		fmt.Printf("dues of %s: %s\n", a.number, dues.Msg.Total)
	}
	return nil
}
