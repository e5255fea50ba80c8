#!/usr/bin/env bash
# Runs notebooks through Jupyter Notebook's UI in a real headless Chromium and fails if a user would see a problem
# (make ui-test; what is checked: scripts/ui_test.py).
#
# Usage: scripts/ui-test.sh [--out DIR] [--timeout SECONDS] [NOTEBOOK.ipynb ...]
#   default notebooks: the harness's own fixtures (scripts/testdata/ui/widgets.ipynb: GoNB slider and button
#   driven while the cell runs; failing.ipynb: must report exactly its listed problems; finetune_live.ipynb: the
#   live fine-tuning display stopped with its Stop button), then notebooks 00, 02 and 05 (05: its explorer driven)
#   --out DIR       screenshots, browser console and server log (default build/ui/)
#   --timeout S     limit per notebook (default UI_NOTEBOOK_TIMEOUT or 900 s)
#
# Needs what scripts/setup.sh installs (Jupyter Notebook, GoNB, goimports, chromium, chromium-driver,
# python3-selenium). CHROMIUM and CHROMEDRIVER override /usr/bin/chromium and /usr/bin/chromedriver.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup_path
find_jupyter || die "no working jupyter found: run 'make setup' (scripts/setup.sh)"
find_python
"$JUPYTER" notebook --version >/dev/null 2>&1 || die "'$JUPYTER notebook' is missing: run 'make setup'"
"$JUPYTER" kernelspec list 2>/dev/null | awk '$1 == "gonb" { found = 1 } END { exit !found }' ||
  die "the GoNB kernel is not registered with $JUPYTER: run 'make setup' (scripts/setup.sh)"
command -v goimports >/dev/null 2>&1 || die "goimports is not on PATH: run 'make setup' (scripts/setup.sh)"

args=(--timeout "${UI_NOTEBOOK_TIMEOUT:-900}" "$@")
have_notebook=0
for a in "$@"; do [[ "$a" == *.ipynb ]] && have_notebook=1; done
if ((!have_notebook)); then
  args+=("$REPO_ROOT"/scripts/testdata/ui/widgets.ipynb "$REPO_ROOT"/scripts/testdata/ui/failing.ipynb
    "$REPO_ROOT"/scripts/testdata/ui/finetune_live.ipynb
    "$REPO_ROOT"/notebooks/00_tokenizer.ipynb "$REPO_ROOT"/notebooks/02_inference_tour.ipynb
    "$REPO_ROOT"/notebooks/05_gdes_explorer.ipynb)
fi
export JUPYTER PYDEVD_DISABLE_FILE_VALIDATION=1
exec "$PYTHON" "$REPO_ROOT/scripts/ui_test.py" "${args[@]}"
