package pgserver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the OS user the server runs as. PostgreSQL refuses to run as
// root, so a root caller (a container, CI) hands the server to the
// `postgres` account and the directories with it.
type account struct {
	cred *syscall.Credential // nil: the server runs as the caller
	name string
}

func serverAccount() (account, error) {
	if os.Geteuid() != 0 {
		return account{name: "the current user"}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return account{}, fmt.Errorf("pgserver: running as root needs a `postgres` OS user to run the server: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return account{}, fmt.Errorf("pgserver: uid of postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return account{}, fmt.Errorf("pgserver: gid of postgres: %w", err)
	}
	return account{
		cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true},
		name: "postgres",
	}, nil
}

// command prepares bin to run as the account, in dir, with messages in English
// so that log tails read the same everywhere. Cancelling ctx kills it.
func (a account) command(ctx context.Context, bin, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	// PostgreSQL's binaries call getcwd() to find themselves and fail when
	// the caller's working directory is closed to the account.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: a.cred,
		// Our own process group keeps a terminal's Ctrl-C from reaching
		// the server directly: we shut it down in order instead.
		Setpgid: true,
		// If the caller dies without calling Stop (a test binary killed on
		// timeout), the server shuts itself down rather than outliving it.
		// Linux ties this to the forking thread, which the Go runtime only
		// retires when a goroutine exits while locked to it: rare enough.
		Pdeathsig: syscall.SIGINT,
	}
	return cmd
}

// ownDir creates dir with perm and gives it to the account.
func (a account) ownDir(dir string, perm os.FileMode) error {
	if err := os.MkdirAll(dir, perm); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if err := os.Chmod(dir, perm); err != nil {
		return fmt.Errorf("pgserver: %w", err)
	}
	if a.cred == nil {
		return nil
	}
	if err := os.Chown(dir, int(a.cred.Uid), int(a.cred.Gid)); err != nil {
		return fmt.Errorf("pgserver: give %s to postgres: %w", dir, err)
	}
	return nil
}

// checkReachable fails early, with a message naming the culprit, when a
// parent of dir is closed to the account; initdb's own error for this ("could
// not change directory ... Permission denied") does not say what to fix.
func (a account) checkReachable(dir string) error {
	if a.cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgserver: %w", err)
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		mode := fi.Mode().Perm()
		ok := mode&0o001 != 0 ||
			(st != nil && st.Uid == a.cred.Uid && mode&0o100 != 0) ||
			(st != nil && st.Gid == a.cred.Gid && mode&0o010 != 0)
		if !ok {
			return fmt.Errorf("pgserver: %s (mode %v) cannot be traversed by the postgres user, which runs the server; use a directory under /tmp or chmod o+x it", p, mode)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}
