package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// downloader fetches the files of one repository into its cache folder.
type downloader struct {
	client   *hubClient
	cache    hubCache
	progress io.Writer
	repo     string
	rev      string // as asked, for messages
}

// stallTimeout aborts a download that receives no byte for this long (a variable for tests).
var stallTimeout = 60 * time.Second

// errRestart asks download to start again from byte 0 (a resume the server or the checksum refused).
var errRestart = errors.New("restart the download from the beginning")

// ensureBlob makes blobs/<etag> hold the verified content of file; it returns the bytes downloaded and
// whether a download happened (false when the cache already had the blob). A blob that fails the check
// (wrong size, or wrong sha256 for LFS files) is removed and downloaded again; a transfer cut short is
// resumed in the same call (MaxRetries times).
func (d *downloader) ensureBlob(ctx context.Context, file string, m fileMeta) (int64, bool, error) {
	blob := d.cache.blobPath(m.ETag)
	if ok, err := d.blobValid(blob, m); err != nil || ok {
		return 0, false, err
	}
	unlock, err := lockFile(ctx, d.cache.lockPath(m.ETag))
	if err != nil {
		return 0, false, d.fileErr(file, err)
	}
	defer unlock()
	// Another process may have finished it while we waited for the lock.
	if ok, err := d.blobValid(blob, m); err != nil || ok {
		return 0, false, err
	}
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return 0, false, d.fileErr(file, err)
	}
	var total int64
	resume, restarted := true, false
	for attempt := 0; ; attempt++ {
		n, err := d.download(ctx, file, m, resume)
		total += n
		resume = !errors.Is(err, errRestart)
		switch {
		case err == nil:
			if err := os.Rename(d.cache.incomplete(m.ETag), blob); err != nil {
				return total, true, d.fileErr(file, err)
			}
			d.cache.markVerified(m.ETag)
			return total, true, nil
		case errors.Is(err, errRestart) && !restarted:
			restarted = true
			continue
		case errors.Is(err, errRestart):
			err = &Error{Repo: d.repo, Revision: d.rev, File: file, Kind: ErrCorrupt, Msg: "the download could not be verified"}
		case errors.Is(err, ErrNetwork) && attempt < d.client.retries && ctx.Err() == nil:
			if d.progress != nil {
				fmt.Fprintf(d.progress, "%s: %v; resuming (%d/%d)\n", file, err, attempt+1, d.client.retries)
			}
			if serr := sleepFor(ctx, min(d.client.retryWait<<attempt, 8*d.client.retryWait)); serr == nil {
				continue
			}
		}
		return total, true, err
	}
}

// blobValid reports whether the blob exists with the expected size and, for LFS files, sha256; a blob this
// package verified and nobody changed since (same size and modification time, see markVerified) is not
// hashed again. An invalid blob is removed.
func (d *downloader) blobValid(blob string, m fileMeta) (bool, error) {
	st, err := os.Stat(blob)
	if err != nil {
		return false, nil
	}
	ok := st.Mode().IsRegular() && (m.Size < 0 || st.Size() == m.Size)
	if ok && m.isLFS() && !d.cache.verified(m.ETag, st) {
		sum, err := fileSHA256(blob)
		ok = err == nil && sum == m.ETag
		if ok {
			d.cache.markVerified(m.ETag)
		}
	}
	if !ok {
		if err := os.Remove(blob); err != nil {
			return false, fmt.Errorf("hub cache: removing the invalid blob %s: %w", blob, err)
		}
	}
	return ok, nil
}

