package fakehub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// statusWriter records the status of an answer and can cut its body short.
type statusWriter struct {
	http.ResponseWriter
	status int
	left   int64           // bytes still allowed when truncating; < 0: no limit
	stall  <-chan struct{} // when set, wait for it instead of dropping the connection
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.left < 0 || int64(len(b)) <= w.left {
		if w.left >= 0 {
			w.left -= int64(len(b))
		}
		return w.ResponseWriter.Write(b)
	}
	_, _ = w.ResponseWriter.Write(b[:w.left])
	w.left = 0
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	if w.stall != nil {
		<-w.stall
	}
	// Drop the connection mid-body: the client sees fewer bytes than Content-Length announced.
	panic(http.ErrAbortHandler)
}

func (h *Hub) serve(w http.ResponseWriter, r *http.Request) {
	req := parseRequest(r)
	sw := &statusWriter{ResponseWriter: w, left: -1}
	defer func() {
		h.mu.Lock()
		req.Status = sw.status
		h.log = append(h.log, req)
		h.mu.Unlock()
	}()
	if f := h.takeFault(req, false); f != nil {
		if f.RetryAfter != "" {
			sw.Header().Set("Retry-After", f.RetryAfter)
		}
		hubError(sw, f.Status, "", fmt.Sprintf("injected fault: HTTP %d", f.Status))
		return
	}
	if req.Kind == "cdn" && r.Host != h.cdnHost || req.Kind != "cdn" && r.Host == h.cdnHost {
		hubError(sw, http.StatusNotFound, "", "wrong host for "+req.Kind)
		return
	}
	switch req.Kind {
	case "api":
		h.serveAPI(sw, r, req)
	case "resolve":
		h.serveResolve(sw, r, req)
	case "cdn":
		h.serveCDN(sw, r, req)
	default:
		hubError(sw, http.StatusNotFound, "", "not found")
	}
}

// parseRequest splits the URL into kind, repository, revision and file.
func parseRequest(r *http.Request) Request {
	req := Request{Method: r.Method, Kind: "other", Range: r.Header.Get("Range"), Authorization: r.Header.Get("Authorization")}
	var segs []string
	for _, s := range strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			return req
		}
		segs = append(segs, u)
	}
	switch {
	case len(segs) >= 5 && segs[0] == "api" && segs[1] == "models" && segs[4] == "revision":
		req.Kind, req.Repo = "api", segs[2]+"/"+segs[3]
		req.Revision = strings.Join(segs[5:], "/")
	case len(segs) == 4 && segs[0] == "api" && segs[1] == "models":
		req.Kind, req.Repo, req.Revision = "api", segs[2]+"/"+segs[3], "main"
	case len(segs) == 2 && segs[0] == "cdn":
		req.Kind, req.Revision, req.File = "cdn", segs[1], r.URL.Query().Get("name")
	case len(segs) >= 5 && segs[2] == "resolve":
		req.Kind, req.Repo, req.Revision = "resolve", segs[0]+"/"+segs[1], segs[3]
		req.File = strings.Join(segs[4:], "/")
	}
	return req
}

