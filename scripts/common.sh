# shellcheck shell=bash
# Sourced by the other scripts in scripts/: finds the repository root, Go, GoNB, Jupyter and Python without
# relying on anything exported by a previous command. Nothing here changes the caller's machine.
#
# Overrides (all optional): GO (path of the go binary), JUPYTER (path of the jupyter command),
# PYTHON (interpreter for scripts/check_notebook.py).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# find_go sets GO to a go binary: $GO, else the one on PATH, else the official tarball's /usr/local/go/bin/go.
find_go() {
  if [[ -n "${GO:-}" ]]; then
    [[ -x "$GO" ]] || die "GO=$GO is not an executable"
  elif command -v go >/dev/null 2>&1; then
    GO="$(command -v go)"
  elif [[ -x /usr/local/go/bin/go ]]; then
    GO=/usr/local/go/bin/go
  else
    GO=""
    return 1
  fi
  export GO
}

# go_bin_dir prints the folder `go install` writes to in this set-up: the first GOPATH entry's bin/.
go_bin_dir() {
  local gopath
  gopath="$("$GO" env GOPATH)"
  printf '%s/bin\n' "${gopath%%:*}"
}

# setup_path puts go, gonb and goimports on PATH for this process and its children (e.g. the GoNB kernel that
# Jupyter starts, which runs `go` and `goimports`).
setup_path() {
  find_go || die "no Go toolchain found (looked at \$GO, PATH and /usr/local/go/bin): run scripts/setup.sh"
  local godir bindir
  godir="$(dirname "$GO")"
  bindir="$(go_bin_dir)"
  case ":$PATH:" in *":$bindir:"*) ;; *) PATH="$bindir:$PATH" ;; esac
  case ":$PATH:" in *":$godir:"*) ;; *) PATH="$PATH:$godir" ;; esac
  export PATH
}

# jupyter_ok CMD: true when CMD is a working jupyter with nbconvert (pyenv shims without jupyter fail here).
jupyter_ok() {
  "$1" nbconvert --version >/dev/null 2>&1 && "$1" kernelspec list >/dev/null 2>&1
}

# find_jupyter sets JUPYTER: $JUPYTER, else Debian's /usr/bin/jupyter, else the first working one on PATH.
find_jupyter() {
  local c
  for c in "${JUPYTER:-}" /usr/bin/jupyter "$(command -v jupyter 2>/dev/null || true)"; do
    if [[ -n "$c" ]] && jupyter_ok "$c"; then
      JUPYTER="$c"
      export JUPYTER
      return 0
    fi
  done
  return 1
}

# find_python sets PYTHON: $PYTHON, else Debian's /usr/bin/python3, else python3 on PATH.
find_python() {
  if [[ -n "${PYTHON:-}" ]]; then
    :
  elif [[ -x /usr/bin/python3 ]]; then
    PYTHON=/usr/bin/python3
  else
    PYTHON="$(command -v python3)" || die "no python3 found"
  fi
  export PYTHON
}
