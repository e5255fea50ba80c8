#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time (a smoke test, not a fuzzing campaign).
#
# Usage: scripts/fuzz-smoke.sh [PACKAGES...]   (default ./...)
# Environment: FUZZTIME (default 10s per target).
# Targets are discovered with `go test -list '^Fuzz'`; new corpus entries that make a target fail are written by
# Go under the package's testdata/fuzz/ as usual.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"
setup_path

fuzztime="${FUZZTIME:-10s}"
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(./...)

# `go test -list` prints the matching names of a package, then its "ok  <package>  <time>" line.
listing="$(go test -list '^Fuzz' "${pkgs[@]}")" || { printf '%s\n' "$listing" >&2; die "go test -list failed"; }
targets=()
names=()
while read -r first second _; do
  case "$first" in
    Fuzz*) names+=("$first") ;;
    ok)
      for n in "${names[@]}"; do targets+=("$second $n"); done
      names=()
      ;;
    *) names=() ;;
  esac
done <<<"$listing"

if ((${#targets[@]} == 0)); then
  log "no fuzz targets found"
  exit 0
fi
log "${#targets[@]} fuzz target(s), $fuzztime each"
failed=()
for t in "${targets[@]}"; do
  pkg="${t% *}"
  name="${t#* }"
  log "$pkg $name"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" || failed+=("$pkg $name")
done
if ((${#failed[@]})); then
  printf 'FAIL fuzz target: %s\n' "${failed[@]}" >&2
  exit 1
fi
log "all ${#targets[@]} fuzz targets ok"
