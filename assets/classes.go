package assets

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/jobs"
	"github.com/munimhq/munim/ledger"
)

// Service keeps the fixed-asset register.
type Service struct {
	pool   *pgxpool.Pool
	ledger *ledger.Ledger
	now    func() time.Time
	jobs   jobs.Inserter // set by UseJobs; StartDepreciation needs it
}

// NewService returns a Service; now is the clock (nil: time.Now).
func NewService(pool *pgxpool.Pool, led *ledger.Ledger, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{pool: pool, ledger: led, now: now}
}

// Class is an asset class: its heads and how it depreciates.
type Class struct {
	Code, Name          string
	GrossBlockAccount   string          // 410xxxx
	AccumulatedAccount  string          // 411xxxx; empty when not depreciable
	DepreciationAccount string          // 272xxxx; empty when not depreciable
	CWIPAccount         string          // 412xxxx
	RevaluationAccount  string          // default 3126001
	UsefulLifeYears     int             // straight line over this many years, or
	RatePercent         decimal.Decimal // straight line at this percentage a year; 0 (and no life): the default
	ResidualPercent     decimal.Decimal
	Depreciable         bool // land and heritage assets are not
	// Terms are what a depreciation run uses (read back only): the class's
	// own life or rate, else its state's default, else the built-in one.
	Terms Terms
}

// DefaultClasses are the classes a ULB starts from, with the useful lives
// shared/reference/tariffs.md gives where the state manual is silent
// (straight line; land not depreciated) and no residual value: the
// built-in terms. SeedDefaultClasses saves them without terms of their
// own, so they follow their state's defaults (SetStateDefault) where the
// state sets one and these lives where it does not; a ULB's own life or
// rate replaces either through SaveClass.
func DefaultClasses() []Class {
	dep := func(code, name, gross, acc, exp, cwip string, life int) Class {
		return Class{Code: code, Name: name, GrossBlockAccount: gross, AccumulatedAccount: acc, DepreciationAccount: exp,
			CWIPAccount: cwip, UsefulLifeYears: life, Depreciable: true}
	}
	return []Class{
		{Code: "LAND", Name: "Land", GrossBlockAccount: "4101001", CWIPAccount: "4120011", Depreciable: false},
		dep("BUILDING_RCC", "RCC buildings", "4102001", "4112001", "2722000", "4120021", 60),
		dep("BUILDING_OTHER", "Other buildings", "4102007", "4112007", "2722000", "4120026", 30),
		dep("BRIDGE", "Bridges and culverts", "4103005", "4113005", "2723000", "4120031", 30),
		dep("ROAD_RCC", "Roads, RCC carpeted", "4103001", "4113001", "2723000", "4120041", 10),
		dep("ROAD_CARPETED", "Roads, other carpeted", "4103002", "4113002", "2723000", "4120043", 5),
		dep("ROAD_OTHER", "Roads, non-carpeted", "4103003", "4113003", "2723000", "4120042", 3),
		dep("PLANT", "Plant and machinery", "4104000", "4114000", "2724000", "4120088", 15),
		dep("FURNITURE", "Furniture", "4107005", "4117005", "2727000", "4120091", 10),
		dep("CAR", "Cars", "4105003", "4115003", "2725000", "4120072", 8),
		dep("BUS_LORRY", "Buses and lorries", "4105005", "4115005", "2725000", "4120071", 6),
		dep("OFFICE_EQUIPMENT", "Office equipment", "4106004", "4116004", "2726000", "4120081", 5),
		dep("COMPUTER", "Computers", "4106002", "4116002", "2726000", "4120082", 3),
		dep("SERVER", "Servers and network equipment", "4106006", "4116006", "2726000", "4120082", 6),
	}
}

