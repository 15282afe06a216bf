package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Dues is everything a consumer owes, oldest period first.
type Dues struct {
	ConsumerCode string
	Demands      []Demand // only demands with a balance; lines keep amount, adjusted and collected
	Total        decimal.Decimal
}

// Dues returns what consumer owes across services (or in one service): the
// single-window view.
func (s *Service) Dues(ctx context.Context, tenant, consumer, service string) (Dues, error) {
	var out Dues
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = duesOf(ctx, dbq.New(tx), tenant, consumer, service)
		return err
	})
	return out, err
}

func duesOf(ctx context.Context, q *dbq.Queries, tenant, consumer, service string) (Dues, error) {
	out := Dues{ConsumerCode: consumer}
	ids, err := q.DemandOutstanding(ctx, dbq.DemandOutstandingParams{TenantID: tenant, ConsumerCode: consumer, Service: service})
	if err != nil {
		return Dues{}, fmt.Errorf("find dues: %w", err)
	}
	if out.Demands, err = readDemands(ctx, q, tenant, ids); err != nil {
		return Dues{}, err
	}
	for _, d := range out.Demands {
		for _, l := range d.Lines {
			out.Total = out.Total.Add(l.Balance())
		}
	}
	return out, nil
}

// Bill is what is payable for a consumer now, valid until it expires.
// A payment after expiry is still accepted and apportioned against what is
// due then.
type Bill struct {
	// Dues include the penalty and interest charged up to the bill's date.
	Dues
	Service   string
	AsOf      time.Time
	ExpiresAt time.Time
	// Rebates are the early-payment rebates (negative amounts) on this
	// fiscal year's demands that a payment of Payable on or before
	// RebateIfPaidBy earns. They are shown, not posted: the payment that
	// earns one posts it.
	Rebates []Charge
	// RebateIfPaidBy is the last day the rebates hold: the bill's own date,
	// since the bill expires that day. Zero when there is no rebate.
	RebateIfPaidBy time.Time
	// Payable is Total with the rebates taken off.
	Payable decimal.Decimal
}

// FetchBill snapshots what consumer owes for service as of now. First, in
// the same transaction, it posts the penalty and interest due by today
// (AccrueCharges, as actor); then it reads the dues and the rebate a
// payment today would earn. The bill expires at the end of the day
// (Asia/Kolkata), when dues may change.
func (s *Service) FetchBill(ctx context.Context, tenant, service, consumer, actor string) (Bill, error) {
	if service == "" {
		return Bill{}, invalid("service", "is required")
	}
	now := s.now().In(ledger.IST)
	var bill Bill
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		if _, err := s.AccrueCharges(ctx, tx, tenant, consumer, service, now, actor); err != nil {
			return err
		}
		q := dbq.New(tx)
		dues, err := duesOf(ctx, q, tenant, consumer, service)
		if err != nil {
			return err
		}
		rebates, err := rebatesOn(ctx, q, tenant, service, dues.Demands, now)
		if err != nil {
			return err
		}
		bill = newBill(dues, service, now, rebates)
		return nil
	})
	return bill, err
}

func newBill(dues Dues, service string, now time.Time, rebates []Charge) Bill {
	end := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, ledger.IST)
	b := Bill{Dues: dues, Service: service, AsOf: now, ExpiresAt: end, Rebates: rebates, Payable: dues.Total}
	for _, r := range rebates {
		b.Payable = b.Payable.Add(r.Amount)
	}
	if len(rebates) > 0 {
		b.RebateIfPaidBy = ledger.DayOf(now)
	}
	return b
}
