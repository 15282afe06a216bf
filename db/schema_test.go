package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/dbtest"
	"github.com/munimhq/munim/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Every primary and unique key leads with tenant_id, so the schema can be
// distributed by tenant (Citus) and no key can mix two tenants' rows.
func TestEveryKeyStartsWithTenantID(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewDB(t)
	rows, err := pool.Query(context.Background(), `
		SELECT c.conrelid::regclass::text || '.' || c.conname || ' (' || c.contype::text || ')',
		       coalesce((SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = c.conkey[1]), '')
		  FROM pg_constraint c
		  JOIN pg_class r ON r.oid = c.conrelid
		  JOIN pg_namespace n ON n.oid = r.relnamespace
		 WHERE n.nspname = 'public' AND c.contype IN ('p', 'u') AND r.relname <> 'goose_db_version'`)
	require.NoError(t, err)
	type key struct{ Name, First string }
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByPos[key])
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		assert.Equal(t, "tenant_id", k.First, "key %s leads with %s", k.Name, k.First)
	}

	// Unique indexes made without a constraint count too.
	rows, err = pool.Query(context.Background(), `
		SELECT i.indexrelid::regclass::text, a.attname
		  FROM pg_index i
		  JOIN pg_class r ON r.oid = i.indrelid
		  JOIN pg_namespace n ON n.oid = r.relnamespace
		  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		 WHERE n.nspname = 'public' AND i.indisunique AND r.relname <> 'goose_db_version'`)
	require.NoError(t, err)
	idx, err := pgx.CollectRows(rows, pgx.RowToStructByPos[key])
	require.NoError(t, err)
	for _, k := range idx {
		assert.Equal(t, "tenant_id", k.First, "unique index %s leads with %s", k.Name, k.First)
	}
}

// Row-level security: the application's role sees and writes only the
// tenants its transaction declares; without a declaration it sees nothing.
func TestRowLevelSecurityKeepsTenantsApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.NewDB(t)
	tenants := tenancy.NewService(pool)
	for _, id := range []string{"uk.dehradun", "uk.haridwar", "mh.pune"} {
		_, err := tenants.Create(ctx, id, id, 2026, "test")
		require.NoError(t, err)
	}
	count := func(scope db.Scope) int {
		var n int
		run := func(tx pgx.Tx) error { return tx.QueryRow(ctx, "SELECT count(*) FROM accounts").Scan(&n) }
		if scope == "" {
			require.NoError(t, db.WithTx(ctx, pool, run))
		} else {
			require.NoError(t, db.ReadTenant(ctx, pool, scope, run))
		}
		return n
	}
	perTenant := count("uk.dehradun")
	require.Positive(t, perTenant)
	assert.Zero(t, count(""), "no scope declared: no rows")
	assert.Equal(t, 2*perTenant, count("uk.*"), "a state sees its tenants only")
	assert.Equal(t, 2*perTenant, count("uk.dehradun,mh.pune"))
	assert.Equal(t, 3*perTenant, count(db.AllTenants))

	// Writing another tenant's row from a tenant's transaction is refused.
	err := db.InTenant(ctx, pool, "uk.dehradun", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO funds (tenant_id, code, name) VALUES ('uk.haridwar', '09', 'Smuggled')")
		return err
	})
	assert.ErrorContains(t, err, "row-level security")
	// So is a bulk COPY of another tenant's rows through the writer role.
	err = db.InTenant(ctx, pool, "uk.dehradun", func(tx pgx.Tx) error {
		return db.WriterTx(ctx, tx, func() error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"funds"}, []string{"tenant_id", "code", "name"},
				pgx.CopyFromRows([][]any{{"uk.haridwar", "09", "Smuggled"}}))
			return err
		})
	})
	assert.ErrorContains(t, err, "outside that tenant's scope")
	// And a wider scope may read but not write.
	err = db.InTenant(ctx, pool, "uk.*", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO funds (tenant_id, code, name) VALUES ('uk.haridwar', '09', 'Smuggled')")
		return err
	})
	assert.ErrorContains(t, err, "row-level security")
}

// Every table with a tenant_id is under the tenant policy, forced, so a
// new table cannot be left out of row-level security by mistake.
func TestEveryTenantTableIsUnderRowLevelSecurity(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewDB(t)
	var loose []string
	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		rows, err := tx.Query(context.Background(), `
			SELECT c.relname
			  FROM pg_class c
			  JOIN pg_namespace n ON n.oid = c.relnamespace
			  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
			 WHERE n.nspname = 'public' AND c.relkind = 'r'
			   AND NOT (c.relrowsecurity AND c.relforcerowsecurity
			            AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation'))
			 ORDER BY 1`)
		require.NoError(t, err)
		loose, err = pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
	})
	assert.Empty(t, loose, "tables with tenant_id outside row-level security")
}

// The per-statement checks that stand in for foreign keys on bulk-written
// rows refuse what the keys refused, and the masters they point at cannot
// be deleted from under them.
func TestBulkChecksStandInForForeignKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, dsn := dbtest.NewDBWithDSN(t)
	_, err := tenancy.NewService(pool).Create(ctx, "uk.dehradun", "Dehradun", 2026, "test")
	require.NoError(t, err)

	voucherIn := func(fy, period int) error {
		return db.InTenant(ctx, pool, "uk.dehradun", func(tx pgx.Tx) error {
			return db.WriterTx(ctx, tx, func() error {
				_, err := tx.CopyFrom(ctx, pgx.Identifier{"vouchers"},
					[]string{"tenant_id", "id", "voucher_type", "fiscal_year", "period", "serial", "number", "voucher_date",
						"narration", "idempotency_key", "total", "line_count", "posted_by", "posted_at", "chain_seq", "hash"},
					pgx.CopyFromRows([][]any{{"uk.dehradun", 1, "JV", fy, period, 1, "JV/x/1", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
						"n", "k", "1.00", 2, "test", time.Now(), 1, []byte{1}}}))
				return err
			})
		})
	}
	assert.ErrorContains(t, voucherIn(2031, 1), "in period 1 of 2031, which does not exist")
	assert.NoError(t, voucherIn(2026, 1), "a period of the tenant's books passes")

	err = db.InTenant(ctx, pool, "mh.pune", func(tx pgx.Tx) error {
		return db.WriterTx(ctx, tx, func() error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"demands"},
				[]string{"tenant_id", "id", "service", "consumer_code", "period_from", "period_to", "fiscal_year", "demand_date",
					"due_date", "total", "source", "idempotency_key", "request_hash", "voucher_id", "created_by"},
				pgx.CopyFromRows([][]any{{"mh.pune", 1, "property_tax", "PT-1", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
					time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), 2026, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
					time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), "1.00", "manual", "k", []byte{1}, 1, "test"}}))
			return err
		})
	})
	assert.ErrorContains(t, err, "demand of tenant mh.pune, which does not exist")

	su, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer su.Close(ctx)
	for _, stmt := range []string{"DELETE FROM periods", "DELETE FROM tenants", "TRUNCATE periods CASCADE"} {
		_, err := su.Exec(ctx, stmt)
		assert.Error(t, err, stmt)
	}
}
