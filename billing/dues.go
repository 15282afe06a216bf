package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
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
	out := Dues{ConsumerCode: consumer}
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		ids, err := q.DemandOutstanding(ctx, dbq.DemandOutstandingParams{TenantID: tenant, ConsumerCode: consumer, Service: service})
		if err != nil {
			return fmt.Errorf("find dues: %w", err)
		}
		out.Demands, err = readDemands(ctx, q, tenant, ids)
		return err
	})
	if err != nil {
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
	Dues
	Service   string
	AsOf      time.Time
	ExpiresAt time.Time
}

// FetchBill snapshots what consumer owes for service as of now. The bill
// expires at the end of the day (Asia/Kolkata), when dues may change.
//
// Rebate, penalty and interest as of the bill date are not computed yet:
// the bill shows the demands as raised.
func (s *Service) FetchBill(ctx context.Context, tenant, service, consumer string) (Bill, error) {
	if service == "" {
		return Bill{}, invalid("service", "is required")
	}
	dues, err := s.Dues(ctx, tenant, consumer, service)
	if err != nil {
		return Bill{}, err
	}
	now := s.now().In(ist)
	end := time.Date(now.Year(), now.Month(), now.Day(), 23, 59, 59, 0, ist)
	return Bill{Dues: dues, Service: service, AsOf: now, ExpiresAt: end}, nil
}

// ist is the ULBs' calendar: India has one time zone and no daylight saving.
var ist = time.FixedZone("Asia/Kolkata", 5*3600+1800)
