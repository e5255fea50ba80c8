#!/usr/bin/python3
"""Inspects executed Jupyter notebooks and fails if any cell failed.

Usage: check_notebook.py [--kernel NAME] NOTEBOOK.ipynb [...]
       check_notebook.py --fix-tabs NOTEBOOK.ipynb [...]

GoNB (the Go kernel) reports only compile errors as Jupyter errors: a runtime panic, an os.Exit(N), a log.Fatal
or a failing `!shell command` only print to the cell's stderr, and `jupyter nbconvert --execute` still exits 0.
So after executing a notebook we read the saved .ipynb (plain JSON; stdlib only) and fail on
  * any output of type "error" (compile errors, failed automatic `go get`, errors of special commands), and
  * any stream (stdout/stderr) line that starts with one of FAIL_PREFIXES, ANSI colour codes removed, and
  * code cells indented with tabs: Jupyter Notebook's editor theme draws every tab as an arrow glyph. Cells are
    indented with 4 spaces (what the editor inserts for the Tab key; GoNB compiles either).
--fix-tabs rewrites the given notebooks in place with each leading tab of a code line replaced by 4 spaces (the
JSON layout of nbformat is kept, so only those lines change) and checks nothing else.
With --kernel NAME it also fails when the notebook's kernelspec is not NAME (our notebooks must run on GoNB).

Exit status: 0 when every notebook is clean, 1 when a problem was found, 2 on usage or unreadable input.
Each problem is printed on stderr as "<notebook>: cell <index> (In [<count>]): <what>: <offending text>"
(the first lines of a multi-line error message follow, indented), where <index> counts all cells from 0,
markdown included, as nbformat does, and <count> is the execution count Jupyter shows next to the cell.
"""

import json
import re
import sys

# A line of a stream output starting with one of these marks a failed cell:
#   "panic: "      Go runtime panic (the cell's program died);
#   "exit status " GoNB's report of a program or `!command` that exited non-zero (os.Exit, log.Fatal, ...);
#   "Error:"       error lines printed by GoNB/its tools (and by convention by our code: do not print metrics
#                  as "Error: 0.1" at the start of a line);
#   "fatal error:" Go runtime fatal errors (deadlock, concurrent map writes, out of memory).
FAIL_PREFIXES = ("panic: ", "exit status ", "Error:", "fatal error:")

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_MAX_TEXT = 300  # characters kept of one offending line
_MAX_LINES = 8  # lines kept of an error output's message
_LEADING_TABS = re.compile(r"^\t+", re.MULTILINE)
TAB_WIDTH = 4  # spaces per leading tab (Jupyter's indentUnit)


def _text(value):
    """nbformat stores multi-line strings either as a string or as a list of strings."""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _shorten(s):
    s = s.strip()
    return s if len(s) <= _MAX_TEXT else s[:_MAX_TEXT] + "..."


def check_notebook(nb, kernel=None):
    """Returns a list of (cell_index, execution_count, message) problems found in the notebook dict nb."""
    problems = []
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return [(None, None, "not a notebook: no 'cells' list")]
    if kernel is not None:
        name = ((nb.get("metadata") or {}).get("kernelspec") or {}).get("name")
        if name != kernel:
            problems.append((None, None, "kernelspec is %r, want %r" % (name, kernel)))
    for index, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        count = cell.get("execution_count")
        tabbed = _LEADING_TABS.findall(_text(cell.get("source")))
        if tabbed:
            problems.append((index, count, "%d line(s) indented with tabs (drawn as arrows by Jupyter Notebook): "
                             "indent with spaces, e.g. scripts/check_notebook.py --fix-tabs" % len(tabbed)))
        for output in cell.get("outputs") or []:
            kind = output.get("output_type")
            if kind == "error":
                ename = _text(output.get("ename")) or "error"
                evalue = _text(output.get("evalue"))
                if not evalue.strip():
                    evalue = "\n".join(_text(t) for t in output.get("traceback") or [])
                lines = [l.rstrip() for l in _ANSI.sub("", evalue).splitlines() if l.strip()]
                if len(lines) > _MAX_LINES:
                    lines = lines[:_MAX_LINES] + ["..."]
                text = "\n    ".join(_shorten(l) for l in lines)
                problems.append((index, count, "error output: %s: %s" % (ename, text)))
            elif kind == "stream":
                stream = output.get("name", "stream")
                for line in _ANSI.sub("", _text(output.get("text"))).splitlines():
                    if line.startswith(FAIL_PREFIXES):
                        problems.append((index, count, "%s: %s" % (stream, _shorten(line))))
    return problems


def fix_tabs(nb):
    """Replaces each leading tab of every code cell line by TAB_WIDTH spaces; returns the number of lines changed."""
    changed = 0
    for cell in nb.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        src = cell.get("source")
        lines = src if isinstance(src, list) else [src]
        changed += sum(len(_LEADING_TABS.findall(_text(l))) for l in lines)
        fixed = [_LEADING_TABS.sub(lambda m: " " * (TAB_WIDTH * len(m.group())), _text(l)) for l in lines]
        cell["source"] = fixed if isinstance(src, list) else fixed[0]
    return changed


def _read(path):
    """The notebook at path as a dict, or None after printing why it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print("%s: cannot read notebook: %s" % (path, e), file=sys.stderr)
        return None


def _fix_tabs_files(paths):
    for path in paths:
        nb = _read(path)
        if nb is None:
            return 2
        changed = fix_tabs(nb)
        if changed:
            # nbformat's own layout (indent 1, sorted keys, UTF-8 kept), so the diff shows only the fixed lines.
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        print("%s: %d line(s) re-indented" % (path, changed))
    return 0


def format_problem(path, problem):
    index, count, message = problem
    if index is None:
        return "%s: %s" % (path, message)
    where = "cell %d" % index
    if count is not None:
        where += " (In [%s])" % count
    return "%s: %s: %s" % (path, where, message)


def main(argv):
    args = list(argv[1:])
    kernel = None
    if len(args) >= 2 and args[0] == "--fix-tabs":
        return _fix_tabs_files(args[1:])
    if len(args) >= 2 and args[0] == "--kernel":
        kernel = args[1]
        args = args[2:]
    if not args or any(a.startswith("-") for a in args):
        sys.stderr.write(__doc__)
        return 2
    status = 0
    for path in args:
        nb = _read(path)
        if nb is None:
            status = 2
            continue
        problems = check_notebook(nb, kernel=kernel)
        for p in problems:
            print(format_problem(path, p), file=sys.stderr)
        if problems:
            status = max(status, 1)
            print("%s: FAIL (%d problem(s))" % (path, len(problems)), file=sys.stderr)
        else:
            print("%s: ok" % path)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
