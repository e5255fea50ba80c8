package hub

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheLinkFallsBackToCopy: where symlinks fail, the snapshot holds a copy of the blob.
func TestCacheLinkFallsBackToCopy(t *testing.T) {
	c := hubCache{root: t.TempDir(), repo: "owner/name"}
	blob := c.blobPath("abc123")
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blob, []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	commit := strings.Repeat("ab", 20)
	for _, broken := range []bool{false, true} {
		if broken {
			symlink = func(string, string) error { return errors.New("symlinks not supported") }
			t.Cleanup(func() { symlink = os.Symlink })
		}
		name := "sub/linked.json"
		if broken {
			name = "sub/copied.json"
		}
		if err := c.link(commit, name, "abc123"); err != nil {
			t.Fatal(err)
		}
		dst := c.snapshotFile(commit, name)
		target, lerr := os.Readlink(dst)
		if broken != (lerr != nil) {
			t.Errorf("broken symlinks %t: Readlink = %q, %v", broken, target, lerr)
		}
		if !broken && target != filepath.Join("..", "..", "..", "blobs", "abc123") {
			t.Errorf("link target %q", target)
		}
		if b, err := os.ReadFile(dst); err != nil || string(b) != "content" {
			t.Errorf("broken symlinks %t: content %q, %v", broken, b, err)
		}
	}
}

// TestProgressBarThrottles: many small writes draw about 10 times a second, and finish ends the line.
func TestProgressBarThrottles(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	p := newProgressBar(&out, "f.bin", 1000, 0)
	p.now = func() time.Time { return now }
	p.began = now
	for range 1000 {
		now = now.Add(time.Millisecond) // 1 s in all
		p.Write([]byte{0})
	}
	p.finish()
	draws := strings.Count(out.String(), "\r")
	if draws < 9 || draws > 12 {
		t.Errorf("%d redraws in 1 s, want about 10", draws)
	}
	if !strings.HasSuffix(out.String(), "100.0%  1.0/1.0 kB  0.0 MB/s\n") {
		t.Errorf("final line %q", out.String()[strings.LastIndex(out.String(), "\r"):])
	}
}
