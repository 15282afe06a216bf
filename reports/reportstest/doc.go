// Package reportstest holds checks on the financial statements for the
// tests of other packages, run against their own test databases: after a
// scenario has posted its vouchers, RequireBalanced proves that every
// tenant's balance sheet still balances. It is for tests only; nothing
// outside _test.go files imports it.
package reportstest
