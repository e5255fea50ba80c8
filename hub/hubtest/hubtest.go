// Package hubtest serves a local stand-in for the HuggingFace hub, as net/http/httptest serves HTTP: the hub's
// URL layout (revision API, resolve URLs with X-Repo-Commit, LFS redirects to a CDN on another host, Range
// requests, private and gated repositories, injectable faults), with no network beyond the loopback. It is the
// fake hub of this module's tests (internal/fakehub), exported for users' tests and for offline demos such
// as notebook 02: point hub.Options.Endpoint, HF_ENDPOINT or go-huggingface's WithEndpoint at Hub.URL.
package hubtest

import "github.com/deberta-go/lab/internal/fakehub"

type (
	// Hub is a running fake hub (see New); Close stops it.
	Hub = fakehub.Hub
	// Repo is a repository of the fake hub: Commit adds files.
	Repo = fakehub.Repo
	// Fault makes matching requests misbehave (Hub.AddFault).
	Fault = fakehub.Fault
	// Request is one logged request (Hub.Requests).
	Request = fakehub.Request
)

var (
	// New starts a fake hub.
	New = fakehub.New
	// ReadDir reads the files of checkpoint folders, to Commit.
	ReadDir = fakehub.ReadDir
)
