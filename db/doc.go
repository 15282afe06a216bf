// Package db owns Munim's PostgreSQL schema and the plumbing every domain
// shares to reach it: the embedded goose migrations, the sqlc query files
// (generated into gen/dbq), connection pools, the one transaction helper, and
// the translation of PostgreSQL errors into named Go errors.
//
// It holds no business rules. Domain packages (ledger, billing, ...) call the
// generated queries inside transactions they open with WithTx; nothing here
// decides what a voucher or a demand is.
package db
