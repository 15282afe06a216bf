package ledger

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
)

// chart is what posting needs to know of a tenant's masters: which accounts
// exist and take postings, and which funds and functions exist.
type chart struct {
	postable  map[string]bool
	funds     map[string]bool
	functions map[string]bool
	loadedAt  time.Time
}

// chartCache keeps each tenant's chart in memory. Heads, funds and functions
// are only ever added (never removed or made non-postable), so a cached
// "yes" stays true; a "no" triggers one reload, at most once a second per
// tenant, before it is believed. The foreign keys on voucher_lines remain the
// final word.
type chartCache struct {
	pool *pgxpool.Pool
	now  func() time.Time
	mu   sync.Mutex
	byID map[string]*chart
}

func newChartCache(pool *pgxpool.Pool, now func() time.Time) *chartCache {
	return &chartCache{pool: pool, now: now, byID: map[string]*chart{}}
}

func (c *chartCache) get(ctx context.Context, tenant string, fresh bool) (*chart, error) {
	c.mu.Lock()
	ch := c.byID[tenant]
	c.mu.Unlock()
	if ch != nil && (!fresh || c.now().Sub(ch.loadedAt) < time.Second) {
		return ch, nil
	}
	err := db.ReadTenant(ctx, c.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		ch, err = loadChart(ctx, dbq.New(tx), tenant, c.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.byID[tenant] = ch
	c.mu.Unlock()
	return ch, nil
}

// forget drops a tenant's cached chart, so the next posting reads the heads
// this process has just added.
func (c *chartCache) forget(tenant string) {
	c.mu.Lock()
	delete(c.byID, tenant)
	c.mu.Unlock()
}

func loadChart(ctx context.Context, q *dbq.Queries, tenant string, now time.Time) (*chart, error) {
	accounts, err := q.AccountNames(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	funds, err := q.FundList(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("load funds: %w", err)
	}
	functions, err := q.FunctionList(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("load functions: %w", err)
	}
	ch := &chart{
		postable:  make(map[string]bool, len(accounts)),
		funds:     make(map[string]bool, len(funds)),
		functions: make(map[string]bool, len(functions)),
		loadedAt:  now,
	}
	for _, a := range accounts {
		ch.postable[a.Code] = a.Postable
	}
	for _, f := range funds {
		ch.funds[f.Code] = true
	}
	for _, f := range functions {
		ch.functions[f.Code] = true
	}
	return ch, nil
}

// check validates the voucher's lines against the tenant's chart, naming
// each unknown or non-postable code. It reloads the chart once when a code
// is missing, since an admin may just have added it.
func (c *chartCache) check(ctx context.Context, tenant string, prefix string, v *Voucher) error {
	ch, err := c.get(ctx, tenant, false)
	if err != nil {
		return err
	}
	vs := ch.violations(prefix, v)
	if len(ch.postable) == 0 || (len(vs) > 0 && ch.hasUnknown(v)) {
		if ch, err = c.get(ctx, tenant, true); err != nil {
			return err
		}
		vs = ch.violations(prefix, v)
	}
	if len(ch.postable) == 0 {
		return &NotFoundError{What: fmt.Sprintf("tenant %q", tenant)}
	}
	if len(vs) > 0 {
		return &ValidationError{Violations: vs}
	}
	return nil
}

func (ch *chart) hasUnknown(v *Voucher) bool {
	for _, l := range v.Lines {
		if _, ok := ch.postable[l.AccountCode]; !ok || !ch.funds[l.FundCode] || !ch.functions[l.FunctionCode] {
			return true
		}
	}
	return false
}

func (ch *chart) violations(prefix string, v *Voucher) []FieldViolation {
	var vs []FieldViolation
	for i, l := range v.Lines {
		lp := fmt.Sprintf("%s.lines[%d]", prefix, i)
		postable, known := ch.postable[l.AccountCode]
		switch {
		case !known:
			vs = append(vs, FieldViolation{lp + ".account_code", fmt.Sprintf("unknown account %q in this tenant's chart", l.AccountCode)})
		case !postable:
			vs = append(vs, FieldViolation{lp + ".account_code", fmt.Sprintf("account %q is a group head; post to a detailed (7-digit) head", l.AccountCode)})
		}
		if !ch.funds[l.FundCode] {
			vs = append(vs, FieldViolation{lp + ".fund_code", fmt.Sprintf("unknown fund %q", l.FundCode)})
		}
		if !ch.functions[l.FunctionCode] {
			vs = append(vs, FieldViolation{lp + ".function_code", fmt.Sprintf("unknown function %q", l.FunctionCode)})
		}
	}
	return vs
}
