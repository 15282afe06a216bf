package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/munimhq/munim/db"
	"github.com/munimhq/munim/db/pgserver"
)

// EnvDatabaseURL names the environment variable that points tests at an
// existing server instead of a private one. It must connect as a role that
// may create databases, to a database other than the ones tests create
// (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
const EnvDatabaseURL = "MUNIM_TEST_DATABASE_URL"

var (
	mainCalled atomic.Bool

	clusterOnce sync.Once
	shared      *cluster // nil until set up, and when set-up failed
	sharedErr   error
)

// cluster is the one server a test process uses, with its migrated template.
type cluster struct {
	server   *pgserver.Server // nil when EnvDatabaseURL names the server
	tmpDir   string           // the private server's directory, removed by Main
	tmpLock  *os.File         // held while tmpDir is in use; nil outside Linux
	dsn      func(dbname string) string
	admin    *pgxpool.Pool // runs CREATE/DROP DATABASE
	template string
	// strategy picks how PostgreSQL 15+ clones the template. Copying its
	// files costs two checkpoints: free without fsync (the private server:
	// ~6 ms a clone against ~8 ms WAL-logged), dear with it (a durable
	// server at the URL: ~100-170 ms against ~70-100 ms), so the server's
	// default, WAL_LOG, is kept there.
	strategy string
}

// Main runs the package's tests, then stops the private server if one was
// started and drops the template database, and exits with the tests' code.
// Call it from TestMain in every package that uses NewDB.
func Main(m *testing.M) {
	mainCalled.Store(true)
	code := m.Run()
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		code = max(code, 1)
	}
	os.Exit(code)
}

// NewDB returns a pool on a new database of the test's own, cloned from the
// migrated template: all tables exist and hold nothing but what migrations
// put there. The pool is closed and the database dropped when t ends.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewDBWithDSN(t)
	return pool
}

// NewDBWithDSN is NewDB for tests that also reach the database by other
// means, such as running a command against its DSN.
func NewDBWithDSN(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	c := sharedCluster(t)
	name := databaseName(t.Name())
	if err := c.createDB(t.Context(), name); err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	// Registered before the pool's Close so that it runs after it.
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.dropDB(ctx, name); err != nil {
			t.Errorf("dbtest: %v", err)
		}
	})
	dsn := c.dsn(name)
	pool, err := db.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, dsn
}

// sharedCluster sets the process's server and template up on first use, so
// that packages with no database tests never start a server.
func sharedCluster(tb testing.TB) *cluster {
	tb.Helper()
	if !mainCalled.Load() {
		tb.Fatal("dbtest: call dbtest.Main(m) from TestMain, or the test server is never stopped")
	}
	clusterOnce.Do(func() { shared, sharedErr = setUp() })
	if sharedErr != nil {
		tb.Fatalf("dbtest: %v", sharedErr)
	}
	return shared
}

