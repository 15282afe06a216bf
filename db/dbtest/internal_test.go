package dbtest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"URL path is replaced", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"URL without path gains one", "postgresql://u:p@h", "postgresql://u:p@h/x"},
		{"URL dbname parameter is dropped", "postgres://h/a?dbname=a&sslmode=require", "postgres://h/x?sslmode=require"},
		{"keyword DSN gains a later dbname", "host=/tmp user=postgres dbname=postgres", "host=/tmp user=postgres dbname=postgres dbname=x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, withDatabase(tc.dsn, "x"))
		})
	}
}

func TestDatabaseNameIsAValidUniqueIdentifier(t *testing.T) {
	t.Parallel()
	long := "TestÜber/" + strings.Repeat("Case#", 30)
	a, b := databaseName(long), databaseName(long)

	require.NotEqual(t, a, b)
	require.LessOrEqual(t, len(a), 63, "PostgreSQL truncates longer names, which could make two equal")
	require.Regexp(t, `^munim_test_ber_case_[a-z0-9_]+_[0-9a-f]{12}$`, a)
}
