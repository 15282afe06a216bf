package billing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Water is the service name of water charges.
const Water = "water"

// The kinds of water connection.
const (
	Metered    = "metered"
	NonMetered = "non_metered"
)

// waterDueDays is how long a water bill is payable after its period ends.
const waterDueDays = 30

// WaterConnection is an entry of the water connection register.
type WaterConnection struct {
	ConsumerCode string
	PropertyCode string // the property served, when it is in the property register
	HolderName   string
	Address      string
	Ward         string
	Kind         string // Metered or NonMetered
	// Usage is the tariff class (residential, non_residential, government):
	// it picks a metered connection's slabs, or a flat rate by usage.
	Usage          string
	PipeSizeMM     int
	ConnectedOn    time.Time
	DisconnectedOn time.Time // zero while the connection is live
	MeterNumber    string    // required on a metered connection
}

// MeterReading is a reading of a metered connection, in kilolitres to the
// litre.
type MeterReading struct {
	ConsumerCode string
	Date         time.Time
	Reading      decimal.Decimal
	// Replacement records that the meter was changed since the previous
	// reading: the old meter's final reading and the new one's initial.
	// Reading is then the new meter's.
	Replacement *calc.MeterReplacement
}

// ErrNoReading reports a metered connection with no reading to bill a
// period from.
var ErrNoReading = errors.New("no meter reading for the period")

// ErrNotDue reports a register entry with nothing to bill for the period
// asked: a connection not live in it, a licence not due for renewal.
var ErrNotDue = errors.New("nothing due for the period")

// SaveWaterConnections creates or replaces connections, all in one
// transaction. A connection's code must not be a property's or a licence's
// (see claimCodes), and the property it serves must be in the register.
func (s *Service) SaveWaterConnections(ctx context.Context, tenant string, cs []WaterConnection, actor string) error {
	var vs []ledger.FieldViolation
	seen := map[string]int{}
	for i, c := range cs {
		prefix := fmt.Sprintf("connections[%d]", i)
		bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: rule}) }
		if strings.TrimSpace(c.ConsumerCode) == "" {
			bad(".consumer_code", "is required")
		} else if j, dup := seen[c.ConsumerCode]; dup {
			bad(".consumer_code", fmt.Sprintf("repeats connections[%d]", j))
		}
		seen[c.ConsumerCode] = i
		if strings.TrimSpace(c.HolderName) == "" {
			bad(".holder_name", "is required")
		}
		if c.Ward == "" {
			bad(".ward", "is required")
		}
		if c.Kind != Metered && c.Kind != NonMetered {
			bad(".kind", fmt.Sprintf("must be %q or %q", Metered, NonMetered))
		}
		if c.Kind == Metered && strings.TrimSpace(c.MeterNumber) == "" {
			bad(".meter_number", "is required on a metered connection")
		}
		if c.Usage == "" {
			bad(".usage", "is required: it is the tariff class, e.g. residential")
		}
		if c.PipeSizeMM <= 0 {
			bad(".pipe_size_mm", "must be greater than zero")
		}
		if c.ConnectedOn.IsZero() {
			bad(".connected_on", "is required")
		}
		if !c.DisconnectedOn.IsZero() && c.DisconnectedOn.Before(c.ConnectedOn) {
			bad(".disconnected_on", "is before the connection was made")
		}
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	codes := make([]string, len(cs))
	var served []string
	for i, c := range cs {
		codes[i] = c.ConsumerCode
		if c.PropertyCode != "" {
			served = append(served, c.PropertyCode)
		}
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := claimCodes(ctx, q, tenant, registerWaterConnection, codes, "connections"); err != nil {
			return err
		}
		rows, err := q.ConsumerCodeRegisters(ctx, dbq.ConsumerCodeRegistersParams{TenantID: tenant, ConsumerCodes: served})
		if err != nil {
			return fmt.Errorf("look up properties served: %w", err)
		}
		isProperty := map[string]bool{}
		for _, r := range rows {
			isProperty[r.ConsumerCode] = r.Register == registerProperty
		}
		var vs []ledger.FieldViolation
		for i, c := range cs {
			if c.PropertyCode != "" && !isProperty[c.PropertyCode] {
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("connections[%d].property_code", i),
					Rule: fmt.Sprintf("%q is not in the property register", c.PropertyCode)})
			}
		}
		if len(vs) > 0 {
			return &ledger.ValidationError{Violations: vs}
		}
		for _, c := range cs {
			var off *time.Time
			if !c.DisconnectedOn.IsZero() {
				off = &c.DisconnectedOn
			}
			if err := q.WaterConnectionUpsert(ctx, dbq.WaterConnectionUpsertParams{TenantID: tenant, ConsumerCode: c.ConsumerCode,
				PropertyCode: c.PropertyCode, HolderName: c.HolderName, Address: c.Address, Ward: c.Ward, Kind: c.Kind,
				Usage: c.Usage, PipeSizeMm: int32(c.PipeSizeMM), ConnectedOn: c.ConnectedOn, DisconnectedOn: off,
				MeterNumber: c.MeterNumber, CreatedBy: actor}); err != nil {
				return fmt.Errorf("save water connection %s: %w", c.ConsumerCode, err)
			}
		}
		return nil
	})
}

