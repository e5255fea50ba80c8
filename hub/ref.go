package hub

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// ModelRef is a parsed model reference: either a local checkpoint folder (Dir) or a hub repository (Repo)
// at an optional revision.
type ModelRef struct {
	// Dir is the local folder, when the reference names one.
	Dir string
	// Repo is the hub repository id "owner/name", when the reference is not a local folder.
	Repo string
	// Revision is the branch, tag or 40-hex commit after "@" ("" when not given).
	Revision string
}

// String gives the reference back: the folder, or "owner/name[@revision]".
func (r ModelRef) String() string {
	if r.Dir != "" {
		return r.Dir
	}
	if r.Revision != "" {
		return r.Repo + "@" + r.Revision
	}
	return r.Repo
}

var (
	repoNamePart = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	commitSHA    = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// ParseModelRef parses a model reference:
//   - an existing folder, or anything path-like ("/…", "./…", "../…", "~/…", ".") → a local folder (Dir);
//   - "owner/name" or "owner/name@revision" (branch, tag such as v1, or 40-hex commit) → a hub repository.
//
// An existing folder wins over a hub name that looks the same, as in Python's transformers.
func ParseModelRef(ref string) (ModelRef, error) {
	if strings.TrimSpace(ref) == "" {
		return ModelRef{}, fmt.Errorf("empty model reference: give a checkpoint folder or a hub name owner/name[@revision]")
	}
	if st, err := os.Stat(expandHome(ref)); err == nil {
		if !st.IsDir() {
			return ModelRef{}, fmt.Errorf("model reference %q is a file, not a checkpoint folder", ref)
		}
		return ModelRef{Dir: expandHome(ref)}, nil
	}
	if looksLikePath(ref) {
		return ModelRef{}, fmt.Errorf("model reference %q: local folder not found", ref)
	}
	repo, rev, hasRev := strings.Cut(ref, "@")
	if err := validateRepoID(repo); err != nil {
		return ModelRef{}, fmt.Errorf("model reference %q is neither a local folder nor a hub name owner/name[@revision]: %w", ref, err)
	}
	if hasRev {
		if err := validateRevision(rev); err != nil {
			return ModelRef{}, fmt.Errorf("model reference %q: %w", ref, err)
		}
	}
	return ModelRef{Repo: repo, Revision: rev}, nil
}

func looksLikePath(ref string) bool {
	if ref == "." || ref == ".." || ref == "~" || filepath.IsAbs(ref) || strings.ContainsRune(ref, '\\') {
		return true
	}
	for _, p := range []string{"/", "./", "../", "~/"} {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	return false
}

// validateRepoID checks "owner/name" as the hub does: each part made of letters, digits, "_", "-", ".", not
// starting or ending with "-" or ".", without "--" or "..", at most 96 characters in all.
func validateRepoID(id string) error {
	owner, name, ok := strings.Cut(id, "/")
	if !ok || strings.Contains(name, "/") {
		return fmt.Errorf("hub name %q must have the form owner/name", id)
	}
	if len(id) > 96 {
		return fmt.Errorf("hub name %q is longer than 96 characters", id)
	}
	for _, part := range []string{owner, name} {
		switch {
		case part == "":
			return fmt.Errorf("hub name %q has an empty owner or name", id)
		case !repoNamePart.MatchString(part):
			return fmt.Errorf("hub name %q: %q may hold only letters, digits, '_', '-' and '.'", id, part)
		case strings.Contains(part, "--") || strings.Contains(part, ".."):
			return fmt.Errorf("hub name %q: %q may not contain \"--\" or \"..\"", id, part)
		case strings.HasPrefix(part, "-") || strings.HasPrefix(part, ".") ||
			strings.HasSuffix(part, "-") || strings.HasSuffix(part, "."):
			return fmt.Errorf("hub name %q: %q may not start or end with '-' or '.'", id, part)
		}
	}
	return nil
}

// validateRevision accepts branch and tag names (which may hold "/", e.g. refs/pr/1) that are safe as a path
// below the cache's refs/ folder.
func validateRevision(rev string) error {
	if rev == "" {
		return fmt.Errorf("empty revision after '@'")
	}
	if !filepath.IsLocal(rev) || strings.ContainsRune(rev, '\\') || strings.Contains(rev, "..") ||
		strings.ContainsAny(rev, "\x00:*?\"<>|") || strings.HasSuffix(rev, "/") {
		return fmt.Errorf("revision %q is not a valid branch, tag or commit name", rev)
	}
	return nil
}
