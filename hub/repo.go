package hub

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Repo is one hub repository at one revision. Fetch puts files into the cache (or finds them there) and the
// first answer of the hub fixes the commit the revision resolved to; later files come from that same commit.
// A Repo is not safe for concurrent use.
type Repo struct {
	id, rev string
	opts    Options
	cache   hubCache
	client  *hubClient
	commit  string
	// fromCache: every Fetch reads the cache only (offline mode, or the fallback after a network failure).
	fromCache  bool
	warning    string
	downloaded []string
	bytes      int64
}

// NewRepo prepares access to repository id ("owner/name") at revision rev (a branch, tag or 40-hex commit;
// "" means o.Revision, else main). Zero fields of o take the environment's values (Options.WithDefaults).
// Nothing is requested yet.
func NewRepo(id, rev string, o Options) (*Repo, error) {
	if err := validateRepoID(id); err != nil {
		return nil, err
	}
	if rev == "" {
		rev = o.Revision
	}
	if rev == "" {
		rev = "main"
	}
	if err := validateRevision(rev); err != nil {
		return nil, err
	}
	o = o.WithDefaults()
	cache, err := newHubCache(o.CacheDir, id)
	if err != nil {
		return nil, &Error{Repo: id, Revision: rev, Err: err}
	}
	return &Repo{id: id, rev: rev, opts: o, cache: cache, fromCache: o.Offline}, nil
}

// ID is the repository id, Revision the revision asked for.
func (r *Repo) ID() string       { return r.id }
func (r *Repo) Revision() string { return r.rev }

// Options are the settings in use, environment defaults applied.
func (r *Repo) Options() Options { return r.opts }

// Commit is the 40-hex commit the revision resolved to ("" before the first answer).
func (r *Repo) Commit() string { return r.commit }

// Dir is the snapshot folder of Commit in the cache ("" before the commit is known).
func (r *Repo) Dir() string {
	if r.commit == "" {
		return ""
	}
	return r.cache.snapshotDir(r.commit)
}

// FromCache reports whether the files come from the cache only (offline mode, or the fallback after a
// network failure, which Warning then explains).
func (r *Repo) FromCache() bool { return r.fromCache }

// Warning explains a fallback to the cache ("" when there was none).
func (r *Repo) Warning() string { return r.warning }

// Downloaded lists the files downloaded so far and their total size in bytes.
func (r *Repo) Downloaded() ([]string, int64) { return r.downloaded, r.bytes }

// IsCommitSHA reports whether rev is a full 40-hex commit id.
func IsCommitSHA(rev string) bool { return commitSHA.MatchString(rev) }

// UseCache resolves the revision from the cache alone (refs/<rev>, or the commit's snapshot folder); every
// later Fetch then reads the cache only.
func (r *Repo) UseCache() error {
	commit, err := r.cache.commitOf(r.rev)
	if err != nil {
		return r.NotCached(err)
	}
	r.commit, r.fromCache = commit, true
	return nil
}

// FallBack switches to the cache after err, when the cache knows the revision (at the commit already fixed,
// if any) and err is a network failure (the hub unreachable, or a 5xx answer) or a refusal (401, 403: a
// stale token must not break a fully cached model); it returns whether it did, and then sets Warning (also
// written to Options.Progress). Fetch calls it itself.
func (r *Repo) FallBack(ctx context.Context, err error) bool {
	refused := errors.Is(err, ErrAuth) || errors.Is(err, ErrGated)
	if (!errors.Is(err, ErrNetwork) && !refused) || ctx.Err() != nil || r.fromCache {
		return false
	}
	commit, cerr := r.cache.commitOf(r.rev)
	if cerr != nil || (r.commit != "" && commit != r.commit) {
		return false
	}
	what := "cannot reach the hub"
	if refused {
		what = "the hub refused access"
	}
	r.commit, r.fromCache = commit, true
	r.warning = redact(fmt.Errorf("warning: hub %s@%s: %s (%v): using the cached snapshot %s", r.id, r.rev, what, err, commit), r.opts.Token).Error()
	if r.opts.Progress != nil {
		fmt.Fprintln(r.opts.Progress, r.warning)
	}
	return true
}

// NotCached is the error of a load the cache cannot serve (offline, or after a network failure), err saying
// what is missing.
func (r *Repo) NotCached(err error) error {
	msg := "the cache " + r.opts.CacheDir + " cannot serve it"
	if r.opts.Offline {
		msg = "offline mode (HF_HUB_OFFLINE or Options.Offline) and " + msg
	}
	return &Error{Repo: r.id, Revision: r.rev, Kind: ErrOffline, Msg: msg, Err: err}
}

