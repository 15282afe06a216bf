package db_test

import (
	"context"
	"testing"

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
