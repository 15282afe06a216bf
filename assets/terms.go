package assets

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Terms is how a depreciable class is written down, straight line: over a
// useful life, or at a yearly rate (percent of the depreciable amount);
// never both. From says whose terms they are: the class's own ("class"),
// its state's default for the class code ("state"), or the built-in
// default of tariffs.md ("built-in").
type Terms struct {
	UsefulLifeYears int
	RatePercent     decimal.Decimal
	From            string
}

// The sources of a class's terms.
const (
	TermsOfClass   = "class"
	TermsOfState   = "state"
	TermsBuiltIn   = "built-in"
	maxLifeYears   = 200
	stateCodeRegex = `^[a-z]{2}$`
)

var hundred = decimal.NewFromInt(100)

// Set reports whether t says how to depreciate.
func (t Terms) Set() bool { return t.UsefulLifeYears > 0 || t.RatePercent.IsPositive() }

// check names what is wrong with terms given as field.life / field.rate.
func (t Terms) check(prefix string) []ledger.FieldViolation {
	var vs []ledger.FieldViolation
	switch {
	case t.UsefulLifeYears != 0 && !t.RatePercent.IsZero():
		vs = append(vs, ledger.FieldViolation{Field: prefix + "rate_percent", Rule: "give a useful life or a rate, not both"})
	case t.UsefulLifeYears < 0 || t.UsefulLifeYears > maxLifeYears:
		vs = append(vs, ledger.FieldViolation{Field: prefix + "useful_life_years", Rule: "must be 1 to 200 years"})
	case t.RatePercent.IsNegative() || t.RatePercent.GreaterThan(hundred) || !t.RatePercent.Equal(t.RatePercent.Round(3)):
		vs = append(vs, ledger.FieldViolation{Field: prefix + "rate_percent", Rule: "must be a percentage above 0 and at most 100, to 3 decimals"})
	}
	return vs
}

// builtInTerms are the useful lives of DefaultClasses (tariffs.md), by
// class code.
func builtInTerms(code string) Terms {
	for _, c := range DefaultClasses() {
		if c.Code == code && c.Depreciable {
			return Terms{UsefulLifeYears: c.UsefulLifeYears, RatePercent: c.RatePercent, From: TermsBuiltIn}
		}
	}
	return Terms{}
}

// resolve is a class's terms: its own, else its state's default for its
// code, else the built-in one; not Set when none of them says.
func resolve(code string, own Terms, state map[string]Terms) Terms {
	if own.Set() {
		own.From = TermsOfClass
		return own
	}
	if t, ok := state[code]; ok {
		return t
	}
	return builtInTerms(code)
}

// StateOf is the state of a tenant: the part of its id before the dot.
func StateOf(tenant string) string {
	state, _, _ := strings.Cut(tenant, ".")
	return state
}

// stateTerms reads the depreciation defaults tenant's state sets, by class code.
func stateTerms(ctx context.Context, q *dbq.Queries, tenant string) (map[string]Terms, error) {
	rows, err := q.AssetStateDefaultList(ctx, StateOf(tenant))
	if err != nil {
		return nil, fmt.Errorf("read state depreciation defaults: %w", err)
	}
	out := make(map[string]Terms, len(rows))
	for _, r := range rows {
		out[r.ClassCode] = Terms{UsefulLifeYears: int(r.UsefulLifeYears.Int32), RatePercent: r.RatePercent, From: TermsOfState}
	}
	return out, nil
}

// StateDefault is the depreciation a state sets for a class code, which
// its ULBs' classes of that code follow unless they set their own.
type StateDefault struct {
	State, ClassCode string
	Terms            Terms
	UpdatedBy        string
	UpdatedAt        time.Time
}

var stateCode = regexp.MustCompile(stateCodeRegex)

// SetStateDefault sets (or replaces) state's depreciation for class (a code):
// a useful life or a rate, exactly one. The next depreciation run of every
// ULB of the state whose class of that code has no terms of its own uses
// it. Who may set it (a state-wide administrator) is the handler's check.
func (s *Service) SetStateDefault(ctx context.Context, state, class, actor string, t Terms) (StateDefault, error) {
	var vs []ledger.FieldViolation
	if !stateCode.MatchString(state) {
		vs = append(vs, ledger.FieldViolation{Field: "state", Rule: "must be a state code of two lower-case letters, e.g. uk"})
	}
	if !classCode.MatchString(class) {
		vs = append(vs, ledger.FieldViolation{Field: "class_code", Rule: "must be upper-case letters, digits and _, e.g. BUILDING_RCC"})
	}
	vs = append(vs, t.check("")...)
	if len(vs) == 0 && !t.Set() {
		vs = append(vs, ledger.FieldViolation{Field: "useful_life_years", Rule: "give a useful life or a rate"})
	}
	if len(vs) > 0 {
		return StateDefault{}, &ledger.ValidationError{Violations: vs}
	}
	var out StateDefault
	// Only a transaction scoped to the whole state may write its defaults
	// (the table's policy, migration 00021).
	err := db.InTenant(ctx, s.pool, db.Scope(state+".*"), func(tx pgx.Tx) error {
		r, err := dbq.New(tx).AssetStateDefaultUpsert(ctx, dbq.AssetStateDefaultUpsertParams{State: state, ClassCode: class,
			UsefulLifeYears: pgtype.Int4{Int32: int32(t.UsefulLifeYears), Valid: t.UsefulLifeYears > 0}, RatePercent: t.RatePercent,
			UpdatedBy: actor})
		out = stateDefaultOf(r)
		return err
	})
	return out, err
}

// StateDefaults lists the depreciation defaults of state's ULBs: the
// built-in ones (tariffs.md) with the state's own over them.
func (s *Service) StateDefaults(ctx context.Context, state string) ([]StateDefault, error) {
	if !stateCode.MatchString(state) {
		return nil, invalid("state", "must be a state code of two lower-case letters, e.g. uk")
	}
	var rows []dbq.AssetClassStateDefault
	err := db.ReadTenant(ctx, s.pool, db.Scope(state+".*"), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).AssetStateDefaultList(ctx, state)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read state depreciation defaults: %w", err)
	}
	own := map[string]bool{}
	var out []StateDefault
	for _, r := range rows {
		own[r.ClassCode] = true
		out = append(out, stateDefaultOf(r))
	}
	for _, c := range DefaultClasses() {
		if t := builtInTerms(c.Code); t.Set() && !own[c.Code] {
			out = append(out, StateDefault{State: state, ClassCode: c.Code, Terms: t})
		}
	}
	return out, nil
}

func stateDefaultOf(r dbq.AssetClassStateDefault) StateDefault {
	return StateDefault{State: StateOf(r.TenantID), ClassCode: r.ClassCode, UpdatedBy: r.UpdatedBy, UpdatedAt: r.UpdatedAt,
		Terms: Terms{UsefulLifeYears: int(r.UsefulLifeYears.Int32), RatePercent: r.RatePercent, From: TermsOfState}}
}