// download GETs the file into blobs/<etag>.incomplete, resuming a previous partial download with a Range
// request when resume is set, and verifies size and (LFS) sha256. A transfer cut short leaves the
// .incomplete file for a later resume; content that fails verification is removed.
func (d *downloader) download(ctx context.Context, file string, m fileMeta, resume bool) (int64, error) {
	inc := d.cache.incomplete(m.ETag)
	f, err := os.OpenFile(inc, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return 0, d.fileErr(file, err)
	}
	defer f.Close()
	sum := sha256.New()
	offset := int64(0)
	if st, err := f.Stat(); err == nil && resume && m.Size > 0 && st.Size() > 0 && st.Size() < m.Size {
		if _, err := io.CopyN(sum, f, st.Size()); err == nil {
			offset = st.Size()
		} else {
			sum.Reset()
		}
	}
	// A watchdog cancels the request when no byte arrives for stallTimeout.
	reqCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchdog := time.AfterFunc(stallTimeout, cancel)
	defer watchdog.Stop()
	resp, err := d.get(reqCtx, file, m.Location, offset)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		offset = 0
		sum.Reset()
	case http.StatusPartialContent:
		if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != offset {
			return 0, errRestart
		}
	case http.StatusRequestedRangeNotSatisfiable:
		if offset > 0 {
			return 0, errRestart
		}
		fallthrough
	default:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, apiStatusError(resp, body, d.repo, d.rev, file, d.client.token != "")
	}
	if err := f.Truncate(offset); err != nil {
		return 0, d.fileErr(file, err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, d.fileErr(file, err)
	}
	bar := newProgressBar(d.progress, file, m.Size, offset)
	body := &stallReader{r: resp.Body, watchdog: watchdog}
	n, copyErr := io.Copy(io.MultiWriter(f, sum, bar), body)
	bar.finish()
	got := offset + n
	if copyErr == nil {
		copyErr = f.Sync()
	}
	if copyErr != nil {
		if ctx.Err() != nil {
			copyErr = ctx.Err()
		} else if reqCtx.Err() != nil {
			copyErr = fmt.Errorf("no data received for %v", stallTimeout)
		}
		return n, &Error{Repo: d.repo, Revision: d.rev, File: file, Kind: ErrNetwork, Err: copyErr,
			Msg: fmt.Sprintf("download interrupted after %d of %s bytes", got, sizeText(m.Size))}
	}
	return n, d.verify(file, m, got, sum, offset > 0)
}

// verify checks the completed .incomplete file; a failure removes it (a resumed one asks for a restart).
func (d *downloader) verify(file string, m fileMeta, got int64, sum hash.Hash, resumed bool) error {
	inc := d.cache.incomplete(m.ETag)
	if m.Size >= 0 && got < m.Size {
		return &Error{Repo: d.repo, Revision: d.rev, File: file, Kind: ErrNetwork,
			Msg: fmt.Sprintf("download ended early: %d of %d bytes", got, m.Size)}
	}
	var problem string
	if m.Size >= 0 && got != m.Size {
		problem = fmt.Sprintf("size mismatch: got %d bytes, the hub announced %d", got, m.Size)
	} else if m.isLFS() {
		if s := hex.EncodeToString(sum.Sum(nil)); s != m.ETag {
			problem = fmt.Sprintf("sha256 mismatch: got %s, want %s", s, m.ETag)
		}
	}
	if problem == "" {
		return nil
	}
	os.Remove(inc)
	if resumed {
		return errRestart
	}
	return &Error{Repo: d.repo, Revision: d.rev, File: file, Kind: ErrCorrupt,
		Msg: problem + "; the corrupt download was discarded"}
}

// get sends the GET of a file's content (from byte offset when > 0). The token goes only to the hub itself.
func (d *downloader) get(ctx context.Context, file, location string, offset int64) (*http.Response, error) {
	req, err := d.client.newRequest(ctx, http.MethodGet, location)
	if err != nil {
		return nil, d.fileErr(file, err)
	}
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := d.client.do(d.client.client, req)
	if err != nil {
		return nil, &Error{Repo: d.repo, Revision: d.rev, File: file, Kind: ErrNetwork, Err: err}
	}
	return resp, nil
}

func (d *downloader) fileErr(file string, err error) error {
	return &Error{Repo: d.repo, Revision: d.rev, File: file, Err: err}
}

// stallReader restarts the watchdog at every read that brings data.
type stallReader struct {
	r        io.Reader
	watchdog *time.Timer
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.watchdog.Reset(stallTimeout)
	}
	return n, err
}

// contentRangeStart parses "bytes START-END/TOTAL".
func contentRangeStart(h string) (int64, bool) {
	rest, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, false
	}
	startText, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	start, err := strconv.ParseInt(strings.TrimSpace(startText), 10, 64)
	return start, err == nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sizeText(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}
