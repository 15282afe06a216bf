package pgserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/munimhq/munim/db/pgserver"
)

// tempDir returns a short directory the postgres OS user can traverse.
// t.TempDir() will not do: its parent is closed (0700) and its path can be
// too long for the socket.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "pgserver-test")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(dir, 0o755))
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func start(t *testing.T, opts pgserver.Options) *pgserver.Server {
	t.Helper()
	srv, err := pgserver.Start(t.Context(), opts)
	require.NoError(t, err)
	// Stops a server the test left running when it failed half-way.
	t.Cleanup(func() { _ = srv.Stop(context.Background()) })
	return srv
}

func queryInt(t *testing.T, dsn, sql string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), sql).Scan(&n))
	return n
}

func TestStartReusesDataDir(t *testing.T) {
	t.Parallel()
	opts := pgserver.Options{DataDir: filepath.Join(tempDir(t), "data")}

	srv := start(t, opts)
	require.Equal(t, 1, queryInt(t, srv.DSN("postgres"), "SELECT 1"))
	require.Equal(t, 0, queryInt(t, srv.DSN("postgres"), "SELECT count(*) FROM pg_database WHERE datname = 'kept'"))
	conn, err := pgx.Connect(t.Context(), srv.DSN("postgres"))
	require.NoError(t, err)
	_, err = conn.Exec(t.Context(), "CREATE DATABASE kept")
	require.NoError(t, err)
	require.NoError(t, conn.Close(t.Context()))
	require.NoError(t, srv.Stop(t.Context()))
	require.NoError(t, srv.Stop(t.Context()), "a second Stop is a no-op")

	srv = start(t, opts)
	require.Equal(t, 1, queryInt(t, srv.DSN("kept"), "SELECT 1"), "the database made by the first run is still there")
	require.NoError(t, srv.Stop(t.Context()))
}

func TestStartRemovesStaleLock(t *testing.T) {
	t.Parallel()
	opts := pgserver.Options{DataDir: filepath.Join(tempDir(t), "data")}
	srv := start(t, opts)
	require.NoError(t, srv.Stop(t.Context()))

	// A crashed run leaves its lock behind, and by the next run its PID
	// belongs to some other live process: here, the test itself.
	lock := strconv.Itoa(os.Getpid()) + "\n" + opts.DataDir + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(opts.DataDir, "postmaster.pid"), []byte(lock), 0o600))

	srv = start(t, opts)
	require.Equal(t, 1, queryInt(t, srv.DSN("postgres"), "SELECT 1"))
	require.NoError(t, srv.Stop(t.Context()))
}

func TestStartRefusesRunningDataDir(t *testing.T) {
	t.Parallel()
	opts := pgserver.Options{DataDir: filepath.Join(tempDir(t), "data")}
	srv := start(t, opts)

	_, err := pgserver.Start(t.Context(), opts)
	require.ErrorContains(t, err, "in use by a running server")
	require.Equal(t, 1, queryInt(t, srv.DSN("postgres"), "SELECT 1"), "the first server is untouched")
	require.NoError(t, srv.Stop(t.Context()))
}

func TestStartMovesSocketOutOfDeepDataDir(t *testing.T) {
	t.Parallel()
	deep := filepath.Join(tempDir(t), strings.Repeat("d", 60), strings.Repeat("e", 60), "data")
	require.NoError(t, os.MkdirAll(filepath.Dir(deep), 0o755))
	srv := start(t, pgserver.Options{DataDir: deep})

	require.NotContains(t, srv.DSN("postgres"), deep)
	require.Equal(t, 1, queryInt(t, srv.DSN("postgres"), "SELECT 1"))
	require.NoError(t, srv.Stop(t.Context()))
}

func TestStartRequiresDataDir(t *testing.T) {
	t.Parallel()
	_, err := pgserver.Start(t.Context(), pgserver.Options{})
	require.ErrorContains(t, err, "DataDir is required")
}

func TestStartAppliesSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		opts    pgserver.Options
		setting string
		want    string
	}{
		{"tests skip flushes", pgserver.Options{}, "fsync", "off"},
		{"durable keeps flushes", pgserver.Options{Durable: true}, "fsync", "on"},
		{"durable keeps full pages", pgserver.Options{Durable: true}, "full_page_writes", "on"},
		{"default connections", pgserver.Options{}, "max_connections", "200"},
		{"caller overrides a default", pgserver.Options{Settings: map[string]string{"max_connections": "50"}}, "max_connections", "50"},
		{"caller cannot open TCP", pgserver.Options{Settings: map[string]string{"listen_addresses": "*"}}, "listen_addresses", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.DataDir = filepath.Join(tempDir(t), "data")
			srv := start(t, tc.opts)

			conn, err := pgx.Connect(t.Context(), srv.DSN("postgres"))
			require.NoError(t, err)
			defer conn.Close(context.Background())
			var got string
			require.NoError(t, conn.QueryRow(t.Context(), "SELECT current_setting($1)", tc.setting).Scan(&got))
			require.Equal(t, tc.want, got)
		})
	}
}

func TestStartReportsTheServerLogWhenPostgresFails(t *testing.T) {
	t.Parallel()
	opts := pgserver.Options{
		DataDir:  filepath.Join(tempDir(t), "data"),
		Settings: map[string]string{"shared_buffers": "lots"},
	}
	_, err := pgserver.Start(t.Context(), opts)
	require.ErrorContains(t, err, "exited during start-up")
	require.ErrorContains(t, err, `invalid value for parameter "shared_buffers"`)
}

func TestStartNamesAClosedParentDirectory(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to another OS user")
	}
	closed := filepath.Join(tempDir(t), "closed")
	require.NoError(t, os.Mkdir(closed, 0o700))

	_, err := pgserver.Start(t.Context(), pgserver.Options{DataDir: filepath.Join(closed, "data")})
	require.ErrorContains(t, err, closed+" (mode -rwx------) cannot be traversed by the postgres user")
}
