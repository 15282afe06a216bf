package billing

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/billing/calc"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// The methods a rate master can have; each prices one service.
const (
	MethodUnitArea     = "unit_area"     // property tax by unit area
	MethodARV          = "arv"           // property tax by annual rental value
	MethodWaterMetered = "water_metered" // graded slabs by usage class
	MethodWaterFlat    = "water_flat"    // flat a month by usage or pipe size
	MethodTradeLicence = "trade_licence" // fee by trade category and size
	// MethodLatePayment is a service's rebate, penalty and interest rules
	// (LatePaymentMaster), kept beside its tariff: any service with tax
	// heads may have one, and no tariff master replaces it.
	MethodLatePayment = "late_payment"
)

var methodService = map[string]string{
	MethodUnitArea: PropertyTax, MethodARV: PropertyTax,
	MethodWaterMetered: Water, MethodWaterFlat: Water,
	MethodTradeLicence: TradeLicence,
}

// RateMaster is a service's tariff for a fiscal year, as the calculators
// read it, or its late-payment master. Exactly one of the masters is set;
// Method says which.
//
// A year's property tax has one method: saving a unit-area master drops
// the year's ARV master and the other way round. Water has a metered and a
// flat master side by side, for the two kinds of connection. A late-payment
// master sits beside any of them.
type RateMaster struct {
	Service      string // derived from a tariff master when empty; required with LatePayment
	FiscalYear   int
	Method       string // set when read; derived from the master when saved
	UnitArea     *calc.UnitAreaMaster
	ARV          *calc.ARVMaster
	WaterMetered *MeteredWaterTariff
	WaterFlat    *calc.FlatWaterMaster
	Trade        *calc.TradeMaster
	LatePayment  *LatePaymentMaster
}

// replaces is the method whose master a property-tax master drops: a
// year's property tax is levied by one method.
var replaces = map[string]string{MethodUnitArea: MethodARV, MethodARV: MethodUnitArea}

// MeteredWaterTariff is a year's metered water tariff: graded slabs for
// each usage class (a connection's usage picks its slabs).
type MeteredWaterTariff struct {
	ByUsage map[string]calc.MeteredWaterMaster `json:"by_usage"`
}

// Validate checks every class with the calculator's own rules, as the
// calculators check their masters.
func (t MeteredWaterTariff) Validate() error {
	if len(t.ByUsage) == 0 {
		return &calc.InputError{Field: "master.by_usage", Rule: "at least one usage class is required"}
	}
	for _, u := range slices.Sorted(maps.Keys(t.ByUsage)) {
		if err := t.ByUsage[u].Validate(); err != nil {
			var ie *calc.InputError
			if errors.As(err, &ie) {
				return &calc.InputError{Field: "master.by_usage[" + u + "]" + strings.TrimPrefix(ie.Field, "master"), Rule: ie.Rule}
			}
			return err
		}
	}
	return nil
}

// ErrNoRateMaster reports a calculation for a year whose tariff is not set.
var ErrNoRateMaster = errors.New("no rate master for the year")

// calcError turns a calculator's input error into a field violation, its
// field under prefix (a consumer code).
func calcError(prefix string, err error) error {
	var ie *calc.InputError
	if errors.As(err, &ie) {
		return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: prefix + "." + ie.Field, Rule: ie.Rule}}}
	}
	return err
}

// method says which master m carries, its body and its own check.
func (m RateMaster) method() (method string, body any, check func() error, err error) {
	set := 0
	pick := func(ok bool, meth string, b any, c func() error) {
		if ok {
			set++
			method, body, check = meth, b, c
		}
	}
	pick(m.UnitArea != nil, MethodUnitArea, m.UnitArea, func() error { return m.UnitArea.Validate() })
	pick(m.ARV != nil, MethodARV, m.ARV, func() error { return m.ARV.Validate() })
	pick(m.WaterMetered != nil, MethodWaterMetered, m.WaterMetered, func() error { return m.WaterMetered.Validate() })
	pick(m.WaterFlat != nil, MethodWaterFlat, m.WaterFlat, func() error { return m.WaterFlat.Validate() })
	pick(m.Trade != nil, MethodTradeLicence, m.Trade, func() error { return m.Trade.Validate() })
	pick(m.LatePayment != nil, MethodLatePayment, m.LatePayment, nil) // checked against the service's heads
	if set != 1 {
		return "", nil, nil, invalid("master", "exactly one master is required, got %d", set)
	}
	return method, body, check, nil
}

