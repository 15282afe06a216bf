package audit

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/auth"
	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/gen/dbq"
	"github.com/munimhq/munim/ledger"
)

// Event is an audit event as stored, with the id the log gave it.
type Event struct {
	// ID grows with each event written; listings are newest (highest) first.
	ID int64
	auth.Event
}

// Filter selects events for List. Empty strings and zero times match all,
// except as noted.
type Filter struct {
	// From is inclusive; zero means 30 days before To (before now when To
	// is zero too), so an unbounded listing cannot scan years of log.
	From time.Time
	// To is exclusive; zero means no upper bound.
	To time.Time
	// Principal, Procedure and Code match exactly.
	Principal, Procedure, Code string
	// PageSize is 100 when zero or less, and at most 1000.
	PageSize int
	// PageToken is the next token of a previous List; empty for the first page.
	PageToken string
}

const (
	defaultRange    = 30 * 24 * time.Hour
	defaultPageSize = 100
	maxPageSize     = 1000
)

// unbounded stands in for "no upper bound": later than any event, and still
// a timestamp PostgreSQL accepts.
var unbounded = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Service reads the audit log.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns a Service reading from pool.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, now: time.Now}
}

// List returns one page of tenant's events matching f, newest first, and the
// token of the next page ("" on the last). It sees only tenant's events:
// the read is scoped to it. Authorising the caller is the handler's job.
func (s *Service) List(ctx context.Context, tenant string, f Filter) ([]Event, string, error) {
	if tenant == "" || strings.ContainsAny(tenant, ",*") {
		return nil, "", invalid("tenant_id", "must name one tenant")
	}
	to := f.To
	if to.IsZero() {
		to = unbounded
	}
	from := f.From
	if from.IsZero() {
		base := f.To
		if base.IsZero() {
			base = s.now()
		}
		from = base.Add(-defaultRange)
	}
	if !to.After(from) {
		return nil, "", invalid("to", "must be after from")
	}
	before, err := decodeToken(f.PageToken)
	if err != nil {
		return nil, "", err
	}
	size := f.PageSize
	switch {
	case size <= 0:
		size = defaultPageSize
	case size > maxPageSize:
		size = maxPageSize
	}

	var rows []dbq.AuditEvent
	err = db.ReadTenant(ctx, s.pool, db.Scope(tenant), func(tx pgx.Tx) error {
		var err error
		rows, err = dbq.New(tx).AuditEventList(ctx, dbq.AuditEventListParams{
			TenantID: tenant, FromAt: from, ToAt: to,
			Principal: f.Principal, Procedure: f.Procedure, Code: f.Code,
			// One more than a page tells whether another page exists.
			BeforeID: before, RowLimit: int32(size + 1),
		})
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list audit events: %w", err)
	}
	next := ""
	if len(rows) > size {
		rows = rows[:size]
		next = encodeToken(rows[len(rows)-1].ID)
	}
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = Event{ID: r.ID, Event: auth.Event{
			TenantID: r.TenantID, Principal: r.Principal, Roles: r.Roles, Procedure: r.Procedure,
			RequestID: r.RequestID, IdempotencyKey: r.IdempotencyKey, Code: r.Code, Detail: r.Detail,
			ClientIP: r.ClientIp, At: r.At,
		}}
	}
	return out, next, nil
}

// A page token is the last id served, encoded so that clients treat it as
// opaque and the form can change.
func encodeToken(lastID int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(lastID, 10)))
}

// decodeToken returns the id below which the page starts.
func decodeToken(token string) (int64, error) {
	if token == "" {
		return math.MaxInt64, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	var id int64
	if err == nil {
		id, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil || id <= 0 {
		return 0, invalid("page_token", "is not a token this server issued")
	}
	return id, nil
}

// invalid reports bad input the way the ledger does, so ledger.ToConnect
// turns it into InvalidArgument with a field violation.
func invalid(field, rule string) error {
	return &ledger.ValidationError{Violations: []ledger.FieldViolation{{Field: field, Rule: rule}}}
}
