#!/usr/bin/python3
"""Self-test of scripts/check_notebook.py (stdlib unittest; fixtures in scripts/testdata/).

Run: /usr/bin/python3 -m unittest discover -s scripts -p 'test_*.py'   (make test does)
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_notebook  # noqa: E402  (needs the path above)

TESTDATA = os.path.join(HERE, "testdata")
CHECKER = os.path.join(HERE, "check_notebook.py")


def code_cell(*outputs, count=1):
    return {"cell_type": "code", "execution_count": count, "metadata": {}, "source": "%%", "outputs": list(outputs)}


def stream(text, name="stderr"):
    return {"output_type": "stream", "name": name, "text": text}


def notebook(*cells, kernel="gonb"):
    return {"cells": list(cells), "metadata": {"kernelspec": {"name": kernel}}, "nbformat": 4, "nbformat_minor": 5}


def run_cli(*args):
    p = subprocess.run([sys.executable, CHECKER] + list(args), capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class CheckNotebookTest(unittest.TestCase):
    def test_clean(self):
        nb = notebook(code_cell(stream(["loss 0.1\n", "Errors: 0\n", "no panic: mid-line\n"], "stdout")),
                      code_cell(), {"cell_type": "markdown", "metadata": {}, "source": "panic: in markdown"})
        self.assertEqual(check_notebook.check_notebook(nb, kernel="gonb"), [])

    def test_each_prefix_fails(self):
        for line in ("panic: boom", "exit status 3", "Error: cannot load", "fatal error: all goroutines are asleep"):
            with self.subTest(line=line):
                nb = notebook(code_cell(stream("ok\n" + line + "\nmore\n")))
                problems = check_notebook.check_notebook(nb)
                self.assertEqual(len(problems), 1, problems)
                self.assertEqual(problems[0][0], 0)
                self.assertIn(line, problems[0][2])

    def test_ansi_colour_before_marker(self):
        nb = notebook(code_cell(stream("\x1b[31mpanic: red\x1b[0m\n")))
        self.assertEqual(len(check_notebook.check_notebook(nb)), 1)

    def test_error_output_and_cell_index(self):
        err = {"output_type": "error", "ename": "ERROR", "evalue": "declared and not used: x", "traceback": []}
        nb = notebook({"cell_type": "markdown", "metadata": {}, "source": "intro"}, code_cell(), code_cell(err, count=7))
        problems = check_notebook.check_notebook(nb)
        self.assertEqual(len(problems), 1)
        index, count, message = problems[0]
        self.assertEqual((index, count), (2, 7))
        self.assertIn("declared and not used: x", message)
        self.assertEqual(check_notebook.format_problem("x.ipynb", problems[0]),
                         "x.ipynb: cell 2 (In [7]): error output: ERROR: declared and not used: x")

    def test_error_output_without_evalue_uses_traceback(self):
        err = {"output_type": "error", "ename": "ERROR", "evalue": "", "traceback": ["\x1b[1mline one\x1b[0m", "two"]}
        problems = check_notebook.check_notebook(notebook(code_cell(err)))
        self.assertIn("line one", problems[0][2])

    def test_wrong_kernel(self):
        problems = check_notebook.check_notebook(notebook(code_cell(), kernel="python3"), kernel="gonb")
        self.assertEqual(len(problems), 1)
        self.assertIn("python3", problems[0][2])

    def test_not_a_notebook(self):
        self.assertEqual(len(check_notebook.check_notebook({"foo": 1})), 1)

    def test_tab_indentation(self):
        cell = code_cell(count=3)
        cell["source"] = ["func f() {\n", "\treturn\n", "}\n", "x := \"a\\tb\"\n"]
        md = {"cell_type": "markdown", "metadata": {}, "source": "\tindented prose is fine"}
        problems = check_notebook.check_notebook(notebook(md, cell))
        self.assertEqual(len(problems), 1, problems)
        self.assertEqual(problems[0][:2], (1, 3))
        self.assertIn("1 line(s) indented with tabs", problems[0][2])

    def test_fix_tabs(self):
        lines = code_cell()
        lines["source"] = ["if x {\n", "\t\ty := \"\\t\t\"\n", "  \tmixed\n"]
        whole = code_cell()
        whole["source"] = "\tone\n\t\ttwo"
        md = {"cell_type": "markdown", "metadata": {}, "source": "\tkept"}
        nb = notebook(lines, whole, md)
        self.assertEqual(check_notebook.fix_tabs(nb), 3)
        self.assertEqual(lines["source"], ["if x {\n", "        y := \"\\t\t\"\n", "  \tmixed\n"])
        self.assertEqual(whole["source"], "    one\n        two")
        self.assertEqual(md["source"], "\tkept")
        self.assertEqual(check_notebook.check_notebook(nb), [])


class CommandLineTest(unittest.TestCase):
    """The fixtures are hand-made .ipynb files shaped like GoNB's real outputs."""

    def test_clean_fixture_passes(self):
        rc, out, err = run_cli("--kernel", "gonb", os.path.join(TESTDATA, "clean.ipynb"))
        self.assertEqual(rc, 0, err)
        self.assertIn("clean.ipynb: ok", out)

    def test_error_fixture_fails(self):
        path = os.path.join(TESTDATA, "error_output.ipynb")
        rc, _, err = run_cli("--kernel", "gonb", path)
        self.assertEqual(rc, 1)
        self.assertIn(path + ": cell 1 (In [1]): error output: ERROR: # gonb_1d6fcadb", err)
        self.assertIn("declared and not used: x", err)

    def test_panic_fixture_fails(self):
        path = os.path.join(TESTDATA, "panic.ipynb")
        rc, _, err = run_cli(path)
        self.assertEqual(rc, 1)
        self.assertIn(path + ": cell 2 (In [2]): stderr: panic: boom", err)
        self.assertIn(path + ": cell 2 (In [2]): stderr: exit status 2", err)
        self.assertNotIn("cell 0", err)

    def test_one_bad_notebook_fails_the_run(self):
        rc, _, _ = run_cli(os.path.join(TESTDATA, "clean.ipynb"), os.path.join(TESTDATA, "panic.ipynb"))
        self.assertEqual(rc, 1)

    def test_fix_tabs_rewrites_only_indentation(self):
        with open(os.path.join(TESTDATA, "clean.ipynb"), encoding="utf-8") as f:
            nb = json.load(f)
        nb["cells"][1]["source"] = ["func f() {\n", "\treturn // é\n", "}"]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "tabs.ipynb")
            with open(path, "w", encoding="utf-8") as f:
                f.write(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            self.assertEqual(run_cli(path)[0], 1)
            rc, out, err = run_cli("--fix-tabs", path)
            self.assertEqual((rc, out.strip()), (0, path + ": 1 line(s) re-indented"), err)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertIn('"    return // é\\n"', text)
            self.assertEqual(run_cli(path)[0], 0)
            self.assertEqual(run_cli("--fix-tabs", os.path.join(tmp, "missing.ipynb"))[0], 2)

    def test_usage_and_unreadable(self):
        self.assertEqual(run_cli()[0], 2)
        self.assertEqual(run_cli(os.path.join(TESTDATA, "missing.ipynb"))[0], 2)
        self.assertEqual(run_cli(__file__)[0], 2)  # not JSON


if __name__ == "__main__":
    unittest.main()
