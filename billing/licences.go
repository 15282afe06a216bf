package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// TradeLicence is the service name of trade licence fees.
const TradeLicence = "trade_licence"

// The states of a licence. Only an active licence is renewed.
const (
	LicenceActive      = "active"
	LicenceSuspended   = "suspended"
	LicenceCancelled   = "cancelled"
	LicenceSurrendered = "surrendered"
)

var licenceStates = map[string]bool{LicenceActive: true, LicenceSuspended: true, LicenceCancelled: true, LicenceSurrendered: true}

// Licence is an entry of the trade licence register.
type Licence struct {
	ConsumerCode string // the licence number
	HolderName   string
	TradeName    string // the business's name
	Address      string
	Ward         string
	// Units are the trades carried on, each graded by its size (workers,
	// horsepower, m2) in the trade category's fee bands.
	Units       []calc.TradeUnit
	CommencedOn time.Time // the day the trade began; zero when unknown
	ValidFrom   time.Time
	ValidTo     time.Time // the last valid day: its renewal falls due the day after
	Status      string
}

// SaveTradeLicences creates or replaces licences with their trade units,
// all in one transaction. A licence number must not be a property's or a
// connection's code (see claimCodes).
func (s *Service) SaveTradeLicences(ctx context.Context, tenant string, ls []Licence, actor string) error {
	var vs []ledger.FieldViolation
	seen := map[string]int{}
	for i, l := range ls {
		prefix := fmt.Sprintf("licences[%d]", i)
		bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: rule}) }
		if strings.TrimSpace(l.ConsumerCode) == "" {
			bad(".consumer_code", "is required")
		} else if j, dup := seen[l.ConsumerCode]; dup {
			bad(".consumer_code", fmt.Sprintf("repeats licences[%d]", j))
		}
		seen[l.ConsumerCode] = i
		if strings.TrimSpace(l.HolderName) == "" {
			bad(".holder_name", "is required")
		}
		if l.Ward == "" {
			bad(".ward", "is required")
		}
		if len(l.Units) == 0 {
			bad(".units", "a licence needs at least one trade")
		}
		for j, u := range l.Units {
			if u.Trade == "" {
				bad(fmt.Sprintf(".units[%d].trade", j), "is required: the trade category of the fee master")
			}
			if u.Size < 1 {
				bad(fmt.Sprintf(".units[%d].size", j), "must be at least 1")
			}
		}
		switch {
		case l.ValidFrom.IsZero() || l.ValidTo.IsZero():
			bad(".valid_to", "a licence needs the days it is valid from and to")
		case l.ValidTo.Before(l.ValidFrom):
			bad(".valid_to", "is before valid_from")
		}
		if !licenceStates[l.Status] {
			bad(".status", "must be active, suspended, cancelled or surrendered")
		}
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	codes := make([]string, len(ls))
	units := dbq.TradeLicenceUnitInsertManyParams{TenantID: tenant}
	for i, l := range ls {
		codes[i] = l.ConsumerCode
		for j, u := range l.Units {
			units.ConsumerCodes = append(units.ConsumerCodes, l.ConsumerCode)
			units.UnitNos = append(units.UnitNos, int16(j+1))
			units.Trades = append(units.Trades, u.Trade)
			units.Sizes = append(units.Sizes, int32(u.Size))
		}
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := claimCodes(ctx, q, tenant, registerTradeLicence, codes, "licences"); err != nil {
			return err
		}
		for _, l := range ls {
			var commenced *time.Time
			if !l.CommencedOn.IsZero() {
				commenced = &l.CommencedOn
			}
			if err := q.TradeLicenceUpsert(ctx, dbq.TradeLicenceUpsertParams{TenantID: tenant, ConsumerCode: l.ConsumerCode,
				HolderName: l.HolderName, TradeName: l.TradeName, Address: l.Address, Ward: l.Ward, CommencedOn: commenced,
				ValidFrom: l.ValidFrom, ValidTo: l.ValidTo, Status: l.Status, CreatedBy: actor}); err != nil {
				return fmt.Errorf("save trade licence %s: %w", l.ConsumerCode, err)
			}
		}
		if err := q.TradeLicenceUnitsClear(ctx, dbq.TradeLicenceUnitsClearParams{TenantID: tenant, ConsumerCodes: codes}); err != nil {
			return err
		}
		return q.TradeLicenceUnitInsertMany(ctx, units)
	})
}

