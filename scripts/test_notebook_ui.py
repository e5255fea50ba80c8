#!/usr/bin/python3
"""Self-test of the browser-free parts of scripts/notebook_ui.py, ui_server.py and ui_test.py (stdlib unittest).

The browser parts are tested by `make ui-test` itself: its fixtures scripts/testdata/ui/widgets.ipynb (widgets
driven while a cell runs) and failing.ipynb (every kind of problem must be reported, naming its cell).
Run: /usr/bin/python3 -m unittest discover -s scripts -p 'test_*.py'   (make test-scripts)
"""

import contextlib
import io
import json
import os
import socket
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import notebook_ui  # noqa: E402  (needs the path above)
import ui_server  # noqa: E402
import ui_test  # noqa: E402

IDLE, BUSY = "kernel_idle_icon", "kernel_busy_icon"


def state(kernel, *prompts):
    """A _STATE_JS snapshot: None is a markdown cell, a string the prompt of a code cell."""
    cells = [{"type": "markdown", "prompt": ""} if p is None else {"type": "code", "prompt": p} for p in prompts]
    return {"kernel": kernel, "dialog": "", "cells": cells}


class ProgressTest(unittest.TestCase):
    def test_table(self):
        cases = [
            ("all ran, idle", state(IDLE, None, "In\xa0[1]:", "In\xa0[2]:"), None, ("done", None)),
            ("all ran, still busy", state(BUSY, "In\xa0[1]:"), None, ("running", None)),
            ("queued", state(BUSY, None, "In\xa0[1]:", "In\xa0[*]:", "In\xa0[*]:"), None, ("running", 2)),
            ("never ran", state(IDLE, "In\xa0[1]:", "In\xa0[\xa0]:"), None, ("running", 1)),
            ("dead kernel", state("kernel_dead_icon", "In\xa0[*]:"), None, ("dead", 0)),
            ("disconnected", state("kernel_disconnected_icon", "In\xa0[1]:"), None, ("dead", None)),
            ("until: cells before ran", state(BUSY, "In\xa0[1]:", "In\xa0[*]:"), 1, ("done", None)),
            ("until: cells before wait", state(BUSY, "In\xa0[*]:", "In\xa0[*]:"), 1, ("running", 0)),
            ("markdown only", state(IDLE, None), None, ("done", None)),
        ]
        for name, st, until, want in cases:
            with self.subTest(name):
                self.assertEqual(notebook_ui.progress(st, until), want)


class HelpersTest(unittest.TestCase):
    def test_wait_for(self):
        calls = []
        self.assertEqual(ui_server.wait_for(lambda: calls.append(1) or len(calls) >= 2 and "x", 5, "x", 0.01), "x")
        with self.assertRaisesRegex(ui_server.UIError, "timed out after 0s waiting for the moon"):
            ui_server.wait_for(lambda: None, 0, "the moon", 0.01)

    def test_free_port(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", ui_server.free_port()))

    def test_committed_outputs(self):
        png = {"output_type": "display_data", "data": {"image/png": "AAA"}, "metadata": {}}
        html = {"output_type": "display_data", "data": {"text/html": ["<p>", "<img src='x.png'>"]}, "metadata": {}}
        text = {"output_type": "stream", "name": "stdout", "text": "<img> in text is not a figure"}
        nb = {"cells": [{"cell_type": "markdown", "source": "![x](y.png)"},
                        {"cell_type": "code", "outputs": [text]}, {"cell_type": "code", "outputs": [png]},
                        {"cell_type": "code", "outputs": [text, html]}]}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "nb.ipynb")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(nb, f)
            self.assertEqual(ui_test.committed_outputs(path), ({1, 2, 3}, {2, 3}))

    def test_figure_problems(self):
        class FakeNotebook:
            def describe(self, i):
                return "cell %d" % i
        rendering = [{"images": []}, {"images": [{"natural": [10, 10], "shown": [10, 10]}]},
                     {"images": [{"natural": [10, 10], "shown": [0, 0]}]}, {"images": []}]
        got = ui_test.figure_problems(FakeNotebook(), rendering, expected={1, 3})
        self.assertEqual(got, ["cell 2: an image rendered with size [0, 0] (natural [10, 10])",
                               "cell 3: shows no figure (the committed notebook has one)"])

    def test_expectation_problems(self):
        problems = ["cell 2 (In [2]: x): stderr: panic: boom", "cell 5: shows no figure", "surprise"]
        got = ui_test.expectation_problems(problems, ["panic: boom", "shows no figure", "never reported"])
        self.assertEqual(got, ["expected problem not reported: never reported", "unexpected: surprise"])
        self.assertEqual(ui_test.expectation_problems(problems[:2], ["panic: boom", "no figure"]), [])

    def test_fixture_expectations_are_listed(self):
        with open(os.path.join(HERE, "testdata", "ui", "failing.ipynb"), encoding="utf-8") as f:
            options = json.load(f)["metadata"]["ui_test"]
        self.assertGreaterEqual(len(options["expect_problems"]), 5)
        self.assertLess(options["timeout"], 120)


class CommandLineTest(unittest.TestCase):
    def test_usage(self):
        for args in ([], ["--bogus", "x.ipynb"], ["--timeout"], ["--timeout", "soon", "x.ipynb"], ["--out"],
                     ["/nonexistent/x.ipynb"]):
            with self.subTest(args=args), contextlib.redirect_stderr(io.StringIO()) as err:
                self.assertEqual(ui_test.main(["ui_test.py"] + args), 2)
                self.assertTrue(err.getvalue())


if __name__ == "__main__":
    unittest.main()
