package atomicdir_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/atomicdir"
)

// listing returns "name=content" for the files of dir, sorted (nil when dir does not exist).
func listing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		out = append(out, e.Name()+"="+string(b))
	}
	return out
}

func writeFiles(files ...string) func(string) error {
	return func(tmp string) error {
		for _, f := range files {
			name, content, _ := strings.Cut(f, "=")
			if err := os.WriteFile(filepath.Join(tmp, name), []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestWrite: the folder ends holding the old files or exactly the new ones, and no temporary sibling is left.
func TestWrite(t *testing.T) {
	failing := func(string) error { return errors.New("boom") }
	cases := []struct {
		name      string
		old       []string // nil: no folder; empty: an empty folder
		overwrite bool
		fill      func(string) error
		wantErr   string
		want      []string
	}{
		{"new", nil, false, writeFiles("a=1"), "", []string{"a=1"}},
		{"empty folder", []string{}, false, writeFiles("a=1"), "", []string{"a=1"}},
		{"non-empty refused", []string{"old=0"}, false, writeFiles("a=1"), "not empty", []string{"old=0"}},
		{"overwrite replaces whole", []string{"old=0", "a=0"}, true, writeFiles("a=1", "b=2"), "", []string{"a=1", "b=2"}},
		{"fill fails", []string{"old=0"}, true, failing, "boom", []string{"old=0"}},
		{"fill fails, no folder", nil, false, failing, "boom", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			if c.old != nil {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := writeFiles(c.old...)(dir); err != nil {
					t.Fatal(err)
				}
			}
			err := atomicdir.Write(dir, c.overwrite, c.fill)
			if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
				t.Errorf("error %v, want %q", err, c.wantErr)
			}
			if got := listing(t, dir); !slices.Equal(got, c.want) {
				t.Errorf("folder holds %v, want %v", got, c.want)
			}
			if got := listing(t, parent); slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, ".") }) {
				t.Errorf("temporary siblings left: %v", got)
			}
		})
	}
}

// TestWritePanic: a panicking fill leaves no temporary folder and the old content.
func TestWritePanic(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
		if got := listing(t, parent); len(got) != 0 {
			t.Errorf("left %v", got)
		}
	}()
	atomicdir.Write(dir, false, func(string) error { panic("boom") })
}

// TestCheck: files and non-empty folders are refused before any work; missing folders (and parents) are fine.
func TestCheck(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		file:                                  "not a folder",
		filepath.Join(parent, "no", "such"):   "",
		filepath.Join(file, "below"):          "not a directory",
		parent:                                "--overwrite",
		filepath.Join(parent, "fresh-folder"): "",
	} {
		err := atomicdir.Check(path, false)
		if (err == nil) != (want == "") || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("Check(%s): %v, want %q", path, err, want)
		}
	}
	if err := atomicdir.Check(parent, true); err != nil {
		t.Errorf("overwrite: %v", err)
	}
}

// TestStaleTemporaries: siblings left by a process that no longer runs are removed; ours are kept.
func TestStaleTemporaries(t *testing.T) {
	parent := t.TempDir()
	stale := filepath.Join(parent, ".out.tmp-999999999-abc")
	other := filepath.Join(parent, ".other.tmp-999999999-abc")
	for _, d := range []string{stale, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := atomicdir.Write(filepath.Join(parent, "out"), false, writeFiles("a=1")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary kept: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another folder's temporary removed: %v", err)
	}
}

// TestWriteFile: the file is replaced whole and no temporary is left.
func TestWriteFile(t *testing.T) {
	parent := t.TempDir()
	path := filepath.Join(parent, "f.json")
	for _, content := range []string{"old", "new"} {
		if err := atomicdir.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := listing(t, parent); !slices.Equal(got, []string{"f.json=new"}) {
		t.Errorf("folder holds %v", got)
	}
}

// TestWriteCreatesParents: missing parent folders are made, like mkdir -p.
func TestWriteCreatesParents(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "x", "y", "out")
	if err := atomicdir.Write(dir, false, writeFiles("a=1")); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, dir); !slices.Equal(got, []string{"a=1"}) {
		t.Errorf("folder holds %v", got)
	}
}