// waterConnections reads a page of the register; f.from and f.to bound the
// days a connection must be live on.
func waterConnections(ctx context.Context, q *dbq.Queries, tenant string, f pageFilter) ([]WaterConnection, error) {
	from, to := f.window()
	rows, err := q.WaterConnectionPage(ctx, dbq.WaterConnectionPageParams{TenantID: tenant, AfterCode: f.after, Ward: f.ward,
		OnlyCode: f.only, LiveFrom: from, LiveTo: to, RowLimit: int32(f.limit)})
	if err != nil {
		return nil, fmt.Errorf("read water connections: %w", err)
	}
	out := make([]WaterConnection, len(rows))
	for i, r := range rows {
		out[i] = WaterConnection{ConsumerCode: r.ConsumerCode, PropertyCode: r.PropertyCode, HolderName: r.HolderName,
			Address: r.Address, Ward: r.Ward, Kind: r.Kind, Usage: r.Usage, PipeSizeMM: int(r.PipeSizeMm),
			ConnectedOn: r.ConnectedOn, MeterNumber: r.MeterNumber}
		if r.DisconnectedOn != nil {
			out[i].DisconnectedOn = *r.DisconnectedOn
		}
	}
	return out, nil
}

// meterReadings reads the connections' readings up to until, from the last
// one before since, by connection in date order.
func meterReadings(ctx context.Context, q *dbq.Queries, tenant string, codes []string, since, until time.Time) (map[string][]MeterReading, error) {
	rows, err := q.MeterReadingsFrom(ctx, dbq.MeterReadingsFromParams{TenantID: tenant, ConsumerCodes: codes, Since: since, Until: until})
	if err != nil {
		return nil, fmt.Errorf("read meter readings: %w", err)
	}
	out := map[string][]MeterReading{}
	for _, r := range rows {
		m := MeterReading{ConsumerCode: r.ConsumerCode, Date: r.ReadingDate, Reading: r.Reading}
		if r.Replaced {
			m.Replacement = &calc.MeterReplacement{OldFinal: r.OldFinal, NewInitial: r.NewInitial}
		}
		out[r.ConsumerCode] = append(out[r.ConsumerCode], m)
	}
	return out, nil
}

// readingScale is the precision meters are read to: the litre.
const readingScale = 3

