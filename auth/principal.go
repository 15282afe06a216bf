package auth

import (
	"context"
	"slices"
	"strings"
)

// Role is what a principal may do. A principal may hold several.
type Role string

// The roles.
const (
	// RoleAdmin sets up tenants, masters, users and API keys.
	RoleAdmin Role = "admin"
	// RoleAccountant is the maker: drafts journal vouchers, reads the books.
	RoleAccountant Role = "accountant"
	// RoleApprover is the checker: approves vouchers and amendments, closes and reopens periods.
	RoleApprover Role = "approver"
	// RoleCashier takes counter collections and remits cash.
	RoleCashier Role = "cashier"
	// RoleAuditor reads everything of its tenants (a state auditor: of its state) and changes nothing.
	RoleAuditor Role = "auditor"
	// RoleDepartmentApp is a department's system, limited to its API key's scopes.
	RoleDepartmentApp Role = "department_app"
)

// Roles lists every role, for validation and documentation.
var Roles = []Role{RoleAdmin, RoleAccountant, RoleApprover, RoleCashier, RoleAuditor, RoleDepartmentApp}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Kind says how a principal authenticated.
type Kind string

// The kinds of principal.
const (
	KindUser   Kind = "user"    // a bearer JWT
	KindAPIKey Kind = "api_key" // a department app's API key
	KindSystem Kind = "system"  // Munim itself: jobs, the demo, operator commands
)

// Principal is an authenticated caller.
type Principal struct {
	Kind    Kind
	Subject string // the JWT's sub, or the API key id
	Name    string // for people, a display name when the token carries one
	Roles   []Role
	// Tenants the principal acts on: tenant ids ("uk.dehradun"), or a whole
	// state ("uk.*", for state auditors), or "*" (every tenant; system only).
	Tenants []string
	// Scopes narrow an API key to some permissions (e.g. "ledger.post").
	// Empty for users: their roles decide.
	Scopes []string
}

// Has reports whether p holds role r.
func (p *Principal) Has(r Role) bool { return p != nil && slices.Contains(p.Roles, r) }

// CanActOn reports whether p may act on tenant.
func (p *Principal) CanActOn(tenant string) bool {
	if p == nil || tenant == "" {
		return false
	}
	state, _, _ := strings.Cut(tenant, ".")
	for _, t := range p.Tenants {
		if t == "*" || t == tenant || t == state+".*" {
			return true
		}
	}
	return false
}

// TenantsOrNone returns p's tenants, or a scope that matches no tenant
// when p is nil or has none, so that a listing never widens by accident.
func (p *Principal) TenantsOrNone() []string {
	if p == nil || len(p.Tenants) == 0 {
		return []string{"-"}
	}
	return p.Tenants
}

// Actor is how the books name the principal: "user:<sub>", "key:<id>" or "system:<name>".
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	switch p.Kind {
	case KindAPIKey:
		return "key:" + p.Subject
	case KindSystem:
		return "system:" + p.Subject
	}
	return "user:" + p.Subject
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of ctx, or nil for an anonymous caller.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Actor names the principal of ctx for the books.
func Actor(ctx context.Context) string { return FromContext(ctx).Actor() }

// System is the principal of Munim's own work (jobs, demo, operator commands).
func System(name string) *Principal {
	return &Principal{Kind: KindSystem, Subject: name, Tenants: []string{"*"}}
}
