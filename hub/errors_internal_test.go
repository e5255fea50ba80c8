package hub

import (
	"errors"
	"strings"
	"testing"
)

// TestRedactHidesToken: the last guard replaces the token in a message and keeps the error chain.
func TestRedactHidesToken(t *testing.T) {
	const tok = "hf_abcdefghijklmnop"
	base := &Error{Repo: "o/n", Revision: "main", Kind: ErrAuth, Msg: "server said: bad token " + tok}
	err := redact(base, tok)
	if strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "[token hidden]") {
		t.Errorf("redacted message %q", err)
	}
	if !errors.Is(err, ErrAuth) {
		t.Error("redact lost the error kind")
	}
	if redact(base, "") != error(base) || redact(nil, tok) != nil {
		t.Error("redact changed an error without a token to hide")
	}
}

// TestNormalizeETag: weak prefixes and quotes go, as in huggingface_hub.
func TestNormalizeETag(t *testing.T) {
	for in, want := range map[string]string{`"abc"`: "abc", `W/"abc"`: "abc", "abc": "abc", ` "x" `: "x"} {
		if got := normalizeETag(in); got != want {
			t.Errorf("normalizeETag(%q) = %q, want %q", in, got, want)
		}
	}
}
