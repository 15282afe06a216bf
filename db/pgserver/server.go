package pgserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Server is a running PostgreSQL server that Start launched as a child
// process. It is safe for concurrent use.
type Server struct {
	dataDir      string
	socketDir    string
	ownSocketDir bool // Stop removes socketDir, which Start made
	logPath      string
	stopTimeout  time.Duration
	log          *slog.Logger

	cmd     *exec.Cmd
	exited  chan struct{} // closed once the postmaster has exited
	waitErr error         // the postmaster's exit status; read after exited

	stopOnce sync.Once
	stopErr  error
}

// Start initialises opts.DataDir if it holds no cluster yet, starts a server on
// it that listens only on a unix socket, and returns once the server accepts
// connections. The caller must Stop it.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	// A relative socket directory would read as a TCP host name in a DSN.
	if opts.SocketDir != "" {
		if opts.SocketDir, err = filepath.Abs(opts.SocketDir); err != nil {
			return nil, fmt.Errorf("pgserver: %w", err)
		}
	}
	acct, err := serverAccount()
	if err != nil {
		return nil, err
	}
	binDir, err := findBinDir(ctx, opts.BinDir)
	if err != nil {
		return nil, err
	}
	// Parents made here must stay open to the account, unlike DataDir.
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	if err := acct.checkReachable(dataDir); err != nil {
		return nil, err
	}
	if err := acct.ownDir(dataDir, 0o700); err != nil {
		return nil, err
	}
	// The postmaster reports its working directory through /proc with
	// symlinks resolved; lock checks compare against the same form.
	if dataDir, err = filepath.EvalSymlinks(dataDir); err != nil {
		return nil, fmt.Errorf("pgserver: %w", err)
	}
	if err := initdb(ctx, acct, binDir, dataDir, opts); err != nil {
		return nil, err
	}
	socketDir, ownSocketDir, err := pickSocketDir(acct, opts.SocketDir, dataDir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		dataDir:      dataDir,
		socketDir:    socketDir,
		ownSocketDir: ownSocketDir,
		logPath:      filepath.Join(dataDir, "postmaster.log"),
		stopTimeout:  opts.StopTimeout,
		log:          opts.Log,
		exited:       make(chan struct{}),
	}
	if err := s.launch(acct, binDir, opts.settings(socketDir)); err != nil {
		s.removeSocketDir()
		return nil, err
	}
	if err := s.waitReady(ctx, opts.StartTimeout); err != nil {
		// Stop reports nothing new here: the start error already says why.
		_ = s.Stop(context.WithoutCancel(ctx))
		return nil, err
	}
	s.log.Info("postgres ready", "data_dir", dataDir, "socket_dir", socketDir, "durable", opts.Durable)
	return s, nil
}

// initdb creates the cluster unless dataDir already holds one, so that a
// demo's data survives restarts and a test run pays for initdb only once.
func initdb(ctx context.Context, acct account, binDir, dataDir string, opts Options) error {
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		return nil
	}
	args := []string{"-D", dataDir, "-U", "postgres", "-A", "trust", "--encoding=UTF8", "--locale=C"}
	if !opts.Durable {
		args = append(args, "--no-sync")
	}
	start := time.Now()
	out, err := acct.command(ctx, filepath.Join(binDir, "initdb"), dataDir, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgserver: initdb %s: %w\n%s", dataDir, err, tail(string(out)))
	}
	opts.Log.Info("postgres data directory initialised", "data_dir", dataDir, "took", time.Since(start))
	return nil
}

// pickSocketDir returns the socket directory and whether Stop should remove
// it. The data directory is preferred because it needs no cleaning up; a deep
// data directory overflows the socket path limit, so a short one is made.
func pickSocketDir(acct account, given, dataDir string) (string, bool, error) {
	switch {
	case given != "":
		if !fitsSocket(given) {
			return "", false, fmt.Errorf("pgserver: socket path under %s exceeds %d bytes", given, maxSocketPath)
		}
		if _, err := os.Stat(given); errors.Is(err, os.ErrNotExist) {
			return given, false, acct.ownDir(given, 0o700)
		}
		// An existing directory (perhaps /tmp) is the caller's to
		// prepare; changing its mode could break other users of it.
		return given, false, nil
	case fitsSocket(dataDir):
		return dataDir, false, nil
	}
	dir, err := os.MkdirTemp("", "pgsock")
	if err != nil {
		return "", false, fmt.Errorf("pgserver: socket directory: %w", err)
	}
	if !fitsSocket(dir) {
		_ = os.Remove(dir)
		return "", false, fmt.Errorf("pgserver: both %s and the temporary directory %s are too deep for a unix socket; set Options.SocketDir", dataDir, dir)
	}
	if err := acct.checkReachable(dir); err != nil {
		_ = os.Remove(dir)
		return "", false, err
	}
	// Authentication is "trust": only the account may reach the socket.
	if err := acct.ownDir(dir, 0o700); err != nil {
		_ = os.Remove(dir)
		return "", false, err
	}
	return dir, true, nil
}

