package atomicdir

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrNotEmpty is returned (wrapped) by Check and Write for an existing non-empty folder when overwrite is false.
var ErrNotEmpty = errors.New("already exists and is not empty")

// Check returns an error when dir cannot be written by Write: it exists and is not a folder, or it is a non-empty
// folder and overwrite is false. Commands call it before any work starts.
func Check(dir string, overwrite bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return fmt.Errorf("%s exists and is not a folder", dir)
		}
		return err
	case len(entries) > 0 && !overwrite:
		return fmt.Errorf("%s %w (use --overwrite to replace it whole)", dir, ErrNotEmpty)
	}
	return nil
}

// Write makes dir hold exactly what fill writes into the empty folder it is given (a temporary sibling of dir):
// when fill succeeds, its files are synced and the folder is renamed into place, replacing an existing dir whole;
// when fill fails (or panics), the temporary folder is removed and dir is untouched. An existing non-empty dir
// needs overwrite (see Check). Missing parent folders are created.
func Write(dir string, overwrite bool, fill func(tmp string) error) error {
	if err := Check(dir, overwrite); err != nil {
		return err
	}
	dir = filepath.Clean(dir)
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	removeStale(dir)
	tmp := tempName(dir)
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := syncTree(tmp); err != nil {
		return err
	}
	if err := replace(tmp, dir); err != nil {
		return err
	}
	done = true
	return nil
}

// WriteFile writes data to path through a synced temporary sibling renamed into place: path holds the old
// content or the new one, whole.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	tmp := tempName(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// replace moves the complete folder tmp to dir, replacing dir (if any) whole, and removes the old content.
func replace(tmp, dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
		return syncDir(filepath.Dir(dir))
	}
	old, err := swap(tmp, dir)
	if err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

const tempMark = ".tmp-"

// tempName is a fresh hidden sibling of path: ".BASE.tmp-PID-RANDOM".
func tempName(path string) string {
	base := "." + filepath.Base(path) + tempMark + strconv.Itoa(os.Getpid()) + "-"
	return filepath.Join(filepath.Dir(path), base+strconv.FormatUint(rand.Uint64(), 36))
}

// removeStale removes the temporary siblings of dir left by processes that no longer run.
func removeStale(dir string) {
	prefix := "." + filepath.Base(dir) + tempMark
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); err == nil && !running(pid) {
			os.RemoveAll(filepath.Join(filepath.Dir(dir), e.Name()))
		}
	}
}

// syncTree fsyncs every file and folder under root.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		return syncPath(path)
	})
}

func syncDir(dir string) error { return syncPath(dir) }

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) { // file systems that cannot sync folders
		return nil
	}
	return err
}

// swapRenames moves dir to a temporary sibling, then tmp to dir; it returns the sibling holding the old content.
func swapRenames(tmp, dir string) (string, error) {
	old := tempName(dir)
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir)
		return "", err
	}
	return old, nil
}
