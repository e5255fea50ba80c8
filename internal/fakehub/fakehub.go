package fakehub

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Hub is a running fake hub. Its fields may be set before the first request.
type Hub struct {
	// URL is the endpoint to give clients (HF_ENDPOINT).
	URL string
	// Token is the token that opens Private and Gated repositories ("Authorization: Bearer <Token>").
	Token string
	// LFS says which files are stored by LFS (redirected to the CDN, sha256 ETag); nil means IsLFS.
	LFS func(name string) bool
	// CDNURL is where LFS files are served: another host (a second server, on another port) than URL, as
	// the real hub's CDN, so that tests see where the token goes.
	CDNURL string
	// SchemeRelativeCDN makes the LFS redirects "//host:port/cdn/…" (no scheme, but a host: not a relative
	// redirect for huggingface_hub).
	SchemeRelativeCDN bool

	srv, cdn *httptest.Server
	cdnHost  string
	renamed  map[string]string // old repository id → new one
	mu       sync.Mutex
	repos    map[string]*Repo
	blobs    map[string]blob // sha256 → content, for /cdn/
	faults   []*Fault
	log      []Request
	seq      int
}

type blob struct {
	data []byte
	name string
}

// Repo is a repository of the fake hub.
type Repo struct {
	ID string
	// Private repositories answer 401 without the hub's token; Gated ones 401 without a token, 403 with another.
	Private, Gated bool

	hub     *Hub
	commits map[string]map[string][]byte // commit sha → files
	refs    map[string]string            // branch or tag → commit sha
}

// New starts a fake hub; Close stops it.
func New() *Hub {
	h := &Hub{repos: map[string]*Repo{}, blobs: map[string]blob{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serve))
	h.URL, h.CDNURL = h.srv.URL, h.cdn.URL
	h.cdnHost = strings.TrimPrefix(h.CDNURL, "http://")
	return h
}

// Close shuts the servers down: later requests fail to connect.
func (h *Hub) Close() {
	h.srv.Close()
	h.cdn.Close()
}

// Repo returns the repository id ("owner/name"), creating an empty one the first time.
func (h *Hub) Repo(id string) *Repo {
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.repos[id]
	if !ok {
		r = &Repo{ID: id, hub: h, commits: map[string]map[string][]byte{}, refs: map[string]string{}}
		h.repos[id] = r
	}
	return r
}

// Commit adds a commit holding files (name → content; names may contain "/") and points the given
// branches or tags at it. It returns the commit's 40-hex sha.
func (r *Repo) Commit(files map[string][]byte, refs ...string) string {
	h := r.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	sum := sha1.New()
	fmt.Fprintf(sum, "%s\x00%d\x00", r.ID, h.seq)
	snapshot := map[string][]byte{}
	for _, n := range names {
		data := slices.Clone(files[n])
		snapshot[n] = data
		fmt.Fprintf(sum, "%s\x00%s\x00", n, GitBlobSHA1(data))
		if h.isLFS(n) {
			h.blobs[SHA256(data)] = blob{data: data, name: n}
		}
	}
	sha := hex.EncodeToString(sum.Sum(nil))
	r.commits[sha] = snapshot
	for _, ref := range refs {
		r.refs[ref] = sha
	}
	return sha
}

// Rename makes the resolve URLs of repository from answer 307 with a relative Location (no host) to those
// of to, as the hub does for renamed repositories.
func (h *Hub) Rename(from, to string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.renamed == nil {
		h.renamed = map[string]string{}
	}
	h.renamed[from] = to
}

// SetRef points a branch or tag at a commit.
func (r *Repo) SetRef(ref, commit string) {
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	r.refs[ref] = commit
}

// resolve returns the commit of a branch, tag or commit sha.
func (r *Repo) resolve(rev string) (string, bool) {
	if sha, ok := r.refs[rev]; ok {
		return sha, true
	}
	if _, ok := r.commits[rev]; ok {
		return rev, true
	}
	return "", false
}