// launch starts the postmaster itself rather than through pg_ctl, so it stays
// our child: we learn at once if it dies and can signal it directly.
func (s *Server) launch(acct account, binDir string, settings map[string]string) error {
	if err := clearStaleLocks(s.dataDir, s.socketDir); err != nil {
		return err
	}
	args := []string{"-D", s.dataDir}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		args = append(args, "-c", k+"="+settings[k])
	}
	// Keep the previous run's log: after a crash it says why.
	_ = os.Rename(s.logPath, s.logPath+".1")
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("pgserver: server log: %w", err)
	}
	defer logFile.Close() // the child keeps its own copy of the descriptor
	// The server outlives Start's context; only Stop ends it.
	cmd := acct.command(context.Background(), filepath.Join(binDir, "postgres"), s.dataDir, args...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgserver: start postgres: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	return nil
}

// waitReady polls until the server accepts a connection, it dies, or the
// timeout passes. A connection, not the socket file, is the test: the socket
// appears before recovery has finished.
func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		if _, err := os.Stat(socketPath(s.socketDir)); err == nil {
			if lastErr = s.ping(ctx); lastErr == nil {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("pgserver: postgres exited during start-up (%v); end of %s:\n%s", s.waitErr, s.logPath, s.logTail())
		case <-deadline.C:
			return fmt.Errorf("pgserver: postgres did not accept connections within %v (last error: %v); end of %s:\n%s", timeout, lastErr, s.logPath, s.logTail())
		case <-ctx.Done():
			return fmt.Errorf("pgserver: waiting for postgres to start: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

func (s *Server) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// DSN returns a keyword/value connection string for dbname on this server,
// understood by pgx, libpq and psql. It names the port even though there is
// no TCP listener, because the port names the socket file and a PGPORT in the
// environment would otherwise pick the wrong one.
func (s *Server) DSN(dbname string) string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=%s sslmode=disable",
		quoteDSN(s.socketDir), port, quoteDSN(dbname))
}

// quoteDSN quotes a keyword/value DSN value as libpq does, when it needs it.
func quoteDSN(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\n\\'") {
		return v
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Stop shuts the server down in PostgreSQL's fast mode (open transactions
// roll back, data is checkpointed) and waits for it to exit. If that takes
// longer than Options.StopTimeout or ctx ends first, the server is told to
// quit immediately, which next start's recovery repairs. Calling Stop again
// returns the first call's result.
func (s *Server) Stop(ctx context.Context) error {
	s.stopOnce.Do(func() { s.stopErr = s.stop(ctx) })
	return s.stopErr
}

func (s *Server) stop(ctx context.Context) error {
	defer s.removeSocketDir()
	select {
	case <-s.exited:
		return fmt.Errorf("pgserver: postgres had exited on its own (%v); end of %s:\n%s", s.waitErr, s.logPath, s.logTail())
	default:
	}
	// SIGINT is PostgreSQL's "fast" shutdown.
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgserver: signal postgres: %w", err)
	}
	timer := time.NewTimer(s.stopTimeout)
	defer timer.Stop()
	select {
	case <-s.exited:
		s.log.Info("postgres stopped", "data_dir", s.dataDir)
		return nil
	case <-timer.C:
	case <-ctx.Done():
	}
	// SIGQUIT is "immediate" shutdown; SIGKILL of the whole process group
	// (the postmaster leads it) is the last resort.
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	}
	return fmt.Errorf("pgserver: postgres did not finish a fast shutdown in time and was stopped immediately; end of %s:\n%s", s.logPath, s.logTail())
}

func (s *Server) removeSocketDir() {
	if s.ownSocketDir {
		_ = os.RemoveAll(s.socketDir)
	}
}

// logTail returns the end of the server log, for errors.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read server log: %v)", err)
	}
	return tail(string(b))
}

// tail keeps the last lines of a log: enough to show the error, few enough to
// read in a test failure.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
