package nbkit

import (
	"os"
	"path/filepath"
	"strconv"
)

// EnvInt is the environment variable name as a positive integer, else def (unset, not a number, or ≤ 0).
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// SessionDir is a folder name under the temporary folder of the notebook's GoNB kernel ($GONB_TMP_DIR, else
// the system's): shared by the cells of one kernel session (each %% cell is a new process), fresh for the next
// session. It is not created.
func SessionDir(name string) string {
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, name)
}