// SaveRateMaster stores a service's master for a fiscal year, after the
// calculator itself has checked it, replacing the year's master of the
// same method (and, for property tax, of the other method). It returns the
// master's method. A late-payment master is saved as SaveLatePaymentMaster
// saves it, its fields named under "master.late_payment".
func (s *Service) SaveRateMaster(ctx context.Context, tenant string, m RateMaster, actor string) (string, error) {
	method, body, check, err := m.method()
	if err != nil {
		return "", err
	}
	if method == MethodLatePayment {
		err := s.SaveLatePaymentMaster(ctx, tenant, m.Service, m.FiscalYear, *m.LatePayment, actor)
		return method, underMethod(method, err)
	}
	service := methodService[method]
	if m.Service != "" && m.Service != service {
		return "", invalid("service", "a %s master prices %s, not %q", method, service, m.Service)
	}
	if m.FiscalYear < 2000 || m.FiscalYear > 2200 {
		return "", invalid("fiscal_year", "must be the year a fiscal year starts in, e.g. 2026 for 2026-27")
	}
	if err := check(); err != nil {
		// The calculator names the master's fields "master.…"; the master
		// is the field of its method ("master.unit_area.…").
		var ie *calc.InputError
		if errors.As(err, &ie) {
			return "", invalid("master."+method+strings.TrimPrefix(ie.Field, "master"), "%s", ie.Rule)
		}
		return "", err
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	return method, db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if other, ok := replaces[method]; ok {
			if err := q.RateMasterDelete(ctx, dbq.RateMasterDeleteParams{TenantID: tenant,
				Service: service, FiscalYear: int32(m.FiscalYear), Method: other}); err != nil {
				return err
			}
		}
		return q.RateMasterSave(ctx, dbq.RateMasterSaveParams{TenantID: tenant, Service: service,
			FiscalYear: int32(m.FiscalYear), Method: method, Body: raw, CreatedBy: actor})
	})
}

// underMethod names a master's violations ("master", "master.…") as the
// fields of its method ("master.late_payment.…").
func underMethod(method string, err error) error {
	var ve *ledger.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	out := &ledger.ValidationError{Violations: make([]ledger.FieldViolation, len(ve.Violations))}
	for i, v := range ve.Violations {
		if v.Field == "master" || strings.HasPrefix(v.Field, "master.") {
			v.Field = "master." + method + strings.TrimPrefix(v.Field, "master")
		}
		out.Violations[i] = v
	}
	return out
}

// SaveUnitAreaMaster stores the unit-area property-tax master for a fiscal
// year; the year's property tax is then levied by unit area.
func (s *Service) SaveUnitAreaMaster(ctx context.Context, tenant string, fy int, m calc.UnitAreaMaster, actor string) error {
	_, err := s.SaveRateMaster(ctx, tenant, RateMaster{FiscalYear: fy, UnitArea: &m}, actor)
	return err
}

// SaveARVMaster stores the annual-rental-value property-tax master for a
// fiscal year; the year's property tax is then levied by ARV.
func (s *Service) SaveARVMaster(ctx context.Context, tenant string, fy int, m calc.ARVMaster, actor string) error {
	_, err := s.SaveRateMaster(ctx, tenant, RateMaster{FiscalYear: fy, ARV: &m}, actor)
	return err
}

// SaveMeteredWaterMaster stores the metered water tariff for a fiscal year.
func (s *Service) SaveMeteredWaterMaster(ctx context.Context, tenant string, fy int, t MeteredWaterTariff, actor string) error {
	_, err := s.SaveRateMaster(ctx, tenant, RateMaster{FiscalYear: fy, WaterMetered: &t}, actor)
	return err
}

// SaveFlatWaterMaster stores the non-metered water tariff for a fiscal year.
func (s *Service) SaveFlatWaterMaster(ctx context.Context, tenant string, fy int, m calc.FlatWaterMaster, actor string) error {
	_, err := s.SaveRateMaster(ctx, tenant, RateMaster{FiscalYear: fy, WaterFlat: &m}, actor)
	return err
}

// SaveTradeMaster stores the trade licence tariff for a fiscal year.
func (s *Service) SaveTradeMaster(ctx context.Context, tenant string, fy int, m calc.TradeMaster, actor string) error {
	_, err := s.SaveRateMaster(ctx, tenant, RateMaster{FiscalYear: fy, Trade: &m}, actor)
	return err
}