// RecordMeterReadings records readings of metered connections, all or
// nothing, and returns how many were new: a reading already recorded with
// the same figures is a replay and changes nothing. A meter never runs
// backwards: each reading must be at least the one before it and at most
// the one after it, unless it records a meter replacement.
func (s *Service) RecordMeterReadings(ctx context.Context, tenant string, rs []MeterReading, actor string) (int, error) {
	if len(rs) == 0 {
		return 0, invalid("readings", "at least one reading is required")
	}
	var vs []ledger.FieldViolation
	type key struct {
		code string
		day  time.Time
	}
	seen := map[key]int{}
	for i, r := range rs {
		prefix := fmt.Sprintf("readings[%d]", i)
		bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: rule}) }
		if strings.TrimSpace(r.ConsumerCode) == "" {
			bad(".consumer_code", "is required")
		}
		if r.Date.IsZero() {
			bad(".reading_date", "is required")
		} else if j, dup := seen[key{r.ConsumerCode, r.Date}]; dup {
			bad(".reading_date", fmt.Sprintf("repeats the connection and day of readings[%d]", j))
		}
		seen[key{r.ConsumerCode, r.Date}] = i
		kl := func(field string, d decimal.Decimal) {
			if d.IsNegative() || !d.Equal(d.Round(readingScale)) {
				bad(field, "must be kilolitres, not negative, to at most 3 decimals (the litre)")
			}
		}
		kl(".reading", r.Reading)
		if rp := r.Replacement; rp != nil {
			kl(".replacement.old_final", rp.OldFinal)
			kl(".replacement.new_initial", rp.NewInitial)
		}
	}
	if len(vs) > 0 {
		return 0, &ledger.ValidationError{Violations: vs}
	}
	codes := make([]string, 0, len(rs))
	since := rs[0].Date
	for _, r := range rs {
		codes = append(codes, r.ConsumerCode)
		since = minDate(since, r.Date)
	}
	codes = slices.Compact(slices.Sorted(slices.Values(codes)))

	var recorded int
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		conns, err := q.WaterConnectionLockMany(ctx, dbq.WaterConnectionLockManyParams{TenantID: tenant, ConsumerCodes: codes})
		if err != nil {
			return fmt.Errorf("lock water connections: %w", err)
		}
		byCode := map[string]dbq.WaterConnectionLockManyRow{}
		for _, c := range conns {
			byCode[c.ConsumerCode] = c
		}
		var vs []ledger.FieldViolation
		for i, r := range rs {
			c, ok := byCode[r.ConsumerCode]
			switch {
			case !ok:
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d].consumer_code", i),
					Rule: fmt.Sprintf("%q is not a water connection", r.ConsumerCode)})
			case c.Kind != Metered:
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d].consumer_code", i),
					Rule: fmt.Sprintf("%q is not a metered connection", r.ConsumerCode)})
			case r.Date.Before(c.ConnectedOn):
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d].reading_date", i),
					Rule: fmt.Sprintf("is before the connection was made on %s", c.ConnectedOn.Format(time.DateOnly))})
			}
		}
		if len(vs) > 0 {
			return &ledger.ValidationError{Violations: vs}
		}
		existing, err := meterReadings(ctx, q, tenant, codes, since, ledger.Date(9999, time.December, 31))
		if err != nil {
			return err
		}
		fresh, vs := checkReadings(rs, existing)
		if len(vs) > 0 {
			return &ledger.ValidationError{Violations: vs}
		}
		recorded = len(fresh)
		if recorded == 0 {
			return nil
		}
		arg := dbq.MeterReadingInsertManyParams{TenantID: tenant, RecordedBy: actor}
		for _, r := range fresh {
			var rp calc.MeterReplacement
			if r.Replacement != nil {
				rp = *r.Replacement
			}
			arg.ConsumerCodes = append(arg.ConsumerCodes, r.ConsumerCode)
			arg.ReadingDates = append(arg.ReadingDates, r.Date)
			arg.Readings = append(arg.Readings, r.Reading)
			arg.Replaced = append(arg.Replaced, r.Replacement != nil)
			arg.OldFinals = append(arg.OldFinals, rp.OldFinal)
			arg.NewInitials = append(arg.NewInitials, rp.NewInitial)
		}
		if err := q.MeterReadingInsertMany(ctx, arg); err != nil {
			return fmt.Errorf("record meter readings: %w", err)
		}
		return nil
	})
	return recorded, err
}

