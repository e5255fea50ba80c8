package hub

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// hubCache is one repository's folder in the hub cache, laid out exactly as Python's huggingface_hub does:
//
//	<root>/models--owner--name/blobs/<etag>                     file contents, named by ETag (LFS: sha256)
//	<root>/models--owner--name/snapshots/<commit>/<file>        relative symlink to ../../blobs/<etag>
//	<root>/models--owner--name/refs/<revision>                  the commit sha of a branch or tag
//	<root>/.locks/models--owner--name/<etag>.lock               download lock (flock, as Python's filelock)
//	<root>/.locks/models--owner--name/<etag>.verified           ours: the blob passed verification (see markVerified)
//
// Blobs in progress are written to blobs/<etag>.incomplete and renamed only once verified.
type hubCache struct {
	root string
	repo string
}

func newHubCache(root, repo string) (hubCache, error) {
	if root == "" {
		return hubCache{}, fmt.Errorf("no hub cache folder: set HF_HUB_CACHE or HF_HOME (no home folder found)")
	}
	return hubCache{root: root, repo: repo}, nil
}

// repoFolderName is the cache folder of a model repository: "models--owner--name".
func repoFolderName(repo string) string {
	return "models--" + strings.ReplaceAll(repo, "/", "--")
}

func (c hubCache) dir() string                   { return filepath.Join(c.root, repoFolderName(c.repo)) }
func (c hubCache) blobPath(etag string) string   { return filepath.Join(c.dir(), "blobs", etag) }
func (c hubCache) incomplete(etag string) string { return c.blobPath(etag) + ".incomplete" }
func (c hubCache) snapshotDir(commit string) string {
	return filepath.Join(c.dir(), "snapshots", commit)
}
func (c hubCache) snapshotFile(commit, file string) string {
	return filepath.Join(c.snapshotDir(commit), filepath.FromSlash(file))
}
func (c hubCache) refPath(rev string) string {
	return filepath.Join(c.dir(), "refs", filepath.FromSlash(rev))
}
func (c hubCache) lockPath(etag string) string {
	return filepath.Join(c.root, ".locks", repoFolderName(c.repo), etag+".lock")
}

// readRef returns the commit a branch or tag pointed at when it was last fetched.
func (c hubCache) readRef(rev string) (string, error) {
	b, err := os.ReadFile(c.refPath(rev))
	if err != nil {
		return "", err
	}
	sha := strings.TrimSpace(string(b))
	if !IsCommitSHA(sha) {
		return "", fmt.Errorf("%s: not a commit sha: %q", c.refPath(rev), truncateString(sha, 60))
	}
	return sha, nil
}

// writeRef records that rev points at commit (atomically: write then rename). Commits need no ref.
func (c hubCache) writeRef(rev, commit string) error {
	if rev == commit {
		return nil
	}
	path := c.refPath(rev)
	if old, err := c.readRef(rev); err == nil && old == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("hub cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ref-*")
	if err != nil {
		return fmt.Errorf("hub cache: %w", err)
	}
	_, werr := tmp.WriteString(commit)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("hub cache: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("hub cache: %w", err)
	}
	return nil
}

// commitOf resolves a revision from the cache alone: a commit whose snapshot folder exists, else the commit
// recorded in refs/<rev>.
func (c hubCache) commitOf(rev string) (string, error) {
	if IsCommitSHA(rev) {
		if st, err := os.Stat(c.snapshotDir(rev)); err == nil && st.IsDir() {
			return rev, nil
		}
		return "", fmt.Errorf("no snapshot of commit %s in %s", rev, c.dir())
	}
	sha, err := c.readRef(rev)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no refs/%s in %s (never downloaded)", rev, c.dir())
	}
	return sha, err
}

// symlink is os.Symlink; tests replace it to exercise the copy fallback.
var symlink = os.Symlink

// link makes snapshots/<commit>/<file> point at blobs/<etag> with a relative symlink, as Python does, or
// holds a copy of the blob where symlinks are not possible. The entry is replaced atomically.
func (c hubCache) link(commit, file, etag string) error {
	dst := c.snapshotFile(commit, file)
	blob := c.blobPath(etag)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("hub cache: %w", err)
	}
	rel, err := filepath.Rel(filepath.Dir(dst), blob)
	if err != nil {
		rel = blob
	}
	if cur, err := os.Readlink(dst); err == nil && cur == rel {
		return nil
	}
	// A name of our own, so that concurrent loads linking the same file do not collide.
	tmp := filepath.Join(filepath.Dir(dst), fmt.Sprintf(".%s.%x.tmp", filepath.Base(dst), rand.Uint64()))
	if err := symlink(rel, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("hub cache: linking %s: %w", dst, err)
		}
		return nil
	}
	// No symlinks here (some Windows setups, some file systems): keep a copy in the snapshot.
	if err := copyFile(blob, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("hub cache: copying %s to %s (symlinks unavailable): %w", blob, dst, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("hub cache: %w", err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	_, cpErr := io.Copy(out, in)
	return errors.Join(cpErr, out.Close())
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// verifiedPath is our record that blobs/<etag> was verified: <root>/.locks/models--owner--name/<etag>.verified
// holds the blob's size and modification time (ns) at that moment. It lives beside the download locks because
// Python's cache tools skip .locks (scan-cache would report any other folder of the cache root as corrupt).
func (c hubCache) verifiedPath(etag string) string {
	return filepath.Join(c.root, ".locks", repoFolderName(c.repo), etag+".verified")
}

// markVerified records that the blob of etag, as it is now, passed verification (best effort: without the
// record the blob is only hashed again).
func (c hubCache) markVerified(etag string) {
	st, err := os.Stat(c.blobPath(etag))
	if err != nil {
		return
	}
	p := c.verifiedPath(etag)
	if os.MkdirAll(filepath.Dir(p), 0o755) == nil {
		_ = os.WriteFile(p, []byte(verifiedStamp(st)), 0o644)
	}
}

// verified reports whether the blob of etag, as st describes it, is the one markVerified recorded.
func (c hubCache) verified(etag string, st fs.FileInfo) bool {
	b, err := os.ReadFile(c.verifiedPath(etag))
	return err == nil && string(b) == verifiedStamp(st)
}

func verifiedStamp(st fs.FileInfo) string {
	return fmt.Sprintf("%d %d", st.Size(), st.ModTime().UnixNano())
}
