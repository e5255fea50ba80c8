#!/usr/bin/python3
"""Runs notebooks through Jupyter Notebook's UI in headless Chromium and checks what a user would see.

Usage: ui_test.py [--out DIR] [--timeout SECONDS] NOTEBOOK.ipynb [...]     (make ui-test, scripts/ui-test.sh)

The notebooks are marked trusted (`jupyter trust`, as `make jupyter` does); one Jupyter server (`make jupyter`'s
command, on 127.0.0.1 at a free port, served from the repository root) and one browser serve them all. For each
notebook: open it, check that the kernel shown is "Go (gonb)" and that every cell with saved outputs shows them,
Cell > All Output > Clear, Cell > Run All, wait (bounded by --timeout) until every code cell ran and the kernel is
idle, then fail on
  * check_notebook.py's rules applied to the outputs the browser received (error outputs, panic / exit status /
    Error: / fatal error: lines, tab-indented sources), and on tab glyphs drawn in the editor;
  * an output image of zero size, or a cell that showed a figure in the committed notebook and shows none now;
  * any change of the notebook file (autosave is turned off: the committed outputs stay as they are).
A cell over the time limit, a dead kernel or a run aborted part-way fails with the cell named.
A notebook's metadata may set "ui_test": {"timeout": SECONDS, "expect_problems": [TEXT, ...]}: with
expect_problems it passes only when exactly those problems are reported (scripts/testdata/ui/failing.ipynb).
Notebooks with widgets are listed in INTERACTIVE: while their interactive cell runs, a function plays the user
(scripts/testdata/ui/widgets.ipynb: its GoNB slider and button are driven and its output must follow;
finetune_live.ipynb: nbkit's live fine-tuning display is stopped with its Stop button).

Screenshots go to DIR/<notebook>/: opened.png, cell-NN.png for every code cell after the run, failed.png on a
failure; DIR/<notebook>/console.log keeps the browser console, DIR/jupyter.log the server's log.
The server and the browser are always stopped, also on SIGINT / SIGTERM / SIGHUP.
Exit status: 0 when every notebook passed, 1 otherwise, 2 on usage errors.
"""

import json
import os
import re
import signal
import sys
import time

import notebook_ui
from notebook_ui import UIError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def committed_outputs(path):
    """(indices of the code cells with saved outputs, indices of those whose outputs include an image)."""
    with open(path, encoding="utf-8") as f:
        nb = json.load(f)
    outputs, figures = set(), set()
    for i, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs") or []:
            outputs.add(i)
            data = out.get("data") or {}
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if any(t in data for t in IMAGE_TYPES) or "<img" in html:
                figures.add(i)
    return outputs, figures


def opened_problems(nb, with_outputs):
    """Cells whose saved outputs the freshly opened notebook does not show (Jupyter hides the markdown and
    sanitises the HTML of an untrusted notebook's outputs: `make jupyter` trusts ours, as ui_test does)."""
    return ["%s: shows none of its saved outputs when the notebook is opened (not trusted?)" % nb.describe(i)
            for i in sorted(with_outputs) if not nb.output_html(i).strip()]


def figure_problems(nb, rendering, expected):
    """Images of zero size, and cells expected to show a figure that show none."""
    problems = []
    for i, cell in enumerate(rendering):
        for img in cell["images"]:
            if 0 in img["natural"] or 0 in img["shown"]:
                problems.append("%s: an image rendered with size %s (natural %s)"
                                % (nb.describe(i), img["shown"], img["natural"]))
        if i in expected and not cell["images"]:
            problems.append("%s: shows no figure (the committed notebook has one)" % nb.describe(i))
    return problems


def check_widgets(nb, cell, timeout):
    """Drives the self-test notebook's widgets while its check() cell runs: a slider value must reach the Go
    program and come back in the cell's output; a click on the button ends the program."""
    slider = "input[type=range]"
    for note in nb.start_widgets(cell, slider, timeout):  # shown once the cell compiled
        print("note: %s: %s" % (nb.path, note), flush=True)
    nb.find(cell, "button", 30)
    before = nb.output_html(cell)
    nb.set_value(cell, slider, 7)
    nb.wait_for_output_change(cell, before, timeout=60)
    notebook_ui.wait_for(lambda: "slider=7" in nb.output_html(cell), 60, "'slider=7' in %s" % nb.describe(cell))
    nb.click(cell, "button")
    notebook_ui.wait_for(lambda: "done" in nb.output_html(cell), 60, "'done' in %s" % nb.describe(cell))