// RateMasters returns a service's masters for a fiscal year, one per
// method, its late-payment master among them; none is NotFound.
func (s *Service) RateMasters(ctx context.Context, tenant, service string, fy int) ([]RateMaster, error) {
	var out []RateMaster
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		out, err = rateMasters(ctx, dbq.New(tx), tenant, service, fy)
		return err
	})
	if err == nil && len(out) == 0 {
		return nil, &ledger.NotFoundError{What: fmt.Sprintf("%s rate master for %s", service, ledger.FiscalYearLabel(fy))}
	}
	return out, err
}

func rateMasters(ctx context.Context, q *dbq.Queries, tenant, service string, fy int) ([]RateMaster, error) {
	rows, err := q.RateMastersOfYear(ctx, dbq.RateMastersOfYearParams{TenantID: tenant, Service: service, FiscalYear: int32(fy)})
	if err != nil {
		return nil, fmt.Errorf("read rate masters: %w", err)
	}
	out := make([]RateMaster, 0, len(rows))
	for _, r := range rows {
		m := RateMaster{Service: service, FiscalYear: fy, Method: r.Method}
		var target any
		switch r.Method {
		case MethodUnitArea:
			m.UnitArea = &calc.UnitAreaMaster{}
			target = m.UnitArea
		case MethodARV:
			m.ARV = &calc.ARVMaster{}
			target = m.ARV
		case MethodWaterMetered:
			m.WaterMetered = &MeteredWaterTariff{}
			target = m.WaterMetered
		case MethodWaterFlat:
			m.WaterFlat = &calc.FlatWaterMaster{}
			target = m.WaterFlat
		case MethodTradeLicence:
			m.Trade = &calc.TradeMaster{}
			target = m.Trade
		case MethodLatePayment:
			m.LatePayment = &LatePaymentMaster{}
			target = m.LatePayment
		default:
			return nil, fmt.Errorf("rate master of unknown method %q", r.Method)
		}
		if err := json.Unmarshal(r.Body, target); err != nil {
			return nil, fmt.Errorf("read %s master: %w", r.Method, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// noMaster is the refusal of a calculation whose year has no master.
func noMaster(what string, fy int) error {
	return &ledger.PreconditionError{Field: "fiscal_year", Kind: ErrNoRateMaster,
		Reason: fmt.Sprintf("no %s master for %s", what, ledger.FiscalYearLabel(fy))}
}

// propertyMaster is the year's property-tax master, of whichever method.
func propertyMaster(ctx context.Context, q *dbq.Queries, tenant string, fy int) (RateMaster, error) {
	ms, err := rateMasters(ctx, q, tenant, PropertyTax, fy)
	if err != nil {
		return RateMaster{}, err
	}
	// One method a year (saving one drops the other); the late-payment
	// master beside it prices no demand.
	i := slices.IndexFunc(ms, func(m RateMaster) bool { return m.UnitArea != nil || m.ARV != nil })
	if i < 0 {
		return RateMaster{}, noMaster("property-tax", fy)
	}
	return ms[i], nil
}

// waterMasters is the year's water masters; either may be missing until a
// connection of its kind needs it.
type waterMasters struct {
	fy      int
	metered *MeteredWaterTariff
	flat    *calc.FlatWaterMaster
}

func waterMastersOf(ctx context.Context, q *dbq.Queries, tenant string, fy int) (waterMasters, error) {
	ms, err := rateMasters(ctx, q, tenant, Water, fy)
	out := waterMasters{fy: fy}
	for _, m := range ms {
		out.metered = cmp.Or(m.WaterMetered, out.metered)
		out.flat = cmp.Or(m.WaterFlat, out.flat)
	}
	return out, err
}

func tradeMaster(ctx context.Context, q *dbq.Queries, tenant string, fy int) (calc.TradeMaster, error) {
	ms, err := rateMasters(ctx, q, tenant, TradeLicence, fy)
	if err != nil {
		return calc.TradeMaster{}, err
	}
	i := slices.IndexFunc(ms, func(m RateMaster) bool { return m.Trade != nil })
	if i < 0 {
		return calc.TradeMaster{}, noMaster("trade licence", fy)
	}
	return *ms[i].Trade, nil
}