// Files lists the repository's files with the revision API ({endpoint}/api/models/{repo}/revision/{rev}),
// which also fixes the commit.
func (r *Repo) Files(ctx context.Context) ([]string, error) {
	c, err := r.httpClient()
	if err != nil {
		return nil, err
	}
	info, err := c.repoInfo(ctx, r.id, r.rev)
	if err != nil {
		return nil, redact(err, r.opts.Token)
	}
	if r.commit != "" && info.SHA != r.commit {
		return nil, &Error{Repo: r.id, Revision: r.rev, Msg: fmt.Sprintf("the revision moved from %s to %s during the load", r.commit, info.SHA)}
	}
	r.commit = info.SHA
	return info.files(), nil
}

func (r *Repo) httpClient() (*hubClient, error) {
	if r.client == nil {
		c, err := newHubClient(r.opts)
		if err != nil {
			return nil, &Error{Repo: r.id, Revision: r.rev, Err: err}
		}
		r.client = c
	}
	return r.client, nil
}

// Cached returns the path of file in the snapshot of Commit when it is there (a dangling link is not).
func (r *Repo) Cached(file string) (string, bool) {
	if r.commit == "" || ValidateFileName(file) != nil {
		return "", false
	}
	p := r.cache.snapshotFile(r.commit, file)
	st, err := os.Stat(p)
	return p, err == nil && st.Mode().IsRegular()
}

// Fetch makes the snapshot folder of the commit hold file, verified, and returns its path: from the cache
// when serving from it, else after a HEAD of the file's resolve URL, reusing a verified cached blob or
// downloading it (resumed, verified, then renamed into place). When the hub cannot be reached or refuses
// access and the cache knows the revision, it serves the cache from then on (see FallBack). A file the
// repository lacks gives an error matching ErrFileNotFound (ErrOffline when serving from the cache).
func (r *Repo) Fetch(ctx context.Context, file string) (string, error) {
	p, err := r.fetch(ctx, file)
	if err != nil && r.FallBack(ctx, err) {
		p, err = r.fetch(ctx, file)
	}
	return p, redact(err, r.opts.Token)
}

func (r *Repo) fetch(ctx context.Context, file string) (string, error) {
	if err := ValidateFileName(file); err != nil {
		return "", &Error{Repo: r.id, Revision: r.rev, File: file, Err: err}
	}
	if r.fromCache {
		if r.commit == "" {
			if err := r.UseCache(); err != nil {
				return "", err
			}
		}
		if p, ok := r.Cached(file); ok {
			return p, nil
		}
		msg := "not in the cached snapshot " + r.commit
		if r.warning != "" {
			msg += " (used because: " + r.warning + ")"
		}
		return "", &Error{Repo: r.id, Revision: r.rev, File: file, Kind: ErrOffline, Msg: msg}
	}
	c, err := r.httpClient()
	if err != nil {
		return "", err
	}
	at := r.rev
	if r.commit != "" {
		at = r.commit
	}
	m, err := c.head(ctx, r.id, at, file)
	if err != nil {
		return "", err
	}
	switch {
	case r.commit == "" && !IsCommitSHA(m.Commit):
		return "", &Error{Repo: r.id, Revision: r.rev, File: file, Msg: fmt.Sprintf("the hub gave no valid X-Repo-Commit (%q)", m.Commit)}
	case r.commit == "":
		r.commit = m.Commit
	case m.Commit != "" && m.Commit != r.commit:
		return "", &Error{Repo: r.id, Revision: r.rev, File: file,
			Msg: fmt.Sprintf("the hub served commit %s while the revision resolved to %s", m.Commit, r.commit)}
	}
	d := &downloader{client: c, cache: r.cache, progress: r.opts.Progress, repo: r.id, rev: r.rev}
	n, fetched, err := d.ensureBlob(ctx, file, m)
	if err != nil {
		return "", err
	}
	if fetched {
		r.downloaded = append(r.downloaded, file)
		r.bytes += n
	}
	if err := r.cache.link(r.commit, file, m.ETag); err != nil {
		return "", &Error{Repo: r.id, Revision: r.rev, File: file, Err: err}
	}
	return r.cache.snapshotFile(r.commit, file), nil
}

// Finish records refs/<revision> → commit in the cache, so that offline loads find the snapshot; it does
// nothing when serving from the cache.
func (r *Repo) Finish() error {
	if r.fromCache || r.commit == "" {
		return nil
	}
	if err := r.cache.writeRef(r.rev, r.commit); err != nil {
		return &Error{Repo: r.id, Revision: r.rev, Err: err}
	}
	return nil
}

// Absent reports whether err, returned by Fetch, says that the file is not there (not in the repository, or,
// serving from the cache, not in the cached snapshot) rather than that fetching it failed.
func (r *Repo) Absent(err error) bool {
	return errors.Is(err, ErrFileNotFound) || (r.fromCache && r.commit != "" && errors.Is(err, ErrOffline))
}
