// Package hub downloads files of HuggingFace hub repositories into the local hub cache shared with Python,
// and finds them there offline. It knows nothing of models: checkpoints.ResolvePretrained decides which
// files a load needs and asks a Repo for them.
//
// A model reference is a local folder, "owner/name", or "owner/name@revision" (a branch, a tag, or a 40-hex
// commit); see ParseModelRef. Settings come from Options, whose zero fields take the environment's values
// (HF_ENDPOINT, HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the token file $HF_HOME/token, HF_HUB_OFFLINE); see
// OptionsFromEnv.
//
// The cache is Python's: the same folder ($HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub) and the same layout
// (models--owner--name/{blobs/<etag>, snapshots/<commit>/<file> → ../../blobs/<etag>, refs/<revision>}), so
// files downloaded by either side are reused by the other.
//
// Online, Repo.Fetch sends a HEAD of {endpoint}/{repo}/resolve/{revision}/{file}, as huggingface_hub does,
// without the rate-limited repository API (Repo.Files calls it, for listings only): the first answer's
// X-Repo-Commit fixes the commit, and later files are asked at that commit. ETag, X-Linked-Etag and
// X-Linked-Size describe the file; LFS files redirect to a CDN on another host, which never gets the token.
// A blob already cached with the right size (and sha256 for LFS files, hashed once: an unchanged verified blob
// is trusted) is reused; otherwise it is downloaded into blobs/<etag>.incomplete, resumed with Range requests
// when cut short (in the same call, Options.MaxRetries times, and by a later call), verified (size, and
// sha256 for LFS files), and only then renamed to its blob: an interrupted or corrupt download never becomes
// a usable file. Answers 408, 429 and 5xx are retried with back-off, honouring Retry-After and the RateLimit
// header. The snapshot link and, at Repo.Finish, refs/<revision> are written.
//
// Offline (Options.Offline, HF_HUB_OFFLINE=1 or TRANSFORMERS_OFFLINE=1), or when the hub cannot be reached
// or refuses access (a stale token: 401, 403) while the cache knows the revision (Repo.FallBack, with a
// warning): refs/<rev> (or the commit itself) → snapshots/<commit>/, without a request. Errors name the
// repository and revision, say what to do (401: set HF_TOKEN; 401/403 GatedRepo: gated, accept the
// conditions; 404: repository, revision or file not found; network: HF_HUB_OFFLINE=1), carry a sentinel for
// errors.Is (ErrAuth, ErrGated, ...) and never contain the token.
//
// Why not go-huggingface's hub package (see package gohf for the interop): it fetches the repository info on
// every use (no offline mode),
// keeps its own info/<rev> files instead of Python's refs/<rev>, reads neither HF_TOKEN nor HF_HOME, prints
// progress to stdout, and may keep a download cut short as a complete file. The protocol is small, so this
// package speaks it with net/http directly (same URL layout, same cache layout as Python).
package hub