var classCode = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,39}$`)

func (c *Class) validate() error {
	var vs []ledger.FieldViolation
	bad := func(field, rule string) { vs = append(vs, ledger.FieldViolation{Field: "class." + field, Rule: rule}) }
	if !classCode.MatchString(c.Code) {
		bad("code", "must be upper-case letters, digits and _, e.g. BUILDING_RCC")
	}
	if strings.TrimSpace(c.Name) == "" {
		bad("name", "is required")
	}
	head := func(field, code, prefix string) {
		if len(code) != 7 || !strings.HasPrefix(code, prefix) {
			bad(field, fmt.Sprintf("must be a detailed %sxxxx head", prefix))
		}
	}
	head("gross_block_account", c.GrossBlockAccount, "410")
	head("cwip_account", c.CWIPAccount, "412")
	if c.RevaluationAccount == "" {
		c.RevaluationAccount = "3126001"
	}
	head("revaluation_account", c.RevaluationAccount, "31")
	if c.Depreciable {
		head("accumulated_account", c.AccumulatedAccount, "411")
		head("depreciation_account", c.DepreciationAccount, "272")
		for _, v := range (Terms{UsefulLifeYears: c.UsefulLifeYears, RatePercent: c.RatePercent}).check("class.") {
			bad(strings.TrimPrefix(v.Field, "class."), v.Rule)
		}
	} else if c.AccumulatedAccount != "" || c.DepreciationAccount != "" || c.UsefulLifeYears != 0 || !c.RatePercent.IsZero() {
		bad("depreciable", "a class that is not depreciated (land, heritage) has no depreciation heads, life or rate")
	}
	if c.ResidualPercent.IsNegative() || c.ResidualPercent.GreaterThan(decimal.NewFromInt(100)) {
		bad("residual_percent", "must be between 0 and 100")
	}
	if len(vs) > 0 {
		return &ledger.ValidationError{Violations: vs}
	}
	return nil
}

func text(s string) pgtype.Text { return pgtype.Text{String: s, Valid: s != ""} }

// SaveClass creates or updates a class. A class that assets already use
// keeps its heads (the register would stop tying to them); its life, rate
// and residual value may change, and apply from the next depreciation run.
// A depreciable class with neither life nor rate follows its state's
// default or the built-in one, and is refused when there is neither.
func (s *Service) SaveClass(ctx context.Context, tenant string, c Class) (Class, error) {
	if err := c.validate(); err != nil {
		return Class{}, err
	}
	var out Class
	err := db.InTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		used, err := q.AssetClassInUse(ctx, dbq.AssetClassInUseParams{TenantID: tenant, ClassCode: c.Code})
		if err != nil {
			return fmt.Errorf("check class use: %w", err)
		}
		if used {
			classes, err := q.AssetClassList(ctx, tenant)
			if err != nil {
				return fmt.Errorf("read classes: %w", err)
			}
			for _, old := range classes {
				if old.Code == c.Code && (old.GrossBlockAccount != c.GrossBlockAccount || old.AccumulatedAccount.String != c.AccumulatedAccount ||
					old.CwipAccount != c.CWIPAccount || old.Depreciable != c.Depreciable) {
					return &ledger.PreconditionError{Field: "class", Kind: ErrAssetState,
						Reason: fmt.Sprintf("class %s has assets: its heads and whether it depreciates stay as they are", c.Code)}
				}
			}
		}
		st, err := stateTerms(ctx, q, tenant)
		if err != nil {
			return err
		}
		if c.Depreciable && !resolve(c.Code, c.own(), st).Set() {
			return invalid("class.useful_life_years", "class %s has no useful life or rate, and neither its state nor the built-in defaults give one: set one",
				c.Code)
		}
		life := pgtype.Int4{Int32: int32(c.UsefulLifeYears), Valid: c.UsefulLifeYears > 0}
		row, err := q.AssetClassUpsert(ctx, dbq.AssetClassUpsertParams{TenantID: tenant, Code: c.Code, Name: c.Name,
			GrossBlockAccount: c.GrossBlockAccount, AccumulatedAccount: text(c.AccumulatedAccount), DepreciationAccount: text(c.DepreciationAccount),
			CwipAccount: c.CWIPAccount, RevaluationAccount: c.RevaluationAccount, UsefulLifeYears: life, RatePercent: c.RatePercent,
			ResidualPercent: c.ResidualPercent, Depreciable: c.Depreciable})
		if db.ForeignKeyViolation(err) != "" {
			return invalid("class", "a head of class %s is not in the chart", c.Code)
		}
		out = classOf(row, st)
		return err
	})
	if err != nil {
		return Class{}, err
	}
	return out, nil
}

// own is the class's own terms (none set: it follows the defaults).
func (c Class) own() Terms {
	return Terms{UsefulLifeYears: c.UsefulLifeYears, RatePercent: c.RatePercent}
}

// SeedDefaultClasses saves DefaultClasses for a tenant, leaving classes it
// already has as they are.
func (s *Service) SeedDefaultClasses(ctx context.Context, tenant string) error {
	have, err := s.Classes(ctx, tenant)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range have {
		known[c.Code] = true
	}
	for _, c := range DefaultClasses() {
		if known[c.Code] {
			continue
		}
		c.UsefulLifeYears, c.RatePercent = 0, decimal.Zero // the state's or built-in terms
		if _, err := s.SaveClass(ctx, tenant, c); err != nil {
			return fmt.Errorf("class %s: %w", c.Code, err)
		}
	}
	return nil
}

// Classes lists a tenant's classes.
func (s *Service) Classes(ctx context.Context, tenant string) ([]Class, error) {
	var out []Class
	err := db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		st, err := stateTerms(ctx, q, tenant)
		if err != nil {
			return err
		}
		rows, err := q.AssetClassList(ctx, tenant)
		for _, r := range rows {
			out = append(out, classOf(r, st))
		}
		return err
	})
	return out, err
}

// classOf is a class as stored, with its terms resolved against its
// state's defaults st.
func classOf(r dbq.AssetClass, st map[string]Terms) Class {
	c := Class{Code: r.Code, Name: r.Name, GrossBlockAccount: r.GrossBlockAccount, AccumulatedAccount: r.AccumulatedAccount.String,
		DepreciationAccount: r.DepreciationAccount.String, CWIPAccount: r.CwipAccount, RevaluationAccount: r.RevaluationAccount,
		UsefulLifeYears: int(r.UsefulLifeYears.Int32), RatePercent: r.RatePercent, ResidualPercent: r.ResidualPercent, Depreciable: r.Depreciable}
	if c.Depreciable {
		c.Terms = resolve(c.Code, c.own(), st)
	}
	return c
}

func invalid(field, format string, args ...any) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: fmt.Sprintf(format, args...)}}}
}
