// Package pgserver owns the life of a private PostgreSQL server started from
// the binaries installed on the machine: it finds them, initialises a data
// directory once, runs the postmaster as its own child on a unix socket only,
// and shuts it down. The test helper (db/dbtest) and `munim demo` use it so that
// nothing but an installed PostgreSQL is needed to run Munim.
//
// It must never touch a server it did not start: it listens on no TCP port,
// never signals a process it does not own, and knows nothing of Munim's schema
// (migrations belong to package db). It is not a way to run production; a
// production database is reached by URL.
package pgserver
