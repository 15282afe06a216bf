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

// PropertyTax is the service name of property tax.
const PropertyTax = "property_tax"

// Property is an entry of the property register.
type Property struct {
	ConsumerCode string
	OwnerName    string
	OwnerPhone   string
	OwnerEmail   string
	Address      string
	Ward         string
	Category     string // colony / zone category: the unit-area rate's key, the ARV method's zone
	Units        []calc.AreaUnit
}

// SaveProperty creates or replaces a property with its units.
func (s *Service) SaveProperty(ctx context.Context, tenant string, p Property, actor string) error {
	return s.SaveProperties(ctx, tenant, []Property{p}, actor)
}

// SaveProperties creates or replaces properties with their units, all in
// one transaction.
func (s *Service) SaveProperties(ctx context.Context, tenant string, ps []Property, actor string) error {
	var vs []ledger.FieldViolation
	seen := make(map[string]int, len(ps))
	for i, p := range ps {
		prefix := fmt.Sprintf("properties[%d]", i)
		bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: prefix + field, Rule: rule}) }
		if strings.TrimSpace(p.ConsumerCode) == "" {
			bad(".consumer_code", "is required")
		} else if j, dup := seen[p.ConsumerCode]; dup {
			bad(".consumer_code", fmt.Sprintf("%q repeats properties[%d]", p.ConsumerCode, j))
		}
		seen[p.ConsumerCode] = i
		if strings.TrimSpace(p.OwnerName) == "" {
			bad(".owner_name", "is required")
		}
		if p.Ward == "" {
			bad(".ward", "is required")
		}
		if p.Category == "" {
			bad(".category", "is required")
		}
		if len(p.Units) == 0 {
			bad(".units", "a property needs at least one unit")
		}
		for j, u := range p.Units {
			up := fmt.Sprintf(".units[%d]", j)
			if !u.AreaM2.IsPositive() || !u.AreaM2.Equal(u.AreaM2.Round(2)) {
				bad(up+".area_m2", "must be positive, with at most 2 decimals")
			}
			if u.Use == "" || u.Structure == "" || u.Occupancy == "" {
				bad(up, "use, structure and occupancy are required")
			}
			if u.YearBuilt < 1800 || u.YearBuilt > 2200 {
				bad(up+".year_built", "must be a year")
			}
		}
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	props := dbq.PropertyUpsertManyParams{TenantID: tenant, CreatedBy: actor}
	units := dbq.PropertyUnitInsertManyParams{TenantID: tenant}
	for _, p := range ps {
		props.ConsumerCodes = append(props.ConsumerCodes, p.ConsumerCode)
		props.OwnerNames = append(props.OwnerNames, p.OwnerName)
		props.OwnerPhones = append(props.OwnerPhones, p.OwnerPhone)
		props.OwnerEmails = append(props.OwnerEmails, p.OwnerEmail)
		props.Addresses = append(props.Addresses, p.Address)
		props.Wards = append(props.Wards, p.Ward)
		props.Categories = append(props.Categories, p.Category)
		for j, u := range p.Units {
			units.ConsumerCodes = append(units.ConsumerCodes, p.ConsumerCode)
			units.UnitNos = append(units.UnitNos, int16(j+1))
			units.Labels = append(units.Labels, u.Label)
			units.Areas = append(units.Areas, u.AreaM2)
			units.Uses = append(units.Uses, u.Use)
			units.Structures = append(units.Structures, u.Structure)
			units.Occupancies = append(units.Occupancies, u.Occupancy)
			units.YearsBuilt = append(units.YearsBuilt, int32(u.YearBuilt))
		}
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := claimCodes(ctx, q, tenant, registerProperty, props.ConsumerCodes, "properties"); err != nil {
			return err
		}
		if err := q.PropertyUpsertMany(ctx, props); err != nil {
			return fmt.Errorf("save properties: %w", err)
		}
		if err := q.PropertyUnitsClear(ctx, dbq.PropertyUnitsClearParams{TenantID: tenant, ConsumerCodes: props.ConsumerCodes}); err != nil {
			return fmt.Errorf("clear property units: %w", err)
		}
		if err := q.PropertyUnitInsertMany(ctx, units); err != nil {
			return fmt.Errorf("save property units: %w", err)
		}
		return nil
	})
}

