package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// hubUserAgent identifies our requests to the hub.
const hubUserAgent = "deberta-go-lab/checkpoints (go-http; hub loader)"

// hubClient talks to the hub's HTTP API: the revision API, and HEAD/GET of resolve URLs.
type hubClient struct {
	endpoint string // without a trailing "/"
	host     string // endpoint's host: the token is only sent there
	token    string
	client   *http.Client // follows redirects (API, downloads)
	noFollow *http.Client // stops at the first redirect (HEAD of resolve URLs)
	// retries and retryWait: see do.
	retries   int
	retryWait time.Duration
}

func newHubClient(h Options) (*hubClient, error) {
	u, err := url.Parse(h.Endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("hub endpoint %q is not an absolute URL (check HF_ENDPOINT)", h.Endpoint)
	}
	client := h.HTTPClient
	if client == nil {
		client = &http.Client{}
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			tr := dt.Clone()
			tr.ResponseHeaderTimeout = 60 * time.Second
			tr.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
			client.Transport = tr
		}
	}
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &hubClient{endpoint: h.Endpoint, host: u.Host, token: h.Token, client: client, noFollow: &noFollow}
	c.retries, c.retryWait = retryPolicy(h)
	return c, nil
}

// newRequest builds a request with our headers; the token goes only to the endpoint's host.
func (c *hubClient) newRequest(ctx context.Context, method, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", hubUserAgent)
	// identity: sizes are those of the files, and Go does not decompress behind our back.
	req.Header.Set("Accept-Encoding", "identity")
	if c.token != "" && req.URL.Host == c.host {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// repoInfo is the part of the hub's model info that we use.
type repoInfo struct {
	SHA      string `json:"sha"`
	Siblings []struct {
		RFilename string `json:"rfilename"`
	} `json:"siblings"`
}

// files lists the repository's file names.
func (ri *repoInfo) files() []string {
	out := make([]string, 0, len(ri.Siblings))
	for _, s := range ri.Siblings {
		out = append(out, s.RFilename)
	}
	return out
}

// repoInfo fetches {endpoint}/api/models/{repo}/revision/{rev}: the commit sha and the file list.
func (c *hubClient) repoInfo(ctx context.Context, repo, rev string) (*repoInfo, error) {
	u := fmt.Sprintf("%s/api/models/%s/revision/%s", c.endpoint, repo, url.PathEscape(rev))
	req, err := c.newRequest(ctx, http.MethodGet, u)
	if err != nil {
		return nil, &Error{Repo: repo, Revision: rev, Err: err}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.do(c.client, req)
	if err != nil {
		return nil, &Error{Repo: repo, Revision: rev, Kind: ErrNetwork, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, &Error{Repo: repo, Revision: rev, Kind: ErrNetwork, Msg: "reading the repository info", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, apiStatusError(resp, body, repo, rev, "", c.token != "")
	}
	var ri repoInfo
	if err := json.Unmarshal(body, &ri); err != nil {
		return nil, &Error{Repo: repo, Revision: rev, Msg: "the repository info is not valid JSON", Err: err}
	}
	if !IsCommitSHA(ri.SHA) {
		return nil, &Error{Repo: repo, Revision: rev, Msg: fmt.Sprintf("the repository info has no valid commit sha (got %q)", ri.SHA)}
	}
	for _, f := range ri.files() {
		if err := ValidateFileName(f); err != nil {
			return nil, &Error{Repo: repo, Revision: rev, Err: err}
		}
	}
	return &ri, nil
}

// fileMeta is what a HEAD of a resolve URL says about a file.
type fileMeta struct {
	Commit   string // X-Repo-Commit
	ETag     string // normalised: X-Linked-Etag (LFS: the sha256) or ETag (git blob sha1)
	Size     int64  // X-Linked-Size or Content-Length; -1 when unknown
	Location string // where to GET the content (the CDN for LFS files), absolute
}

// isLFS reports whether the file is stored by LFS: its ETag is a sha256, which downloads are checked against.
func (m fileMeta) isLFS() bool { return isSHA256(m.ETag) }

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// resolveURL is {endpoint}/{repo}/resolve/{rev}/{file}.
func (c *hubClient) resolveURL(repo, rev, file string) string {
	parts := strings.Split(file, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return fmt.Sprintf("%s/%s/resolve/%s/%s", c.endpoint, repo, url.PathEscape(rev), strings.Join(parts, "/"))
}

// head asks the hub about one file at a revision. Like huggingface_hub, it follows relative redirects (a
// Location without a host: renamed repositories) and stops at the first one to another host (LFS files
// redirect to their CDN), whose headers carry the linked ETag and size.
func (c *hubClient) head(ctx context.Context, repo, rev, file string) (fileMeta, error) {
	u := c.resolveURL(repo, rev, file)
	for range 5 {
		req, err := c.newRequest(ctx, http.MethodHead, u)
		if err != nil {
			return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Err: err}
		}
		resp, err := c.do(c.noFollow, req)
		if err != nil {
			return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Kind: ErrNetwork, Err: err}
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc := resp.Header.Get("Location")
			target, perr := url.Parse(loc)
			if loc == "" || perr != nil {
				return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Status: resp.StatusCode, Msg: "redirect without a valid Location"}
			}
			next := req.URL.ResolveReference(target)
			if target.Host == "" {
				u = next.String() // relative redirect (no host, as huggingface_hub decides): the same hub, e.g. a renamed repository
				continue
			}
			return c.metaFrom(resp, next.String(), repo, rev, file)
		}
		if resp.StatusCode != http.StatusOK {
			return fileMeta{}, apiStatusError(resp, nil, repo, rev, file, c.token != "")
		}
		return c.metaFrom(resp, u, repo, rev, file)
	}
	return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Msg: "too many redirects"}
}

func (c *hubClient) metaFrom(resp *http.Response, location, repo, rev, file string) (fileMeta, error) {
	m := fileMeta{Commit: resp.Header.Get("X-Repo-Commit"), Location: location, Size: -1}
	etag := resp.Header.Get("X-Linked-Etag")
	if etag == "" {
		etag = resp.Header.Get("ETag")
	}
	m.ETag = normalizeETag(etag)
	if !repoNamePart.MatchString(m.ETag) || strings.Trim(m.ETag, ".") == "" {
		return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Status: resp.StatusCode,
			Msg: fmt.Sprintf("the hub gave no usable ETag (%q): cannot cache the file", etag)}
	}
	if s := resp.Header.Get("X-Linked-Size"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fileMeta{}, &Error{Repo: repo, Revision: rev, File: file, Msg: fmt.Sprintf("bad X-Linked-Size %q", s)}
		}
		m.Size = n
	} else if resp.StatusCode == http.StatusOK && resp.ContentLength >= 0 {
		m.Size = resp.ContentLength
	}
	return m, nil
}

// normalizeETag strips the weak prefix and quotes, as huggingface_hub does.
func normalizeETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// ValidateFileName refuses repository file names that would escape the snapshot folder.
func ValidateFileName(name string) error {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsRune(name, '\\') || strings.ContainsRune(name, 0) {
		return fmt.Errorf("the repository lists an unsafe file name %q", name)
	}
	for _, p := range strings.Split(name, "/") {
		if p == "" || p == "." || p == ".." {
			return fmt.Errorf("the repository lists an unsafe file name %q", name)
		}
	}
	return nil
}