func minDate(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// checkReadings places each new reading among the connection's recorded
// ones and checks every step of the merged sequence with the calculator's
// own rule (calc.Consumption), naming the new reading a step breaks. It
// returns the readings not recorded yet; a reading recorded before with
// the same figures is a replay, with other figures a conflict.
func checkReadings(rs []MeterReading, existing map[string][]MeterReading) ([]MeterReading, []ledger.FieldViolation) {
	type placed struct {
		MeterReading
		req int // index in the request, -1 when recorded before
	}
	var vs []ledger.FieldViolation
	var fresh []MeterReading
	seq := map[string][]placed{}
	for code, old := range existing {
		for _, r := range old {
			seq[code] = append(seq[code], placed{r, -1})
		}
	}
	for i, r := range rs {
		k := slices.IndexFunc(seq[r.ConsumerCode], func(p placed) bool { return p.req < 0 && p.Date.Equal(r.Date) })
		if k < 0 {
			seq[r.ConsumerCode] = append(seq[r.ConsumerCode], placed{r, i})
			fresh = append(fresh, r)
			continue
		}
		if old := seq[r.ConsumerCode][k]; !sameReading(old.MeterReading, r) {
			vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d].reading_date", i),
				Rule: fmt.Sprintf("a reading of %s is already recorded on this day; a recorded reading is not changed", old.Reading)})
		}
	}
	for _, code := range slices.Sorted(maps.Keys(seq)) {
		s := seq[code]
		slices.SortFunc(s, func(a, b placed) int { return a.Date.Compare(b.Date) })
		for k := 1; k < len(s); k++ {
			prev, cur := s[k-1], s[k]
			if prev.req < 0 && cur.req < 0 {
				continue
			}
			_, err := calc.Consumption(calc.MeterReading{Previous: prev.Reading, Current: cur.Reading, Replacement: cur.Replacement})
			var ie *calc.InputError
			if !errors.As(err, &ie) {
				continue
			}
			if cur.req >= 0 {
				field := strings.Replace(strings.TrimPrefix(ie.Field, "reading"), ".current", ".reading", 1)
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d]%s", cur.req, field),
					Rule: fmt.Sprintf("%s (read on %s)", ie.Rule, prev.Date.Format(time.DateOnly))})
			} else {
				vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("readings[%d].reading", prev.req),
					Rule: fmt.Sprintf("the reading recorded on %s after it would run backwards: %s", cur.Date.Format(time.DateOnly), ie.Rule)})
			}
		}
	}
	return fresh, vs
}

func sameReading(a, b MeterReading) bool {
	if !a.Reading.Equal(b.Reading) || (a.Replacement == nil) != (b.Replacement == nil) {
		return false
	}
	return a.Replacement == nil ||
		(a.Replacement.OldFinal.Equal(b.Replacement.OldFinal) && a.Replacement.NewInitial.Equal(b.Replacement.NewInitial))
}

// Period is the span a water bill covers: whole calendar months within one
// fiscal year, whose masters price it.
type Period struct {
	From, To time.Time
}

func (p Period) validate() error {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: field, Rule: rule}) }
	switch {
	case p.From.IsZero() || p.To.IsZero():
		bad("period", "needs a from and a to date")
	case p.From.Day() != 1:
		bad("period.from", "must be the first day of a month")
	case p.To.AddDate(0, 0, 1).Day() != 1:
		bad("period.to", "must be the last day of a month")
	case p.To.Before(p.From):
		bad("period.to", "is before the from date")
	case ledger.FiscalYearOf(p.From) != ledger.FiscalYearOf(p.To):
		bad("period", "must lie within one fiscal year, whose masters price it")
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return nil
}

func (p Period) String() string {
	return p.From.Format(time.DateOnly) + "/" + p.To.Format(time.DateOnly)
}

// monthsLive counts the months of p the connection is live in, a part
// month counting whole: a connection made on 15 May pays for May.
func (c WaterConnection) monthsLive(p Period) int {
	from, to := p.From, p.To
	if c.ConnectedOn.After(from) {
		from = c.ConnectedOn
	}
	if !c.DisconnectedOn.IsZero() && c.DisconnectedOn.Before(to) {
		to = c.DisconnectedOn
	}
	if to.Before(from) {
		return 0
	}
	return (to.Year()-from.Year())*12 + int(to.Month()-from.Month()) + 1
}

