// Package tenancy owns the urban local bodies (tenants) Munim serves:
// creating one with its seeded books, and reading them back.
//
// It never posts vouchers; it hands a new tenant's books to the ledger
// package in the same transaction that creates the tenant, so a tenant
// without a chart of accounts or an open year cannot exist.
package tenancy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Tenant is one ULB.
type Tenant struct {
	ID        string // "<state>.<ulb>", e.g. "uk.dehradun"
	Name      string
	StateCode string // the part of ID before the dot
	CreatedAt time.Time
}

// idPattern is the form of a tenant id; the same rule is in the schema.
var idPattern = regexp.MustCompile(`^[a-z]{2}\.[a-z][a-z0-9_-]{1,62}$`)

// Service creates and reads tenants.
type Service struct {
	pool *pgxpool.Pool
}

// NewService returns a Service over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool} }

// Create makes a tenant with the NMAM chart of accounts, funds, function
// codes and fiscal year fy open, all in one transaction. Creating the same
// tenant with the same name again returns it unchanged; another name for an
// existing id is an error.
func (s *Service) Create(ctx context.Context, id, name string, fy int, actor string) (Tenant, error) {
	switch {
	case !idPattern.MatchString(id):
		return Tenant{}, &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: "tenant_id",
			Rule: `must be "<2-letter state>.<ulb>" in lower case, e.g. "uk.dehradun"`}}}
	case strings.TrimSpace(name) == "":
		return Tenant{}, &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: "name", Rule: "is required"}}}
	}
	err := db.InTenant(ctx, s.pool, db.Scope(id), func(tx pgx.Tx) error {
		q := dbq.New(tx)
		if err := q.TenantInsert(ctx, dbq.TenantInsertParams{TenantID: id, Name: name}); err != nil {
			return err
		}
		if err := ledger.SeedTx(ctx, tx, id); err != nil {
			return err
		}
		_, err := ledger.OpenFiscalYearTx(ctx, tx, id, fy, actor)
		return err
	})
	if db.UniqueViolation(err) == "tenants_pkey" {
		t, gerr := s.Get(ctx, id)
		if gerr != nil {
			return Tenant{}, gerr
		}
		if t.Name != name {
			return Tenant{}, &ledger.ExistsError{What: fmt.Sprintf("tenant %q (named %q)", id, t.Name)}
		}
		return t, nil
	}
	if err != nil {
		return Tenant{}, err
	}
	return s.Get(ctx, id)
}

// Get returns one tenant.
func (s *Service) Get(ctx context.Context, id string) (Tenant, error) {
	var t dbq.Tenant
	err := db.ReadTenant(ctx, s.pool, db.Scope(id), func(tx pgx.Tx) error {
		var err error
		t, err = dbq.New(tx).TenantGet(ctx, id)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return Tenant{}, &ledger.NotFoundError{What: fmt.Sprintf("tenant %q", id)}
	}
	if err != nil {
		return Tenant{}, fmt.Errorf("read tenant: %w", err)
	}
	return tenantOf(t), nil
}

func tenantOf(t dbq.Tenant) Tenant {
	return Tenant{ID: t.TenantID, Name: t.Name, StateCode: t.StateCode.String, CreatedAt: t.CreatedAt}
}

// List returns the tenants within scope in id order after the given id,
// optionally of one state.
func (s *Service) List(ctx context.Context, scope db.Scope, state, after string, size int) ([]Tenant, string, error) {
	if size <= 0 || size > 1000 {
		size = 100
	}
	var rows []dbq.Tenant
	err := db.ReadTenant(ctx, s.pool, scope, func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).TenantList(ctx, dbq.TenantListParams{StateCode: state, AfterTenantID: after, RowLimit: int32(size + 1)})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list tenants: %w", err)
	}
	next := ""
	if len(rows) > size {
		rows = rows[:size]
		next = rows[len(rows)-1].TenantID
	}
	out := make([]Tenant, len(rows))
	for i, r := range rows {
		out[i] = tenantOf(r)
	}
	return out, next, nil
}
