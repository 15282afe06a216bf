package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing"
	"github.com/munimhq/munim/ledger"
	"github.com/munimhq/munim/receipts"
)

// demoClock is the day the demo's counter works on, as seeding moves
// through November.
type demoClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *demoClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *demoClock) set(d time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Date(d.Year(), d.Month(), d.Day(), 11, 0, 0, 0, time.FixedZone("IST", 5*3600+1800))
}

// The demo's counter staff, as receipts name them.
const (
	demoCashier1   = "user:cashier-1"
	demoCashier2   = "user:cashier-2"
	demoSupervisor = "user:accountant"
)

// collectDemo takes ten working days (2 to 13 November 2026) of counter
// payments at two cashiers: property tax and water charges, in cash,
// cheque, card and NEFT, some in full, some in part, some beyond the dues
// (held as advance); each day's cash is remitted and its cheques deposited
// at day end. One receipt is cancelled by the supervisor on its day; the
// cheques are realised at the end but for one, dishonoured. Amounts depend
// on the consumer's place in the register, not on its dues, so a seeding cut
// short replays the same requests (each keyed) and adds what is missing.
func collectDemo(ctx context.Context, log *slog.Logger, pool *pgxpool.Pool, led *ledger.Ledger, b *billing.Service, regs demoRegisters) error {
	clk := &demoClock{}
	rs, err := receipts.NewService(pool, led, b, receipts.Config{Logger: log, Now: clk.now})
	if err != nil {
		return err
	}
	perDay := max(2, len(regs.properties)/125)
	var cheques []int64
	n := 0
	for d := ledger.Date(2026, time.November, 2); !d.After(ledger.Date(2026, time.November, 13)); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Sunday {
			continue
		}
		clk.set(d)
		var todays []int64
		for i := range perDay {
			p := demoPayment(regs, n, d)
			n++
			cashier := demoCashier1
			if i%2 == 1 {
				cashier = demoCashier2
			}
			r, err := rs.CollectPayment(ctx, demoTenant, cashier, p)
			if err != nil {
				return fmt.Errorf("demo payment %s: %w", p.IdempotencyKey, err)
			}
			if d.Day() == 4 && i == 0 {
				if _, err := rs.Cancel(ctx, demoTenant, demoSupervisor, receipts.CancelInput{ReceiptID: r.ID,
					Reason: "entered against the wrong property"}); err != nil {
					return fmt.Errorf("demo cancellation: %w", err)
				}
				continue
			}
			if r.Mode == receipts.Cheque {
				todays = append(todays, r.ID)
			}
		}
		for _, c := range []string{demoCashier1, demoCashier2} {
			_, err := rs.RemitCash(ctx, demoTenant, c, receipts.RemitInput{IdempotencyKey: fmt.Sprintf("demo-remit-%s-%s", c, d.Format(time.DateOnly)),
				Cashier: c, CollectedOn: d, SlipNo: "SBI-" + d.Format("0102") + "-" + c[len(c)-1:]})
			if err != nil && !isNothingToRemit(err) {
				return fmt.Errorf("demo remittance: %w", err)
			}
		}
		if len(todays) > 0 {
			if _, err := rs.RecordDeposit(ctx, demoTenant, demoSupervisor, receipts.DepositInput{IdempotencyKey: "demo-deposit-" + d.Format(time.DateOnly),
				ReceiptIDs: todays, SlipNo: "CHQ-" + d.Format("0102")}); err != nil {
				return fmt.Errorf("demo deposit: %w", err)
			}
			cheques = append(cheques, todays...)
		}
	}
	if len(cheques) == 0 {
		return nil
	}
	clk.set(ledger.Date(2026, time.November, 16))
	if _, err := rs.RecordDishonour(ctx, demoTenant, demoSupervisor, receipts.DishonourInput{ReceiptID: cheques[0],
		Reason: "funds insufficient"}); err != nil {
		return fmt.Errorf("demo dishonour: %w", err)
	}
	if len(cheques) > 1 {
		if _, err := rs.RecordRealisation(ctx, demoTenant, cheques[1:], time.Time{}); err != nil {
			return fmt.Errorf("demo realisation: %w", err)
		}
	}
	log.Info("demo counter collections taken", "receipts", n, "cheques", len(cheques))
	return nil
}

// isNothingToRemit reports a cashier with no cash that day (all by other modes).
func isNothingToRemit(err error) bool {
	pe, ok := err.(*ledger.PreconditionError)
	return ok && pe.Field == "collected_on"
}

// demoPayment is the n-th payment of the demo's counter: every fourth for
// a water connection, the rest for properties; the mode cycles through
// cash (twice), cheque, card and NEFT.
func demoPayment(regs demoRegisters, n int, day time.Time) receipts.PaymentInput {
	service, consumer := billing.PropertyTax, regs.properties[(n*7)%len(regs.properties)].ConsumerCode
	amount := decimal.New(int64(1500+(n%9)*450), 0)
	if n%4 == 3 && len(regs.connections) > 0 {
		service, consumer = billing.Water, regs.connections[(n*3)%len(regs.connections)].ConsumerCode
		amount = decimal.New(int64(200+(n%5)*120), 0)
	}
	p := receipts.PaymentInput{IdempotencyKey: fmt.Sprintf("demo-receipt-%04d", n), Amount: amount,
		PayerName: demoPayers[n%len(demoPayers)], Items: []receipts.ItemInput{{Service: service, ConsumerCode: consumer, Amount: amount}}}
	switch n % 5 {
	case 0, 1:
		p.Mode = receipts.Cash
	case 2:
		p.Mode = receipts.Cheque
		p.Instrument = receipts.Instrument{Number: fmt.Sprintf("%06d", 310000+n), Date: day.AddDate(0, 0, -1),
			Bank: "State Bank of India", Branch: "Rajpur Road"}
	case 3:
		p.Mode = receipts.Card
		p.Instrument = receipts.Instrument{Number: fmt.Sprintf("APPR%06d", 520000+n)}
	default:
		p.Mode = receipts.NEFT
		p.Instrument = receipts.Instrument{Number: fmt.Sprintf("SBIN2026%08d", 4400+n)}
	}
	return p
}

var demoPayers = []string{"Meera Rawat", "Anil Negi", "Sunita Bisht", "Rakesh Thapa", "Farida Khan", "Gurpreet Singh", "Kavita Joshi"}