// pageFilter selects a page of a register.
type pageFilter struct {
	ward, after, only string // only: one consumer code
	limit             int
	// from and to bound the days a water connection must be live on, or a
	// licence expire on; zero means unbounded.
	from, to time.Time
}

// window is the filter's days, unbounded ends made explicit.
func (f pageFilter) window() (time.Time, time.Time) {
	from, to := f.from, f.to
	if from.IsZero() {
		from = ledger.Date(1, time.January, 1)
	}
	if to.IsZero() {
		to = ledger.Date(9999, time.December, 31)
	}
	return from, to
}

// The registers a consumer code can be in.
const (
	registerProperty        = "property"
	registerWaterConnection = "water_connection"
	registerTradeLicence    = "trade_licence"
)

// claimCodes refuses the consumer codes of a register save that another
// register already holds: a code names one consumer across the tenant's
// registers, so that dues, bills and receipts never mix a property with a
// connection or a licence. Three tables cannot share one unique key, so
// the check is here, in the save's transaction, under a lock on the
// tenant's register saves that keeps a concurrent save in another
// register from slipping the same code in between the check and the
// commit. list names the request's entries ("connections") for the field
// path.
func claimCodes(ctx context.Context, q *dbq.Queries, tenant, register string, codes []string, list string) error {
	if err := q.ConsumerCodeLock(ctx, tenant); err != nil {
		return fmt.Errorf("lock consumer codes: %w", err)
	}
	rows, err := q.ConsumerCodeRegisters(ctx, dbq.ConsumerCodeRegistersParams{TenantID: tenant, ConsumerCodes: codes})
	if err != nil {
		return fmt.Errorf("look up consumer codes: %w", err)
	}
	held := map[string]string{}
	for _, r := range rows {
		if r.Register != register {
			held[r.ConsumerCode] = r.Register
		}
	}
	var vs []ledger.FieldViolation
	for i, c := range codes {
		if other, ok := held[c]; ok {
			vs = append(vs, ledger.FieldViolation{Field: fmt.Sprintf("%s[%d].consumer_code", list, i),
				Rule: fmt.Sprintf("%q is already the code of a %s: a consumer code names one consumer across the registers",
					c, strings.ReplaceAll(other, "_", " "))})
		}
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return nil
}

// properties reads a page of the register with units.
func properties(ctx context.Context, q *dbq.Queries, tenant string, f pageFilter) ([]Property, error) {
	rows, err := q.PropertyPage(ctx, dbq.PropertyPageParams{TenantID: tenant, AfterCode: f.after, Ward: f.ward,
		OnlyCode: f.only, RowLimit: int32(f.limit)})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	codes := make([]string, len(rows))
	byCode := make(map[string]*Property, len(rows))
	out := make([]Property, len(rows))
	for i, r := range rows {
		codes[i] = r.ConsumerCode
		out[i] = Property{ConsumerCode: r.ConsumerCode, OwnerName: r.OwnerName, OwnerPhone: r.OwnerPhone,
			OwnerEmail: r.OwnerEmail, Address: r.Address, Ward: r.Ward, Category: r.Category}
		byCode[r.ConsumerCode] = &out[i]
	}
	units, err := q.PropertyUnitsOfMany(ctx, dbq.PropertyUnitsOfManyParams{TenantID: tenant, ConsumerCodes: codes})
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		p := byCode[u.ConsumerCode]
		p.Units = append(p.Units, calc.AreaUnit{Label: u.Label, AreaM2: u.AreaM2, Use: u.Use, Structure: u.Structure,
			Occupancy: u.Occupancy, YearBuilt: int(u.YearBuilt)})
	}
	return out, nil
}

// GetProperty returns a property of the register with its units.
func (s *Service) GetProperty(ctx context.Context, tenant, consumer string) (Property, error) {
	var ps []Property
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		ps, err = properties(ctx, dbq.New(tx), tenant, pageFilter{only: consumer, limit: 1})
		return err
	})
	if err != nil {
		return Property{}, err
	}
	if len(ps) == 0 {
		return Property{}, &ledger.NotFoundError{What: fmt.Sprintf("property %q", consumer)}
	}
	return ps[0], nil
}

// propertyPricer computes, without saving, fiscal-year property-tax
// demands by the method of the year's master, checked once. The ARV method
// reads a property's category as its zone and each unit's area as its
// plinth area.
type propertyPricer struct {
	fy       int
	arv      *calc.ARVMaster
	unitArea *calc.UnitAreaPricer
}

