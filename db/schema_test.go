package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db/dbtest"
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