def check_attention_explorer(nb, cell, timeout):
    """Drives notebook 02's attention explorer (nbkit.ExploreAttention): moving the layer slider must redraw the
    attention map and the c2c / c2p / p2c split; a click on Done ends the cell."""
    slider = "input[type=range]"  # the first one: the layer
    for note in nb.start_widgets(cell, slider, timeout):
        print("note: %s: %s" % (nb.path, note), flush=True)
    nb.find(cell, "button", 30)
    def figures():
        return re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]+", nb.output_html(cell))
    before = notebook_ui.wait_for(figures, 60, "the attention figures in %s" % nb.describe(cell))
    nb.set_value(cell, slider, 1)
    notebook_ui.wait_for(lambda: (figures() or before) != before, 60,
                         "the attention figures of %s to change after the layer slider moved" % nb.describe(cell))
    nb.click(cell, "button")


def wait_live_updates(nb, cell, n, timeout):
    """Waits until an nbkit live display (div.nbkit-live) in the cell's output has shown n later steps, with figures."""
    seen = []

    def live_step():
        m = re.search(r"step (\d+)/\d+", nb.output_html(cell).split("nbkit-live", 1)[-1])
        if m and "<img" in nb.output_html(cell) and (not seen or int(m.group(1)) > seen[-1]):
            seen.append(int(m.group(1)))
        return len(seen) >= n
    notebook_ui.wait_for(live_step, timeout, "%d updates of the live display in %s" % (n, nb.describe(cell)))


def check_gdes_explorer(nb, cell, timeout):
    """Drives notebook 05's explorer (nbkit.Explore): sets λ (slider) and the sharing mode (select), clicks Run,
    waits for the live display (div.nbkit-live) to show two later steps, clicks Stop, then the comparison table must
    have a row for the stopped ES run; Finish ends the cell."""
    for note in nb.start_widgets(cell, "span[id^=gdes-lambda] input[type=range]", timeout):
        print("note: %s: %s" % (nb.path, note), flush=True)
    nb.set_value(cell, "span[id^=gdes-lambda] input[type=range]", 20)
    nb.set_value(cell, "span[id^=gdes-sharing] select", 1)  # ES
    nb.click(cell, "button[id^=gdes-run]")
    wait_live_updates(nb, cell, 2, 240)
    nb.click(cell, "button[id^=gdes-stop]")
    row = lambda: "(stopped)" in nb.output_html(cell) and "<td>es</td><td>20</td>" in nb.output_html(cell)
    notebook_ui.wait_for(row, 120, "a stopped ES λ=20 row in the comparison table of %s" % nb.describe(cell))
    nb.click(cell, "button[id^=gdes-finish]")


def check_finetune_live(nb, cell, timeout):
    """Drives the live fine-tuning self-test (nbkit.FineTuneTasks): waits for the Stop button and two later steps
    on the live display, clicks Stop, then the display must say after which step the run stopped and where its
    state was saved; the cell then ends by itself."""
    for note in nb.start_widgets(cell, "button[id^=nbkit-stop]", timeout):
        print("note: %s: %s" % (nb.path, note), flush=True)
    wait_live_updates(nb, cell, 2, 240)
    nb.click(cell, "button[id^=nbkit-stop]")
    stopped = lambda: re.search(r"Stopped after step \d+; the state is saved in \S+checkpoint", nb.output_html(cell))
    notebook_ui.wait_for(stopped, 120, "the stop note in the live display of %s" % nb.describe(cell))


# Notebooks with widgets, by file name: (text identifying the cell that waits for the user, the function that
# drives it while it runs: f(notebook, cell index, timeout)). Run All stops waiting at that cell, the function
# plays the user, then every cell must finish.
INTERACTIVE = {
    "widgets": ("func check()", check_widgets),
    "02_inference_tour": ("nbkit.ExploreAttention(", check_attention_explorer),
    "05_gdes_explorer": ("nbkit.Explore(", check_gdes_explorer),
    "finetune_live": ("nbkit.FineTuneTasks(", check_finetune_live),
}


def expectation_problems(problems, expected):
    """For a fixture that must fail: each expected text must be in some problem, and every problem expected."""
    return (["expected problem not reported: %s" % e for e in expected if not any(e in p for p in problems)] +
            ["unexpected: %s" % p for p in problems if not any(e in p for e in expected)])


