package pgserver

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// findBinDir returns the first directory holding both initdb and postgres:
// the one given, PATH, pg_config's answer, then the newest Debian-style
// /usr/lib/postgresql/<major>/bin (where postgres is rarely on PATH).
func findBinDir(ctx context.Context, given string) (string, error) {
	if given != "" {
		if !hasServerBinaries(given) {
			return "", fmt.Errorf("pgserver: %s holds no initdb and postgres", given)
		}
		return given, nil
	}
	var tried []string
	if initdb, err := exec.LookPath("initdb"); err == nil {
		// A symlink such as /usr/local/bin/initdb is fine: postgres sits
		// beside it too, or else the next candidates apply.
		tried = append(tried, filepath.Dir(initdb))
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		tried = append(tried, strings.TrimSpace(string(out)))
	}
	tried = append(tried, debianBinDirs()...)
	for _, dir := range tried {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("pgserver: no PostgreSQL server binaries (initdb, postgres) found on PATH, via pg_config or in /usr/lib/postgresql; tried %q", tried)
}

func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// debianBinDirs lists /usr/lib/postgresql/*/bin newest first, comparing
// majors as numbers so that 10 sorts above 9.6.
func debianBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int { return cmp.Compare(major(b), major(a)) })
	return dirs
}