// periodReading is the pair of readings a period's bill is cut from: the
// last reading before the period (or, for a meter first read within it,
// that first reading) and the last reading within it, with the meter
// replacement recorded between them, if any.
func periodReading(c WaterConnection, readings []MeterReading, p Period) (calc.MeterReading, error) {
	open, closing := -1, -1
	for i, r := range readings {
		switch {
		case r.Date.Before(p.From):
			open = i
		case !r.Date.After(p.To):
			if open < 0 {
				open = i
			}
			closing = i
		}
	}
	if open < 0 || closing <= open {
		return calc.MeterReading{}, &ledger.PreconditionError{Field: "period", Kind: ErrNoReading,
			Reason: fmt.Sprintf("connection %s has no meter reading from %s to %s to bill from", c.ConsumerCode,
				p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))}
	}
	r := calc.MeterReading{Previous: readings[open].Reading, Current: readings[closing].Reading}
	for _, m := range readings[open+1 : closing+1] {
		if m.Replacement == nil {
			continue
		}
		if r.Replacement != nil {
			return calc.MeterReading{}, invalid("period", "connection %s had its meter replaced twice from %s to %s; bill it in shorter periods",
				c.ConsumerCode, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
		}
		r.Replacement = m.Replacement
	}
	return r, nil
}

// waterDemand computes, without saving, a connection's water demand for a
// period from the readings around it (metered) or its usage or pipe size
// (flat).
func waterDemand(c WaterConnection, readings []MeterReading, m waterMasters, p Period) (DemandInput, error) {
	months := c.monthsLive(p)
	if months == 0 {
		return DemandInput{}, &ledger.PreconditionError{Field: "period", Kind: ErrNotDue,
			Reason: fmt.Sprintf("connection %s is not live from %s to %s", c.ConsumerCode, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))}
	}
	var lines []calc.Line
	var err error
	switch c.Kind {
	case Metered:
		if m.metered == nil {
			return DemandInput{}, noMaster("metered water", m.fy)
		}
		tariff, ok := m.metered.ByUsage[c.Usage]
		if !ok {
			return DemandInput{}, invalid(c.ConsumerCode+".usage", "%q has no slabs in the metered water master of %s",
				c.Usage, ledger.FiscalYearLabel(m.fy))
		}
		var r calc.MeterReading
		if r, err = periodReading(c, readings, p); err != nil {
			return DemandInput{}, err
		}
		lines, err = calc.MeteredWater(r, months, tariff)
	default:
		if m.flat == nil {
			return DemandInput{}, noMaster("flat water", m.fy)
		}
		lines, err = calc.FlatWater(calc.FlatConnection{Usage: c.Usage, PipeSizeMM: c.PipeSizeMM}, months, *m.flat)
	}
	if err != nil {
		return DemandInput{}, calcError(c.ConsumerCode, err)
	}
	return DemandInput{Service: Water, ConsumerCode: c.ConsumerCode, Ward: c.Ward, PeriodFrom: p.From, PeriodTo: p.To,
		Date: p.To, DueDate: p.To.AddDate(0, 0, waterDueDays), IdempotencyKey: "wc-run:" + p.String() + ":" + c.ConsumerCode,
		Lines: demandLines(lines)}, nil
}

// CalculateWaterDemand previews a connection's water demand for a period.
func (s *Service) CalculateWaterDemand(ctx context.Context, tenant, consumer string, p Period) (DemandInput, error) {
	if err := p.validate(); err != nil {
		return DemandInput{}, err
	}
	var d DemandInput
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		cs, err := waterConnections(ctx, q, tenant, pageFilter{only: consumer, limit: 1})
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return &ledger.NotFoundError{What: fmt.Sprintf("water connection %q", consumer)}
		}
		m, err := waterMastersOf(ctx, q, tenant, ledger.FiscalYearOf(p.From))
		if err != nil {
			return err
		}
		readings, err := meterReadings(ctx, q, tenant, []string{consumer}, p.From, p.To)
		if err != nil {
			return err
		}
		d, err = waterDemand(cs[0], readings[consumer], m, p)
		return err
	})
	return d, err
}
