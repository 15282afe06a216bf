package billing

import (
	"context"
	"encoding/json"
	"errors"
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
	Category     string // colony / zone category: the unit-area rate's key
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

// pageFilter selects a page of the register.
type pageFilter struct {
	ward, after, only string // only: one consumer code
	limit             int
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

// SaveUnitAreaMaster stores the unit-area property-tax master for a fiscal
// year, after the calculator itself has checked it.
func (s *Service) SaveUnitAreaMaster(ctx context.Context, tenant string, fy int, m calc.UnitAreaMaster, actor string) error {
	if err := m.Validate(); err != nil {
		return calcError("master", err)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		return dbq.New(tx).RateMasterSave(ctx, dbq.RateMasterSaveParams{TenantID: tenant, Service: PropertyTax,
			FiscalYear: int32(fy), Method: "unit_area", Body: body, CreatedBy: actor})
	})
}

func unitAreaMaster(ctx context.Context, q *dbq.Queries, tenant string, fy int) (calc.UnitAreaMaster, error) {
	var m calc.UnitAreaMaster
	body, err := q.RateMasterGet(ctx, dbq.RateMasterGetParams{TenantID: tenant, Service: PropertyTax, FiscalYear: int32(fy), Method: "unit_area"})
	if errors.Is(err, pgx.ErrNoRows) {
		return m, &ledger.PreconditionError{Field: "fiscal_year", Kind: ErrNoRateMaster,
			Reason: fmt.Sprintf("no unit-area property-tax master for %s", ledger.FiscalYearLabel(fy))}
	}
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(body, &m)
}

// ErrNoRateMaster reports a calculation for a year whose tariff is not set.
var ErrNoRateMaster = errors.New("no rate master for the year")

// calcError turns a calculator's input error into a field violation.
func calcError(prefix string, err error) error {
	var ie *calc.InputError
	if errors.As(err, &ie) {
		return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: prefix + "." + ie.Field, Rule: ie.Rule}}}
	}
	return err
}

// PropertyDemand computes, without saving, the fiscal year's property-tax
// demand of a property by the unit-area method.
func propertyDemand(p Property, m calc.UnitAreaMaster, fy int) (DemandInput, error) {
	start := ledger.Date(fy, time.April, 1)
	lines, err := calc.UnitAreaTax(calc.UnitAreaProperty{Category: p.Category, Units: p.Units}, m, start)
	if err != nil {
		return DemandInput{}, calcError(p.ConsumerCode, err)
	}
	d := DemandInput{Service: PropertyTax, ConsumerCode: p.ConsumerCode, Ward: p.Ward, PeriodFrom: start,
		PeriodTo: ledger.Date(fy+1, time.March, 31), Date: start, DueDate: ledger.Date(fy, time.September, 30),
		IdempotencyKey: fmt.Sprintf("pt-run:%d:%s", fy, p.ConsumerCode)}
	for _, l := range lines {
		if l.Amount.IsZero() {
			continue
		}
		d.Lines = append(d.Lines, DemandLineInput{Head: l.Head, Amount: l.Amount})
	}
	return d, nil
}

// CalculatePropertyDemand previews a property's demand for a fiscal year.
func (s *Service) CalculatePropertyDemand(ctx context.Context, tenant, consumer string, fy int) (DemandInput, error) {
	var d DemandInput
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		m, err := unitAreaMaster(ctx, q, tenant, fy)
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
		d, err = propertyDemand(ps[0], m, fy)
		return err
	})
	return d, err
}
