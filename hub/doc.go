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
// Online, Repo.Fetch sends a HEAD of {endpoint}/{repo}/resolve/{revision}/{file} (ETag, X-Repo-Commit,
// X-Linked-Etag, X-Linked-Size, the CDN redirect of LFS files); a blob already cached with the right size
// (and sha256 for LFS files) is reused, otherwise it is downloaded into blobs/<etag>.incomplete (resumed
// with a Range request when a previous attempt was cut short), verified (size, and sha256 for LFS files),
// and only then renamed to its blob: an interrupted or corrupt download never becomes a usable file. The
// snapshot link and, at Repo.Finish, refs/<revision> are written. Repo.Files lists a repository through
// the revision API ({endpoint}/api/models/{repo}/revision/{rev}).
//
// Offline (Options.Offline or HF_HUB_OFFLINE=1), or after Repo.FallBack when the hub cannot be reached:
// refs/<rev> (or the commit itself) → snapshots/<commit>/, without a single request. Errors name the
// repository and revision, say what to do (401: set HF_TOKEN; 403: gated, accept the conditions; 404:
// repository or revision not found; network: HF_HUB_OFFLINE=1), carry a sentinel for errors.Is (ErrAuth,
// ErrGated, ...) and never contain the token; the token is only sent to the endpoint's host.
//
// Why not go-huggingface's hub package: it fetches the repository info on every use (no offline mode),
// keeps its own info/<rev> files instead of Python's refs/<rev>, reads neither HF_TOKEN nor HF_HOME, prints
// progress to stdout, and may keep a download cut short as a complete file. The protocol is small, so this
// package speaks it with net/http directly (same URL layout, same cache layout as Python).
package hub
