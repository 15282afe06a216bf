package pgserver

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// clearStaleLocks removes the lock files a crashed earlier run left behind:
// postmaster.pid in the data directory and the socket's lock file. PostgreSQL
// would refuse to start over them whenever their PID has since been reused by
// any live process, which in a container is the rule rather than the
// exception. A lock whose PID is a live postmaster on this data directory is
// left alone and reported.
func clearStaleLocks(dataDir, socketDir string) error {
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	sockLock := socketPath(socketDir) + ".lock"
	for _, lock := range []string{pidFile, sockLock} {
		pid, err := lockPID(lock)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil && ownsDataDir(pid, dataDir) {
			return fmt.Errorf("pgserver: %s is in use by a running server (pid %d)", dataDir, pid)
		}
		// Unreadable or stale: either way no server of ours holds it.
		if err := os.Remove(lock); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("pgserver: remove stale %s: %w", lock, err)
		}
		if lock == sockLock {
			_ = os.Remove(socketPath(socketDir))
		}
	}
	return nil
}

// lockPID reads the PID on a PostgreSQL lock file's first line.
func lockPID(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && line == "" {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("no pid in %s", path)
	}
	return pid, nil
}

// ownsDataDir reports whether pid is alive and is a postmaster working in
// dataDir (a postmaster's working directory is its data directory).
func ownsDataDir(pid int, dataDir string) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid))
	if err != nil {
		// No /proc, or the process is not ours to inspect: assume the
		// worst rather than delete a live server's lock.
		return true
	}
	want, err := filepath.EvalSymlinks(dataDir)
	if err != nil {
		want = dataDir
	}
	return cwd == want
}