// ReadDir reads the regular files of folders into one map (a later folder's file wins), e.g. a fixture
// checkpoint folder, to Commit.
func ReadDir(dirs ...string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, dir := range dirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			files[e.Name()] = b
		}
	}
	return files, nil
}

// IsLFS is the default LFS rule, after the .gitattributes the hub gives new repositories.
func IsLFS(name string) bool {
	for _, ext := range []string{".safetensors", ".bin", ".model", ".h5", ".msgpack", ".pt", ".pth", ".onnx", ".ckpt"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func (h *Hub) isLFS(name string) bool {
	if h.LFS != nil {
		return h.LFS(name)
	}
	return IsLFS(name)
}

// GitBlobSHA1 is git's object id of a file: the ETag the hub gives small files.
func GitBlobSHA1(data []byte) string {
	s := sha1.New()
	fmt.Fprintf(s, "blob %d\x00", len(data))
	s.Write(data)
	return hex.EncodeToString(s.Sum(nil))
}

// SHA256 is the hex sha256 of data: the ETag of LFS files.
func SHA256(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// Fault makes matching requests misbehave.
type Fault struct {
	// Kind ("api", "resolve", "cdn") and File (a repository file name) select the requests; "" matches all.
	Kind, File string
	// Method selects the method ("GET", "HEAD"); "" matches all.
	Method string
	// Status answers with this HTTP status instead (e.g. 500).
	Status int
	// TruncateAfter > 0 sends only that many bytes of a file's content, then drops the connection.
	TruncateAfter int64
	// Stall, with TruncateAfter, holds the connection open after those bytes, sending nothing more until the
	// client gives up (tests of stall timeouts).
	Stall bool
	// Corrupt flips one byte of a file's content (size and ETag unchanged).
	Corrupt bool
	// RetryAfter, with Status, is sent as the Retry-After header (seconds).
	RetryAfter string
	// Times is how many requests the fault hits; 0 means every one.
	Times int
}

// AddFault installs a fault; faults are tried in the order added.
func (h *Hub) AddFault(f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &f)
}

// ClearFaults removes all faults.
func (h *Hub) ClearFaults() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = nil
}

// takeFault returns the first fault matching the request and uses one of its Times: a Status fault, or
// with content set, a fault that spoils the body of a file.
func (h *Hub) takeFault(req Request, content bool) *Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, f := range h.faults {
		if (f.Kind != "" && f.Kind != req.Kind) || (f.File != "" && f.File != req.File) ||
			(f.Method != "" && f.Method != req.Method) {
			continue
		}
		if (f.Status != 0) == content {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				h.faults = slices.Delete(h.faults, i, i+1)
			}
		}
		return f
	}
	return nil
}

// Request is one logged request.
type Request struct {
	Method string
	// Kind is "api", "resolve", "cdn" or "other".
	Kind string
	// Repo, Revision and File as asked (File of a CDN request is the LFS file's name).
	Repo, Revision, File string
	// Range and Authorization are the request's headers.
	Range, Authorization string
	// Status is the answer's status.
	Status int
}

// Requests returns a copy of the request log.
func (h *Hub) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.log)
}

// ResetRequests empties the request log.
func (h *Hub) ResetRequests() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = nil
}

// Count returns how many logged requests match.
func (h *Hub) Count(match func(Request) bool) int {
	n := 0
	for _, r := range h.Requests() {
		if match(r) {
			n++
		}
	}
	return n
}

// ContentGETs counts the GETs that fetch the content of a file (resolve or CDN); "" counts every file.
func (h *Hub) ContentGETs(file string) int {
	return h.Count(func(r Request) bool {
		return r.Method == http.MethodGet && (r.Kind == "resolve" || r.Kind == "cdn") && (file == "" || r.File == file) &&
			r.Status != http.StatusFound
	})
}