// setUp finds or starts the server and builds the template. It runs once per
// process, outside any one test, so it uses its own context.
func setUp() (c *cluster, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c = &cluster{}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.close())
			c = nil
		}
	}()

	var adminDSN string
	if given := os.Getenv(EnvDatabaseURL); given != "" {
		adminDSN = given
		c.dsn = func(dbname string) string { return withDatabase(given, dbname) }
	} else {
		if c.tmpDir, c.tmpLock, err = makeServerDir(); err != nil {
			return c, fmt.Errorf("private server directory: %w", err)
		}
		c.server, err = pgserver.Start(ctx, pgserver.Options{DataDir: filepath.Join(c.tmpDir, "data")})
		if err != nil {
			return c, err
		}
		adminDSN = c.server.DSN("postgres")
		c.dsn = c.server.DSN
	}
	if c.admin, err = pgxpool.New(ctx, adminDSN); err != nil {
		return c, fmt.Errorf("connect to test server: %w", err)
	}
	var fileCopy bool
	if err = c.admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int >= 150000 AND NOT current_setting('fsync')::bool").Scan(&fileCopy); err != nil {
		return c, fmt.Errorf("reach test server: %w", err)
	}
	if fileCopy {
		c.strategy = " STRATEGY FILE_COPY"
	}

	// The PID and random suffix keep test processes that share one server
	// (go test ./... runs packages in parallel) from colliding.
	template := fmt.Sprintf("munim_template_%d_%s", os.Getpid(), randomHex(4))
	// template0, UTF8 and the C locale make the schema behave the same on
	// the private server and on whatever server the URL names.
	if _, err = c.admin.Exec(ctx, "CREATE DATABASE "+ident(template)+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		return c, fmt.Errorf("create template database: %w", err)
	}
	c.template = template
	if err = db.Migrate(ctx, c.dsn(template), nil); err != nil {
		return c, fmt.Errorf("migrate template database: %w", err)
	}
	// Cloning fails while anyone is connected to the template. Refusing
	// new connections keeps it so; migration's own connections are closed
	// by now, and CREATE DATABASE waits a few seconds for any backend
	// still exiting.
	if _, err = c.admin.Exec(ctx, "ALTER DATABASE "+ident(template)+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return c, fmt.Errorf("seal template database: %w", err)
	}
	return c, nil
}

func (c *cluster) createDB(ctx context.Context, name string) error {
	create := fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s%s", ident(name), ident(c.template), c.strategy)
	if _, err := c.admin.Exec(ctx, create); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// dropDB drops a test's database. FORCE ends connections the test opened
// outside its pool, such as a command it ran against the DSN.
func (c *cluster) dropDB(ctx context.Context, name string) error {
	if _, err := c.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// teardown undoes setUp; Main calls it after the tests.
func teardown() error {
	if shared == nil {
		return nil
	}
	return shared.close()
}

func (c *cluster) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var errs []error
	if c.admin != nil && c.template != "" {
		// A template database cannot be dropped until it is unmarked.
		_, err := c.admin.Exec(ctx, "ALTER DATABASE "+ident(c.template)+" WITH IS_TEMPLATE false")
		if err == nil {
			_, err = c.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(c.template)+" WITH (FORCE)")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("drop template database %s: %w", c.template, err))
		}
	}
	if c.admin != nil {
		c.admin.Close()
	}
	if c.server != nil {
		errs = append(errs, c.server.Stop(ctx))
	}
	if c.tmpDir != "" {
		errs = append(errs, os.RemoveAll(c.tmpDir))
	}
	if c.tmpLock != nil {
		c.tmpLock.Close()
	}
	return errors.Join(errs...)
}

// databaseName makes a database name unique across processes and runs that
// still says, in pg_stat_activity or a leftover after a crash, which test it
// belonged to.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if b.Len() == 40 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return "munim_" + b.String() + "_" + randomHex(6) // at most 6+40+1+12 < 63 bytes
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// withDatabase points a URL or keyword/value DSN at another database on the
// same server, keeping its host, user and options.
func withDatabase(dsn, dbname string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			u.Path = "/" + dbname
			u.RawPath = ""
			q := u.Query()
			q.Del("dbname") // would override the path
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	// Later keywords win, and our names need no quoting.
	return dsn + " dbname=" + dbname
}

// AsOwner runs fn in a transaction as the login role (the tables' owner, a
// superuser on the private server) rather than munim_app: row-level
// security does not bind it, so a test can look at every tenant's rows or
// play an attacker who edits the tables directly. The transaction commits
// when fn returns.
func AsOwner(t testing.TB, pool *pgxpool.Pool, fn func(tx pgx.Tx)) {
	t.Helper()
	tx, err := pool.Begin(t.Context())
	if err != nil {
		t.Fatalf("dbtest: begin: %v", err)
	}
	defer tx.Rollback(context.WithoutCancel(t.Context()))
	if _, err := tx.Exec(t.Context(), "SET LOCAL ROLE NONE"); err != nil {
		t.Fatalf("dbtest: become owner: %v", err)
	}
	fn(tx)
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatalf("dbtest: commit: %v", err)
	}
}