func newPropertyPricer(m RateMaster, fy int) (*propertyPricer, error) {
	pp := &propertyPricer{fy: fy, arv: m.ARV}
	if m.ARV != nil {
		return pp, nil
	}
	var err error
	if pp.unitArea, err = calc.NewUnitAreaPricer(*m.UnitArea); err != nil {
		return nil, fmt.Errorf("property-tax master of %d: %w", fy, err)
	}
	return pp, nil
}

func (pp *propertyPricer) demand(p Property) (DemandInput, error) {
	fy := pp.fy
	start := ledger.Date(fy, time.April, 1)
	var lines []calc.Line
	var err error
	if pp.arv != nil {
		ap := calc.ARVProperty{Zone: p.Category}
		for _, u := range p.Units {
			ap.Units = append(ap.Units, calc.ARVUnit{Label: u.Label, PlinthAreaM2: u.AreaM2, Use: u.Use, Occupancy: u.Occupancy})
		}
		lines, err = calc.ARVTax(ap, *pp.arv)
	} else {
		lines, err = pp.unitArea.Tax(calc.UnitAreaProperty{Category: p.Category, Units: p.Units}, start)
	}
	if err != nil {
		return DemandInput{}, calcError(p.ConsumerCode, err)
	}
	return DemandInput{Service: PropertyTax, ConsumerCode: p.ConsumerCode, Ward: p.Ward, PeriodFrom: start,
		PeriodTo: ledger.Date(fy+1, time.March, 31), Date: start, DueDate: ledger.Date(fy, time.September, 30),
		IdempotencyKey: fmt.Sprintf("pt-run:%d:%s", fy, p.ConsumerCode), Lines: demandLines(lines)}, nil
}

// demandLines are a calculator's lines as a demand raises them: lines that
// come to nothing are left out, and each keeps its working.
func demandLines(lines []calc.Line) []DemandLineInput {
	var out []DemandLineInput
	for _, l := range lines {
		if !l.Amount.IsZero() {
			out = append(out, DemandLineInput{Head: l.Head, Amount: l.Amount, Basis: l.Basis})
		}
	}
	return out
}

// CalculatePropertyDemand previews a property's demand for a fiscal year.
func (s *Service) CalculatePropertyDemand(ctx context.Context, tenant, consumer string, fy int) (DemandInput, error) {
	var d DemandInput
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		m, err := propertyMaster(ctx, q, tenant, fy)
		if err != nil {
			return err
		}
		ps, err := properties(ctx, q, tenant, pageFilter{only: consumer, limit: 1})
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return &ledger.NotFoundError{What: fmt.Sprintf("property %q", consumer)}
		}
		pp, err := newPropertyPricer(m, fy)
		if err != nil {
			return err
		}
		d, err = pp.demand(ps[0])
		return err
	})
	return d, err
}

// DemandQuery names the demand CalculateDemand previews: a property's for
// a fiscal year, a water connection's for a period, or a licence's renewal
// due in a fiscal year as if applied for on a day.
type DemandQuery struct {
	Service      string
	ConsumerCode string
	FiscalYear   int       // property tax, trade licence
	Period       Period    // water
	AppliedOn    time.Time // trade licence
}

// CalculateDemand previews, without raising it, the demand a run would
// raise for a consumer of any register, each line with its working.
func (s *Service) CalculateDemand(ctx context.Context, tenant string, q DemandQuery) (DemandInput, error) {
	if strings.TrimSpace(q.ConsumerCode) == "" {
		return DemandInput{}, invalid("consumer_code", "is required")
	}
	if q.Service != Water && q.FiscalYear < 2000 {
		return DemandInput{}, invalid("fiscal_year", "is required: the year the demand is for, e.g. 2026 for 2026-27")
	}
	switch q.Service {
	case PropertyTax:
		return s.CalculatePropertyDemand(ctx, tenant, q.ConsumerCode, q.FiscalYear)
	case Water:
		return s.CalculateWaterDemand(ctx, tenant, q.ConsumerCode, q.Period)
	case TradeLicence:
		return s.CalculateLicenceDemand(ctx, tenant, q.ConsumerCode, q.FiscalYear, q.AppliedOn)
	}
	return DemandInput{}, invalid("service", "must be %s, %s or %s, got %q", PropertyTax, Water, TradeLicence, q.Service)
}
