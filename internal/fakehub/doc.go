// Package fakehub is an in-memory stand-in for the HuggingFace hub, for tests: an httptest.Server speaking
// the hub's URL layout, with no network beyond the loopback.
//
//   - GET  /api/models/{owner}/{name}/revision/{rev}: {"id", "sha", "siblings": [{"rfilename"}], ...}
//   - HEAD/GET /{owner}/{name}/resolve/{rev}/{file}: small files answer 200 with the git blob sha1 as ETag;
//     "LFS" files (IsLFS: *.safetensors, *.bin, ...) answer 302 to /cdn/{sha256} with X-Linked-Etag (the
//     sha256) and X-Linked-Size, as the real hub does. Both carry X-Repo-Commit.
//   - HEAD/GET /cdn/{sha256} on CDNURL, a second server (another host:port than URL, as the real CDN is
//     another host): the LFS content (Range requests work: http.ServeContent).
//
// Repositories have commits, branches and tags (Repo.Commit, Repo.SetRef); a repository can be Private (401
// without the hub's Token) or Gated (401 GatedRepo without a token, 403 GatedRepo with another); unknown repositories, revisions and files answer 404
// with the hub's X-Error-Code header. Faults (truncated bodies, corrupt bytes, error statuses) can be
// injected, and every request is logged for counting.
package fakehub
