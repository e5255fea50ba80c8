#!/usr/bin/env bash
# Executes notebooks headlessly with GoNB and fails if any cell failed.
#
# Usage: scripts/run-notebooks.sh [--inplace] [--out DIR] [NOTEBOOK.ipynb ...]
#   default notebooks: notebooks/*.ipynb
#   --out DIR   where executed copies and logs go (default build/notebooks/); the committed notebooks are untouched
#   --inplace   overwrite the given notebooks with their fresh outputs: how a developer refreshes the committed
#               outputs (logs still go to the --out folder). The checks below still apply.
#
# Each notebook runs with `jupyter nbconvert --to notebook --execute --allow-errors` (so every failing cell is
# recorded, not only the first), then scripts/check_notebook.py inspects the saved notebook: it fails on error
# outputs (compile errors) and on stream lines starting with "panic: ", "exit status ", "Error:" or
# "fatal error:" (GoNB does not report runtime failures to Jupyter, so nbconvert alone would pass them).
# A non-zero exit of nbconvert (cell timeout, dead kernel, ...) fails the notebook too.
#
# Environment (optional): NOTEBOOK_CELL_TIMEOUT (seconds per cell, default 600), NOTEBOOK_TIMEOUT (seconds per
# notebook, default 1200; on expiry nbconvert gets SIGINT, which shuts its kernel down cleanly), JUPYTER, GO,
# PYTHON (see scripts/common.sh). NBKIT_HEADLESS=1 is set: widget cells (package nbkit) run their headless
# budget. Everything else in the environment (e.g. GOMLX_BACKEND, budget variables that notebooks read) is passed
# through to the notebooks.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() { sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; }

inplace=0
out_dir="$REPO_ROOT/build/notebooks"
notebooks=()
while (($#)); do
  case "$1" in
    --inplace) inplace=1 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a folder"; out_dir="$2"; shift ;;
    --out=*) out_dir="${1#--out=}" ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown flag $1" ;;
    *) notebooks+=("$1") ;;
  esac
  shift
done
cell_timeout="${NOTEBOOK_CELL_TIMEOUT:-600}"
nb_timeout="${NOTEBOOK_TIMEOUT:-1200}"

setup_path
find_jupyter || die "no working jupyter (with nbconvert) found: run 'make setup' (scripts/setup.sh)"
find_python
"$JUPYTER" kernelspec list 2>/dev/null | awk '$1 == "gonb" { found = 1 } END { exit !found }' ||
  die "the GoNB kernel is not registered with $JUPYTER: run 'make setup' (scripts/setup.sh)"
command -v goimports >/dev/null 2>&1 || die "goimports is not on PATH: run 'make setup' (scripts/setup.sh)"

if ((${#notebooks[@]} == 0)); then
  shopt -s nullglob
  notebooks=("$REPO_ROOT"/notebooks/*.ipynb)
  shopt -u nullglob
  if ((${#notebooks[@]} == 0)); then
    log "no notebooks in $REPO_ROOT/notebooks: nothing to run"
    exit 0
  fi
fi
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"
export PYDEVD_DISABLE_FILE_VALIDATION=1 # silences a debugger warning of Debian's Python in every kernel start
export NBKIT_HEADLESS=1 # no browser under nbconvert: the notebooks' widget cells (nbkit) run their headless budget

failed=()
summary=()
for nb in "${notebooks[@]}"; do
  [[ -f "$nb" ]] || die "no such notebook: $nb"
  nb="$(cd "$(dirname "$nb")" && pwd)/$(basename "$nb")"
  name="$(basename "$nb" .ipynb)"
  logfile="$out_dir/$name.log"
  if ((inplace)); then
    executed="$nb"
    target=(--inplace)
  else
    executed="$out_dir/$name.ipynb"
    rm -f "$executed"
    target=(--output-dir "$out_dir")
  fi
  log "executing ${nb#"$REPO_ROOT"/} (cell timeout ${cell_timeout}s, notebook timeout ${nb_timeout}s; log: $logfile)"
  start=$SECONDS
  rc=0
  # The kernel's working directory (GoNB's ${GONB_DIR}) is the notebook's folder, wherever we run from.
  timeout -s INT -k 60 "$nb_timeout" \
    "$JUPYTER" nbconvert --to notebook --execute --allow-errors \
    --ExecutePreprocessor.timeout="$cell_timeout" "${target[@]}" "$nb" >"$logfile" 2>&1 || rc=$?
  secs=$((SECONDS - start))
  problems=()
  if ((rc != 0)); then
    if ((rc == 124 || rc == 137)); then
      problems+=("notebook timeout: killed after ${nb_timeout}s (NOTEBOOK_TIMEOUT)")
    else
      problems+=("jupyter nbconvert exited with status $rc")
    fi
    # The log holds GoNB's own verbose log lines (I.../W...): show the rest, which has nbconvert's error.
    echo "---- last lines of $logfile (GoNB info lines removed) ----" >&2
    grep -Ev '^[IW][0-9]{4} ' "$logfile" | tail -n 40 >&2 || true
    echo "----" >&2
  fi
  if [[ -f "$executed" ]]; then
    "$PYTHON" "$REPO_ROOT/scripts/check_notebook.py" --kernel gonb "$executed" ||
      problems+=("check_notebook.py found failing cells (listed above)")
  else
    problems+=("no executed notebook was written")
  fi
  if ((${#problems[@]})); then
    for p in "${problems[@]}"; do printf 'FAIL %s: %s\n' "${nb#"$REPO_ROOT"/}" "$p" >&2; done
    failed+=("${nb#"$REPO_ROOT"/}")
    summary+=("$(printf 'FAIL %5ds  %s' "$secs" "${nb#"$REPO_ROOT"/}")")
  else
    summary+=("$(printf 'ok   %5ds  %s -> %s' "$secs" "${nb#"$REPO_ROOT"/}" "${executed#"$REPO_ROOT"/}")")
  fi
done

echo "==> notebooks:"
printf '    %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  die "${#failed[@]} of ${#notebooks[@]} notebook(s) failed: ${failed[*]}"
fi
