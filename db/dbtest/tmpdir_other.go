//go:build !linux

package dbtest

import "os"

// makeServerDir creates the private server's directory. Outside Linux there
// is no /dev/shm to prefer and no sweeping of abandoned directories.
func makeServerDir() (string, *os.File, error) {
	dir, err := os.MkdirTemp("", "munimtest")
	if err == nil {
		// The server runs as the postgres OS user when we are root.
		err = os.Chmod(dir, 0o755)
	}
	return dir, nil, err
}
