package dbtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db/dbtest"
)

// tenants is the root of the ledger schema: a row there is the least a test
// can write, and none there means the database holds no one's data.
func tenants(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		require.NoError(t, tx.QueryRow(t.Context(), "SELECT count(*) FROM tenants").Scan(&n))
	})
	return n
}

func writeTenant(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	dbtest.AsOwner(t, pool, func(tx pgx.Tx) {
		_, err := tx.Exec(t.Context(), "INSERT INTO tenants (tenant_id, name) VALUES ('ka.testpura', 'Testpura')")
		require.NoError(t, err)
	})
}

func currentDatabase(t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) string {
	t.Helper()
	var name string
	require.NoError(t, q.QueryRow(t.Context(), "SELECT current_database()").Scan(&name))
	return name
}

// Each parallel test writes the same tenant to its database; were the
// databases shared, one insert would break the primary key, and were the
// template dirtied, the count before it would not be zero.
func TestNewDBIsolatesParallelTests(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			pool := dbtest.NewDB(t)
			t.Logf("NewDB took %v", time.Since(start))

			require.Zero(t, tenants(t, pool))
			writeTenant(t, pool)
			require.Equal(t, 1, tenants(t, pool))
		})
	}
}

func TestNewDBGivesEachCallItsOwnDatabase(t *testing.T) {
	t.Parallel()
	a, b := dbtest.NewDB(t), dbtest.NewDB(t)

	writeTenant(t, a)

	require.Equal(t, 1, tenants(t, a))
	require.Zero(t, tenants(t, b))
	require.NotEqual(t, currentDatabase(t, a), currentDatabase(t, b))
}

func TestNewDBIsMigrated(t *testing.T) {
	t.Parallel()
	pool := dbtest.NewDB(t)

	var applied int
	require.NoError(t, pool.QueryRow(t.Context(), "SELECT count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied").Scan(&applied))
	require.Positive(t, applied, "the template's migrations are in the clone")
}

func TestNewDBWithDSNReachesTheSameDatabase(t *testing.T) {
	t.Parallel()
	pool, dsn := dbtest.NewDBWithDSN(t)

	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })

	require.Equal(t, currentDatabase(t, pool), currentDatabase(t, conn))
}

func TestNewDBDropsTheDatabaseWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		pool, dsn := dbtest.NewDBWithDSN(t)
		name = currentDatabase(t, pool)
		// A connection the test left open must not keep the database alive.
		conn, err := pgx.Connect(t.Context(), dsn)
		require.NoError(t, err)
		_ = conn
	})

	var exists bool
	require.NoError(t, dbtest.NewDB(t).QueryRow(t.Context(),
		"SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists))
	require.False(t, exists)
}