def run_one(browser, server, path, out_dir, timeout):
    """Returns (problems, seconds, figures) for one notebook; screenshots under out_dir/<name>/."""
    start = time.monotonic()
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        options = json.load(f).get("metadata", {}).get("ui_test", {})
    timeout = options.get("timeout", timeout)
    with_outputs, expected = committed_outputs(path)
    digest = notebook_ui.file_digest(path)
    nb = notebook_ui.Notebook(browser, server, os.path.relpath(path, REPO_ROOT))
    problems, figures = [], 0
    try:
        nb.open()
        browser.screenshot(os.path.join(name, "opened.png"))
        problems += opened_problems(nb, with_outputs)
        if name in INTERACTIVE:
            marker, drive = INTERACTIVE[name]
            cell = nb.cell_index_of(marker)
            nb.run_all(timeout, until=cell)
            drive(nb, cell, timeout)
            nb.wait(timeout)
        else:
            nb.run_all(timeout)
    except (UIError, notebook_ui.WebDriverException) as e:
        problems.append(str(e))
        browser.screenshot(os.path.join(name, "failed.png"))
    try:  # also after a failed run: what the cells before it show is often the cause
        rendering = nb.rendering()
        figures = sum(len(c["images"]) for c in rendering)
        problems += nb.problems() + figure_problems(nb, rendering, expected)
        nb.screenshot_cells(os.path.join(name, "cell"))
    except (UIError, notebook_ui.WebDriverException) as e:
        problems.append(str(e))
    finally:
        with open(os.path.join(out_dir, name, "console.log"), "w", encoding="utf-8") as f:
            f.write("\n".join(browser.console()) + "\n")
    if notebook_ui.file_digest(path) != digest:
        problems.append("the notebook file was modified during the test (autosave?)")
    if "expect_problems" in options:
        problems = expectation_problems(problems, options["expect_problems"])
    return problems, time.monotonic() - start, figures


def _stop_on_signal(signum, _frame):
    print("FAIL ui-test: stopped by signal %d; stopping the browser and the server" % signum, file=sys.stderr)
    raise SystemExit(128 + signum)  # unwinds the with blocks: browser and server are stopped


def main(argv):
    args, out_dir, timeout = list(argv[1:]), os.path.join(REPO_ROOT, "build", "ui"), 900
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--out" and args:
            out_dir = args.pop(0)
        elif flag == "--timeout" and args and args[0].isdigit():
            timeout = int(args.pop(0))
        else:
            sys.stderr.write(__doc__)
            return 2
    if not args:
        sys.stderr.write(__doc__)
        return 2
    paths = [os.path.abspath(p) for p in args]
    for p in paths:
        if not os.path.isfile(p) or not p.startswith(REPO_ROOT + os.sep):
            print("ui-test: no notebook %s in this repository" % p, file=sys.stderr)
            return 2
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    out_dir = os.path.abspath(out_dir)
    for p in paths:
        os.makedirs(os.path.join(out_dir, os.path.splitext(os.path.basename(p))[0]), exist_ok=True)
    jupyter = os.environ.get("JUPYTER", "jupyter")
    start, failed, lines = time.monotonic(), 0, []
    try:
        notebook_ui.trust(jupyter, paths)
        with notebook_ui.JupyterServer(jupyter, REPO_ROOT, os.path.join(out_dir, "jupyter.log")) as server, \
                notebook_ui.Browser(out_dir) as browser:
            for p in paths:
                rel = os.path.relpath(p, REPO_ROOT)
                print("==> ui-test: %s" % rel, flush=True)
                problems, seconds, figures = run_one(browser, server, p, out_dir, timeout)
                server.shutdown_kernels()
                for problem in problems:
                    print("FAIL %s: %s" % (rel, problem), file=sys.stderr, flush=True)
                failed += bool(problems)
                lines.append("%s %5.0fs  %s (%d figures)" % ("FAIL" if problems else "ok  ", seconds, rel, figures))
    except UIError as e:
        print("FAIL ui-test: %s" % e, file=sys.stderr)
        return 1
    print("==> ui-test (%.0f s; screenshots in %s):" % (time.monotonic() - start, os.path.relpath(out_dir)))
    print("\n".join("    " + l for l in lines))
    return 1 if failed or len(lines) < len(paths) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