// licences reads a page of the register with trade units; f.from and f.to
// bound the licences' expiry, f.status their state.
func licences(ctx context.Context, q *dbq.Queries, tenant string, f pageFilter, status string) ([]Licence, error) {
	from, to := f.window()
	rows, err := q.TradeLicencePage(ctx, dbq.TradeLicencePageParams{TenantID: tenant, AfterCode: f.after, Ward: f.ward,
		OnlyCode: f.only, Status: status, ExpiringFrom: from, ExpiringTo: to, RowLimit: int32(f.limit)})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	codes := make([]string, len(rows))
	out := make([]Licence, len(rows))
	byCode := make(map[string]*Licence, len(rows))
	for i, r := range rows {
		codes[i] = r.ConsumerCode
		out[i] = Licence{ConsumerCode: r.ConsumerCode, HolderName: r.HolderName, TradeName: r.TradeName, Address: r.Address,
			Ward: r.Ward, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo, Status: r.Status}
		if r.CommencedOn != nil {
			out[i].CommencedOn = *r.CommencedOn
		}
		byCode[r.ConsumerCode] = &out[i]
	}
	units, err := q.TradeLicenceUnitsOfMany(ctx, dbq.TradeLicenceUnitsOfManyParams{TenantID: tenant, ConsumerCodes: codes})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		l := byCode[u.ConsumerCode]
		l.Units = append(l.Units, calc.TradeUnit{Trade: u.Trade, Size: int(u.Size)})
	}
	return out, nil
}

// renewalWindow is the expiry days of the licences whose renewal falls due
// in fiscal year fy: those valid to the day before one of its days.
func renewalWindow(fy int) (time.Time, time.Time) {
	return ledger.Date(fy, time.March, 31), ledger.Date(fy+1, time.March, 30)
}

// licenceDemand computes, without saving, the renewal demand of a licence
// whose renewal falls due in fiscal year fy, applied for (or raised) on
// the given day: the renewal fee of its trades by the year's master, and
// the late penalty for the days from expiry to that day. The renewal runs
// a year from the day after expiry.
func licenceDemand(l Licence, m calc.TradeMaster, fy int, on time.Time) (DemandInput, error) {
	from := l.ValidTo.AddDate(0, 0, 1)
	if due := ledger.FiscalYearOf(from); due != fy {
		return DemandInput{}, &ledger.PreconditionError{Field: "fiscal_year", Kind: ErrNotDue,
			Reason: fmt.Sprintf("licence %s is valid to %s: its renewal falls due in %s, not %s", l.ConsumerCode,
				l.ValidTo.Format(time.DateOnly), ledger.FiscalYearLabel(due), ledger.FiscalYearLabel(fy))}
	}
	if l.Status != LicenceActive {
		return DemandInput{}, &ledger.PreconditionError{Field: "consumer_code", Kind: ErrNotDue,
			Reason: fmt.Sprintf("licence %s is %s: only an active licence is renewed", l.ConsumerCode, l.Status)}
	}
	if on.IsZero() {
		return DemandInput{}, invalid("applied_on", "is required: the late penalty runs to it")
	}
	lines, err := calc.TradeLicenceFee(calc.TradeLicence{Kind: calc.LicenceRenewal, Units: l.Units, Expires: l.ValidTo}, m, on)
	if err != nil {
		return DemandInput{}, calcError(l.ConsumerCode, err)
	}
	due := l.ValidTo
	if on.After(due) {
		due = on // lapsed: payable at once
	}
	return DemandInput{Service: TradeLicence, ConsumerCode: l.ConsumerCode, Ward: l.Ward, PeriodFrom: from,
		PeriodTo: from.AddDate(1, 0, -1), Date: on, DueDate: due, IdempotencyKey: fmt.Sprintf("tl-run:%d:%s", fy, l.ConsumerCode),
		Lines: demandLines(lines)}, nil
}

// CalculateLicenceDemand previews a licence's renewal demand for fiscal
// year fy, as if applied for on the given day.
func (s *Service) CalculateLicenceDemand(ctx context.Context, tenant, consumer string, fy int, on time.Time) (DemandInput, error) {
	var d DemandInput
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		ls, err := licences(ctx, q, tenant, pageFilter{only: consumer, limit: 1}, "")
		if err != nil {
			return err
		}
		if len(ls) == 0 {
			return &ledger.NotFoundError{What: fmt.Sprintf("trade licence %q", consumer)}
		}
		m, err := tradeMaster(ctx, q, tenant, fy)
		if err != nil {
			return err
		}
		d, err = licenceDemand(ls[0], m, fy, on)
		return err
	})
	return d, err
}
