// Package audit owns the audit log: writing the events the auth guard
// records (who called which procedure on which tenant, and how the call
// ended) durably and cheaply, and reading a tenant's log back.
//
// It never updates or deletes an event (the table's triggers refuse it
// too), and it never stores request bodies or personal data: an event
// holds the caller's actor name, roles, the procedure, ids and an outcome,
// as auth.Event defines them, and nothing else.
package audit
