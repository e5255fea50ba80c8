package hub

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors of hub loading, for errors.Is on what ResolvePretrained and OpenPretrained return.
var (
	ErrAuth             = errors.New("authentication required")
	ErrGated            = errors.New("gated repository")
	ErrRepoNotFound     = errors.New("repository not found")
	ErrRevisionNotFound = errors.New("revision not found")
	ErrFileNotFound     = errors.New("file not found in the repository")
	ErrNetwork          = errors.New("network failure")
	ErrOffline          = errors.New("offline and not in the cache")
	ErrCorrupt          = errors.New("download failed verification")
)

// Error is an error of the hub naming the repository, revision and (when known) file. Its message never
// contains the token.
type Error struct {
	Repo, Revision, File string
	// Status is the HTTP status (0 when the request got no answer).
	Status int
	// Kind is one of the Err* sentinels above (nil for other HTTP errors).
	Kind error
	// Msg is the explanation; Err the underlying error, if any.
	Msg string
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("hub ")
	b.WriteString(e.Repo)
	if e.Revision != "" {
		b.WriteString("@" + e.Revision)
	}
	if e.File != "" {
		b.WriteString(": " + e.File)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.Kind == ErrNetwork {
		b.WriteString(" (set HF_HUB_OFFLINE=1 to use the cache)")
	}
	return b.String()
}

// Unwrap gives both the kind (errors.Is(err, ErrGated), ...) and the cause.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Kind != nil {
		out = append(out, e.Kind)
	}
	if e.Err != nil {
		out = append(out, e.Err)
	}
	return out
}

// apiStatusError maps a non-2xx answer of the hub to a Error. The hub's X-Error-Code header
// (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and, for the revision API, its JSON error text
// say which 404 it is. tokenSent says whether the request carried a token.
func apiStatusError(resp *http.Response, body []byte, repo, rev, file string, tokenSent bool) *Error {
	e := &Error{Repo: repo, Revision: rev, File: file, Status: resp.StatusCode}
	code := resp.Header.Get("X-Error-Code")
	serverMsg := resp.Header.Get("X-Error-Message")
	switch {
	case resp.StatusCode == http.StatusUnauthorized && code == "GatedRepo":
		e.Kind = ErrGated
		e.Msg = "gated: accept the conditions on the model page and set HF_TOKEN to a token of that account"
	case resp.StatusCode == http.StatusUnauthorized:
		e.Kind = ErrAuth
		if tokenSent {
			e.Msg = "authentication required: set HF_TOKEN to a token with access to this repository " +
				"(the token sent was rejected, or the repository is private or does not exist)"
		} else {
			e.Msg = "authentication required: set HF_TOKEN (the repository is private, or does not exist)"
		}
	case resp.StatusCode == http.StatusForbidden:
		e.Kind = ErrGated
		if code == "GatedRepo" || strings.Contains(strings.ToLower(serverMsg), "gated") || strings.Contains(strings.ToLower(string(body)), "gated") {
			e.Msg = "gated: accept the conditions on the model page and set HF_TOKEN"
		} else {
			e.Msg = "access denied: if the model is gated, accept the conditions on the model page and set HF_TOKEN " +
				"to a token with read access"
		}
	case resp.StatusCode == http.StatusNotFound:
		lower := strings.ToLower(string(body))
		switch {
		case code == "RevisionNotFound" || strings.Contains(lower, "invalid rev id") || strings.Contains(lower, "revision not found"):
			e.Kind, e.Msg = ErrRevisionNotFound, "revision not found (check the branch, tag or commit)"
		case code == "EntryNotFound" || (file != "" && code != "RepoNotFound"):
			e.Kind, e.Msg = ErrFileNotFound, "file not found in the repository"
		default:
			e.Kind, e.Msg = ErrRepoNotFound, "repository not found (check the name, or it is private)"
		}
	case resp.StatusCode == http.StatusTooManyRequests:
		e.Kind = ErrNetwork
		e.Msg = "rate-limited by the hub (retries exhausted; try later, or set HF_TOKEN: logged-in limits are higher): " + serverText(serverMsg, body)
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout:
		e.Kind = ErrNetwork
		e.Msg = "the hub is unavailable: " + serverText(serverMsg, body)
	default:
		e.Msg = serverText(serverMsg, body)
	}
	return e
}

// serverText is the server's explanation, kept short and on one line.
func serverText(headerMsg string, body []byte) string {
	s := headerMsg
	if s == "" {
		s = string(body)
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "unexpected answer"
	}
	return s
}

// isNetworkFailure reports whether err means the hub could not be reached or answered with a server error,
// the cases where a cached snapshot may stand in.
func isNetworkFailure(err error) bool {
	return errors.Is(err, ErrNetwork)
}

// redactedError hides the token in an error message while keeping the error chain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// minRedactLen is the shortest token redact hides: shorter strings (no real hub token is) would garble
// ordinary words of the message.
const minRedactLen = 8

// redact returns err with every occurrence of token in its message replaced, a last guard so that no
// error of this package ever shows the token.
func redact(err error, token string) error {
	if err == nil || len(token) < minRedactLen || !strings.Contains(err.Error(), token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), token, "[token hidden]"), err: err}
}
