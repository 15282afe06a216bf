package pgserver

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"
)

// Options configures Start. Only DataDir is required; every other field has
// the default documented on it.
type Options struct {
	// DataDir holds the cluster. It is created when missing and initialised
	// only when it has no PG_VERSION, so a data directory is reused between
	// runs. Required.
	DataDir string

	// SocketDir is where the server puts its unix socket. Default: DataDir
	// when the socket path fits the kernel's ~100-byte limit on socket paths,
	// else a fresh directory under os.TempDir() that Stop removes. The
	// server trusts whoever reaches the socket, so a directory given here
	// should be closed to other users; made ones are 0700.
	SocketDir string

	// Durable keeps PostgreSQL's crash-safe defaults (fsync, synchronous
	// commit, full page writes), as `munim demo` needs for data a person
	// typed in. Default false: tests throw their data away, so the server
	// skips every flush and runs several times faster.
	Durable bool

	// Settings are extra server settings passed as `-c name=value`; they
	// override the defaults (max_connections=200, shared_buffers=128MB and,
	// when not Durable, fsync/synchronous_commit/full_page_writes=off).
	// listen_addresses, port and unix_socket_directories cannot be
	// overridden: the server must stay private.
	Settings map[string]string

	// BinDir is the directory holding initdb and postgres. Default: found on
	// PATH, else from `pg_config --bindir`, else the newest
	// /usr/lib/postgresql/*/bin.
	BinDir string

	// StartTimeout bounds the wait for the new server to accept connections.
	// Default 60s: a cold start on a slow CI disk takes seconds, not minutes.
	StartTimeout time.Duration

	// StopTimeout bounds the wait for a fast shutdown before the server is
	// told to quit immediately. Default 30s.
	StopTimeout time.Duration

	// Log receives the server's life events (initdb, start, stop). The
	// server's own log goes to postmaster.log in DataDir. Default: discarded.
	Log *slog.Logger
}

// port names the socket file (.s.PGSQL.5432). The server listens on no TCP
// port, so sharing the number with another server is harmless as long as the
// socket directories differ, and a fixed number keeps DSNs predictable.
const port = 5432

// maxSocketPath is PostgreSQL's limit on the socket file's path (the size of
// sun_path, 108 on Linux, minus room for the NUL and for the 104 of the BSDs).
const maxSocketPath = 100

func (o Options) withDefaults() Options {
	o.StartTimeout = cmp.Or(o.StartTimeout, 60*time.Second)
	o.StopTimeout = cmp.Or(o.StopTimeout, 30*time.Second)
	o.Log = cmp.Or(o.Log, slog.New(slog.DiscardHandler))
	return o
}

func (o Options) validate() error {
	if o.DataDir == "" {
		return errors.New("pgserver: Options.DataDir is required")
	}
	return nil
}

func fitsSocket(dir string) bool {
	return len(socketPath(dir)) <= maxSocketPath
}

func socketPath(dir string) string {
	return filepath.Join(dir, fmt.Sprintf(".s.PGSQL.%d", port))
}

// settings merges the server settings: defaults, then the caller's, then the
// ones that keep the server private.
func (o Options) settings(socketDir string) map[string]string {
	s := map[string]string{
		"max_connections": "200",
		"shared_buffers":  "128MB",
	}
	if !o.Durable {
		s["fsync"] = "off"
		s["synchronous_commit"] = "off"
		s["full_page_writes"] = "off"
	}
	for k, v := range o.Settings {
		s[k] = v
	}
	s["listen_addresses"] = ""
	s["port"] = fmt.Sprint(port)
	// The setting is a comma-separated list; quoting keeps a directory
	// with spaces or commas whole.
	s["unix_socket_directories"] = `"` + strings.ReplaceAll(socketDir, `"`, `""`) + `"`
	return s
}
