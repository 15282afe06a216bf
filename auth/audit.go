package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/munimhq/munim/gen/dbq"
)

// Event is one entry of the audit log: a mutating call (allowed, failed or
// denied) or a denied read.
type Event struct {
	// TenantID is the tenant the call named, or "-" when it named none.
	TenantID       string
	Principal      string // Principal.Actor(), or "anonymous"
	Roles          []string
	Procedure      string // e.g. "/munim.ledger.v1.LedgerService/PostVouchers"
	RequestID      string
	IdempotencyKey string // the request's key(s), comma-joined, if any
	Code           string // "ok" or the Connect code, e.g. "permission_denied"
	Detail         string // why a call was denied or failed, without personal data
	ClientIP       string
	At             time.Time
}

// Recorder writes audit events durably. Record returns once the event is
// committed, so a call is never answered before its audit entry exists.
type Recorder interface {
	Record(ctx context.Context, e Event) error
}

// NoTenant is the tenant id under which events that named no tenant (or
// named one no transaction can be scoped to) are stored.
const NoTenant = "-"

// CleanEvent makes e storable, so that no caller-supplied value can fail
// an insert it shares with other callers' events: PostgreSQL text refuses
// NUL bytes and invalid UTF-8, and a tenant id holding a scope's
// separators ("," or "*") cannot scope a write.
func CleanEvent(e Event, now time.Time) Event {
	for _, s := range []*string{&e.TenantID, &e.Principal, &e.Procedure, &e.RequestID,
		&e.IdempotencyKey, &e.Code, &e.Detail, &e.ClientIP} {
		*s = storable(*s)
	}
	e.Roles = append([]string{}, e.Roles...) // never nil: the column is NOT NULL, and the caller keeps its slice
	for i := range e.Roles {
		e.Roles[i] = storable(e.Roles[i])
	}
	switch {
	case e.TenantID == "":
		e.TenantID = NoTenant
	case strings.ContainsAny(e.TenantID, ",*"):
		// Kept in the detail: who tried to name a wildcard is worth knowing.
		e.Detail = strings.TrimSuffix(fmt.Sprintf("tenant %q; %s", e.TenantID, e.Detail), "; ")
		e.TenantID = NoTenant
	}
	if e.At.IsZero() {
		e.At = now
	}
	return e
}

func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// InsertEventsTx appends one tenant's cleaned events in the caller's
// transaction, which must be scoped to that tenant. The ledger uses it to
// commit a posting's audit entry with the posting itself.
func InsertEventsTx(ctx context.Context, tx pgx.Tx, tenant string, events []Event) error {
	p := dbq.AuditEventInsertManyParams{TenantID: tenant}
	for _, e := range events {
		roles, _ := json.Marshal(e.Roles) // a []string always encodes
		p.At = append(p.At, e.At)
		p.Principal = append(p.Principal, e.Principal)
		p.Roles = append(p.Roles, string(roles))
		p.Procedure = append(p.Procedure, e.Procedure)
		p.RequestID = append(p.RequestID, e.RequestID)
		p.IdempotencyKey = append(p.IdempotencyKey, e.IdempotencyKey)
		p.Code = append(p.Code, e.Code)
		p.Detail = append(p.Detail, e.Detail)
		p.ClientIp = append(p.ClientIp, e.ClientIP)
	}
	return dbq.New(tx).AuditEventInsertMany(ctx, p)
}

// AuditSlot carries a mutating call's audit entry, prepared by the guard,
// to a domain that can write it inside the transaction making the change
// (so the two commit together, and the call costs no second commit). The
// domain calls MarkWritten once that transaction has committed; otherwise
// the guard writes the entry itself after the call, as for any other.
type AuditSlot struct {
	// Event is the call's entry, with Code "ok": the domain writes it only
	// for a call that succeeds.
	Event   Event
	written atomic.Bool
}

// MarkWritten records that the entry committed with the change.
func (s *AuditSlot) MarkWritten() { s.written.Store(true) }

type slotKey struct{}

// AuditSlotFrom returns the call's audit slot, or nil when the call is not
// a mutating RPC behind the guard.
func AuditSlotFrom(ctx context.Context) *AuditSlot {
	s, _ := ctx.Value(slotKey{}).(*AuditSlot)
	return s
}
