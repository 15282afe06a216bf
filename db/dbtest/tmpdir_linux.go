package dbtest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// serverParentDir is where the private server's directory goes: /dev/shm
// when it is a tmpfs with room to spare, else the temporary directory.
// Cloning a database creates some 300 files; on a VM's disk that alone took
// ~80 ms a test, in memory ~6 ms. The server is throwaway, so memory loses
// nothing.
func serverParentDir() string {
	const tmpfsMagic = 0x01021994
	const room = 1 << 30 // a server with a few dozen test databases and its WAL fits many times over
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil &&
		st.Type == tmpfsMagic && uint64(st.Bavail)*uint64(st.Bsize) >= room {
		return "/dev/shm"
	}
	return os.TempDir()
}

// serverDirPattern names the private servers' directories, so that
// sweepAbandoned finds those of processes that died.
const serverDirPattern = "munimtest*"

// makeServerDir creates the private server's directory and holds a lock on it
// until the process exits. A test binary killed on timeout never reaches
// Main's clean-up; its server stops by itself, but the directory (in memory,
// on /dev/shm) would stay, so each new process removes the directories whose
// lock nobody holds any more.
func makeServerDir() (dir string, lock *os.File, err error) {
	parent := serverParentDir()
	sweepAbandoned(parent)
	if dir, err = os.MkdirTemp(parent, serverDirPattern); err != nil {
		return "", nil, err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	// The server runs as the postgres OS user when we are root; it must be
	// able to reach its data directory.
	if err = os.Chmod(dir, 0o755); err != nil {
		return "", nil, err
	}
	// Lock first, then rename into place: a sweep must never find the lock
	// file unlocked while its owner is alive.
	if lock, err = os.CreateTemp(dir, "lock"); err != nil {
		return "", nil, err
	}
	if err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
		err = os.Rename(lock.Name(), filepath.Join(dir, "lock"))
	}
	if err != nil {
		lock.Close()
		return "", nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return dir, lock, nil
}

func sweepAbandoned(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, serverDirPattern))
	for _, dir := range dirs {
		f, err := os.Open(filepath.Join(dir, "lock"))
		if err != nil {
			continue // not ours, or not yet locked
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			_ = os.RemoveAll(dir)
		}
		f.Close()
	}
}