// hubError answers like the hub: status, X-Error-Code, X-Error-Message and a JSON {"error": msg}.
func hubError(w http.ResponseWriter, status int, code, msg string) {
	if code != "" {
		w.Header().Set("X-Error-Code", code)
	}
	w.Header().Set("X-Error-Message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// repoFor finds the repository and checks the request's token; it answers the error itself.
func (h *Hub) repoFor(w http.ResponseWriter, r *http.Request, req Request) (*Repo, map[string][]byte, string, bool) {
	h.mu.Lock()
	repo, ok := h.repos[req.Repo]
	h.mu.Unlock()
	authorized := h.Token != "" && r.Header.Get("Authorization") == "Bearer "+h.Token
	switch {
	case !ok:
		hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
		return nil, nil, "", false
	case repo.Private && !authorized:
		hubError(w, http.StatusUnauthorized, "RepoNotFound", "Invalid username or password.")
		return nil, nil, "", false
	case repo.Gated && r.Header.Get("Authorization") == "":
		hubError(w, http.StatusUnauthorized, "GatedRepo", fmt.Sprintf(
			"Cannot access gated repo for url %s. Access to model %s is restricted. You must be authenticated to access it.",
			r.URL, repo.ID))
		return nil, nil, "", false
	case repo.Gated && !authorized:
		hubError(w, http.StatusForbidden, "GatedRepo", fmt.Sprintf(
			"Access to model %s is restricted and you are not in the authorized list. Visit https://huggingface.co/%s to ask for access.",
			repo.ID, repo.ID))
		return nil, nil, "", false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	sha, ok := repo.resolve(req.Revision)
	if !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+req.Revision)
		return nil, nil, "", false
	}
	return repo, repo.commits[sha], sha, true
}

func (h *Hub) serveAPI(w http.ResponseWriter, r *http.Request, req Request) {
	if r.Method != http.MethodGet {
		hubError(w, http.StatusMethodNotAllowed, "", "method not allowed")
		return
	}
	repo, files, sha, ok := h.repoFor(w, r, req)
	if !ok {
		return
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	siblings := make([]map[string]string, len(names))
	for i, n := range names {
		siblings[i] = map[string]string{"rfilename": n}
	}
	gated := any(false)
	if repo.Gated {
		gated = "manual"
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"_id": "fake" + sha[:8], "id": repo.ID, "modelId": repo.ID, "sha": sha, "private": repo.Private,
		"gated": gated, "siblings": siblings, "lastModified": "2024-01-01T00:00:00.000Z",
	})
}

func (h *Hub) serveResolve(w *statusWriter, r *http.Request, req Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hubError(w, http.StatusMethodNotAllowed, "", "method not allowed")
		return
	}
	h.mu.Lock()
	to, renamed := h.renamed[req.Repo]
	h.mu.Unlock()
	if renamed {
		w.Header().Set("Location", strings.Replace(r.URL.EscapedPath(), "/"+req.Repo+"/", "/"+to+"/", 1))
		w.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	_, files, sha, ok := h.repoFor(w, r, req)
	if !ok {
		return
	}
	data, ok := files[req.File]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", fmt.Sprintf("%s does not exist on %q", req.File, req.Revision))
		return
	}
	w.Header().Set("X-Repo-Commit", sha)
	if h.isLFS(req.File) {
		sum := SHA256(data)
		w.Header().Set("X-Linked-Etag", `"`+sum+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(data)))
		w.Header().Set("ETag", `"`+GitBlobSHA1([]byte("version https://git-lfs.github.com/spec/v1\noid sha256:"+sum))+`"`)
		loc := "//" + h.cdnHost + "/cdn/" + sum + "?name=" + url.QueryEscape(req.File)
		if !h.SchemeRelativeCDN {
			loc = "http:" + loc
		}
		w.Header().Set("Location", loc)
		w.WriteHeader(http.StatusFound)
		return
	}
	h.serveContent(w, r, req, data, GitBlobSHA1(data))
}

func (h *Hub) serveCDN(w *statusWriter, r *http.Request, req Request) {
	h.mu.Lock()
	b, ok := h.blobs[req.Revision]
	h.mu.Unlock()
	if !ok {
		hubError(w, http.StatusNotFound, "", "no such object")
		return
	}
	if req.File == "" {
		req.File = b.name
	}
	h.serveContent(w, r, req, b.data, req.Revision)
}

// serveContent sends a file's bytes (HEAD, GET, Range) with the content faults applied.
func (h *Hub) serveContent(w *statusWriter, r *http.Request, req Request, data []byte, etag string) {
	w.Header().Set("ETag", `"`+etag+`"`)
	w.Header().Set("Accept-Ranges", "bytes")
	if f := h.takeFault(req, r.Method == http.MethodGet); f != nil {
		if f.Corrupt && len(data) > 0 {
			data = slices.Clone(data)
			data[len(data)/2] ^= 0xff
		}
		if f.TruncateAfter > 0 {
			w.left = f.TruncateAfter
			if f.Stall {
				w.stall = r.Context().Done()
			}
		}
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
