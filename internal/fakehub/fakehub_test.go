package fakehub

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// noFollow does not follow redirects, to see the hub's own answers.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func do(t *testing.T, method, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestHubAnswers checks the fake hub against the real hub's protocol, independently of any client.
func TestHubAnswers(t *testing.T) {
	h := New()
	defer h.Close()
	h.Token = "secret-token"
	weights := []byte("0123456789abcdef")
	config := []byte(`{"a": 1}`)
	sha := h.Repo("o/n").Commit(map[string][]byte{"config.json": config, "model.safetensors": weights}, "main")
	p := h.Repo("o/private")
	p.Private = true
	p.Commit(map[string][]byte{"config.json": config}, "main")

	resp, body := do(t, "GET", h.URL+"/api/models/o/n/revision/main", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"sha":"`+sha+`"`) || !strings.Contains(string(body), `{"rfilename":"model.safetensors"}`) {
		t.Errorf("api: %d %s", resp.StatusCode, body)
	}
	resp, _ = do(t, "HEAD", h.URL+"/o/n/resolve/main/config.json", nil)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+GitBlobSHA1(config)+`"` || resp.Header.Get("X-Repo-Commit") != sha ||
		resp.ContentLength != int64(len(config)) {
		t.Errorf("HEAD small file: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, "HEAD", h.URL+"/o/n/resolve/"+sha+"/model.safetensors", nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 302 || resp.Header.Get("X-Linked-Etag") != `"`+SHA256(weights)+`"` ||
		resp.Header.Get("X-Linked-Size") != strconv.Itoa(len(weights)) || loc == "" {
		t.Errorf("HEAD LFS file: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = do(t, "GET", loc, map[string]string{"Range": "bytes=10-"})
	if resp.StatusCode != 206 || string(body) != "abcdef" {
		t.Errorf("CDN range: %d %q", resp.StatusCode, body)
	}
	h.AddFault(Fault{Kind: "cdn", TruncateAfter: 4, Times: 1})
	if r, err := http.Get(loc); err == nil {
		b, rerr := io.ReadAll(r.Body)
		r.Body.Close()
		if rerr == nil || len(b) != 4 {
			t.Errorf("truncated body: %q, %v", b, rerr)
		}
	}
	for _, c := range []struct {
		url, auth, code string
		status          int
	}{
		{"/api/models/o/private/revision/main", "", "RepoNotFound", 401},
		{"/api/models/o/private/revision/main", "Bearer secret-token", "", 200},
		{"/api/models/o/none/revision/main", "", "RepoNotFound", 404},
		{"/api/models/o/n/revision/v9", "", "RevisionNotFound", 404},
		{"/o/n/resolve/main/nothing.txt", "", "EntryNotFound", 404},
	} {
		resp, _ := do(t, "GET", h.URL+c.url, map[string]string{"Authorization": c.auth})
		if resp.StatusCode != c.status || resp.Header.Get("X-Error-Code") != c.code {
			t.Errorf("%s: %d %q, want %d %q", c.url, resp.StatusCode, resp.Header.Get("X-Error-Code"), c.status, c.code)
		}
	}
	if n := h.ContentGETs("model.safetensors"); n != 2 {
		t.Errorf("ContentGETs = %d, want 2", n)
	}
}
