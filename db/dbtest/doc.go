// Package dbtest owns the databases of Munim's tests: one PostgreSQL server
// per test process (MUNIM_TEST_DATABASE_URL's, or a private one started with
// pgserver), one migrated template database on it, and a fresh clone of that
// template for every test that asks, dropped when the test ends.
//
// A package whose tests use it calls Main from TestMain:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// and each test takes its own database:
//
//	pool := dbtest.NewDB(t)
//
// It is for tests only and must never be imported by non-test code. It never
// mocks the database, never shares one test's database with another, and
// never drops a database it did not create, so a shared server is safe.
package dbtest
