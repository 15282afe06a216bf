package auth

import (
	"context"
	"time"
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
