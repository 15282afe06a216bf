package billing

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// FromOpening marks the arrears a ULB's opening trial balance brought onto
// Munim: their accrual is the opening voucher, posted before them.
const FromOpening Source = "opening"

// Consumer is an entry of one of the registers, as far as a demand needs it.
type Consumer struct {
	Code    string
	Service string // the service the register bills: property_tax, water or trade_licence
	Ward    string
}

// serviceOfRegister is the service each register's consumers are billed for.
var serviceOfRegister = map[string]string{
	registerProperty:        PropertyTax,
	registerWaterConnection: Water,
	registerTradeLicence:    TradeLicence,
}

// Consumers looks up consumer codes in the registers (properties, water
// connections, trade licences); codes in none are absent from the answer.
func (s *Service) Consumers(ctx context.Context, tenant string, codes []string) (map[string]Consumer, error) {
	var out map[string]Consumer
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = consumers(ctx, dbq.New(tx), tenant, codes)
		return err
	})
	return out, err
}

func consumers(ctx context.Context, q *dbq.Queries, tenant string, codes []string) (map[string]Consumer, error) {
	rows, err := q.ConsumerCodeWards(ctx, dbq.ConsumerCodeWardsParams{TenantID: tenant, ConsumerCodes: codes})
	if err != nil {
		return nil, fmt.Errorf("look up consumers: %w", err)
	}
	out := make(map[string]Consumer, len(rows))
	for _, r := range rows {
		out[r.ConsumerCode] = Consumer{Code: r.ConsumerCode, Service: serviceOfRegister[r.Register], Ward: r.Ward}
	}
	return out, nil
}

// RaiseOpeningArrearsTx records, in the caller's transaction, the arrear
// demands an opening voucher already carries on the receivable accounts:
// it posts nothing, since the opening voucher (posted before, in the same
// transaction) is their accrual, and names that voucher as each demand's.
// Each demand is of a consumer in the registers, for its register's
// service; its heads are the service's principal, penalty or interest
// heads; and for every receivable account and consumer the demands' total
// must be what the voucher carries there, so the DCB stays tied to the
// control accounts. Amounts are the arrears as brought in: no rounding rule
// applies. It returns the demands' ids in input order.
func (s *Service) RaiseOpeningArrearsTx(ctx context.Context, tx pgx.Tx, tenant, actor string, voucher ledger.Posted, in []DemandInput) ([]int64, error) {
	if len(in) == 0 {
		return nil, nil
	}
	q := dbq.New(tx)
	codes := make([]string, len(in))
	for i, d := range in {
		codes[i] = d.ConsumerCode
	}
	registered, err := consumers(ctx, q, tenant, codes)
	if err != nil {
		return nil, err
	}
	heads := map[string]map[string]TaxHead{}
	carried := map[[2]string]decimal.Decimal{} // receivable account and consumer: the demands' total
	var vs []ledger.FieldViolation
	for i, d := range in {
		prefix := fmt.Sprintf("demands[%d]", i)
		bad := func(field, format string, args ...any) {
			vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: fmt.Sprintf(format, args...)})
		}
		c, ok := registered[d.ConsumerCode]
		switch {
		case !ok:
			bad(".consumer_code", "%q is not a property, water connection or trade licence of the registers", d.ConsumerCode)
		case c.Service != d.Service:
			bad(".service", "%q is billed for %s, not %s", d.ConsumerCode, c.Service, d.Service)
		}
		if heads[d.Service] == nil {
			if heads[d.Service], err = serviceHeads(ctx, q, tenant, d.Service); err != nil {
				return nil, err
			}
		}
		if len(d.Lines) == 0 || d.PeriodFrom.IsZero() || d.PeriodTo.Before(d.PeriodFrom) || d.Date.IsZero() || d.DueDate.IsZero() || d.IdempotencyKey == "" {
			bad("", "needs lines, a period, a date, a due date and an idempotency key")
			continue
		}
		seen := map[string]bool{}
		for j, l := range d.Lines {
			h, ok := heads[d.Service][l.Head]
			switch {
			case !ok:
				bad(fmt.Sprintf(".lines[%d].head", j), "%q is not a tax head of service %q", l.Head, d.Service)
				continue
			case h.Category == Rebate || h.Category == Advance || h.Category == RoundOff:
				bad(fmt.Sprintf(".lines[%d].head", j), "%q is a %s head, which carries no arrears", l.Head, h.Category)
			case seen[l.Head]:
				bad(fmt.Sprintf(".lines[%d].head", j), "%q appears twice", l.Head)
			case !l.Amount.IsPositive() || !l.Amount.Equal(l.Amount.Round(2)):
				bad(fmt.Sprintf(".lines[%d].amount", j), "must be positive with at most 2 decimals")
			}
			seen[l.Head] = true
			k := [2]string{h.ReceivableFor(true), d.ConsumerCode}
			carried[k] = carried[k].Add(l.Amount)
		}
	}
	if len(vs) > 0 {
		return nil, &ledger.ValidationError{Violations: vs}
	}
	inVoucher := map[[2]string]decimal.Decimal{}
	for _, l := range voucher.Lines {
		k := [2]string{l.AccountCode, l.Party}
		inVoucher[k] = inVoucher[k].Add(l.Debit).Sub(l.Credit)
	}
	for k, amt := range carried {
		if !inVoucher[k].Equal(amt) {
			return nil, fmt.Errorf("opening arrears of %s on %s come to %s but voucher %s carries %s there",
				k[1], k[0], amt.StringFixed(2), voucher.Number, inVoucher[k].StringFixed(2))
		}
	}
	if err := s.refuseDuplicates(ctx, q, tenant, in); err != nil {
		return nil, err
	}
	ids := make([]int64, len(in))
	for i := range ids {
		ids[i] = voucher.ID
	}
	return insertDemands(ctx, tx, tenant, actor, FromOpening, in, ids)
}
