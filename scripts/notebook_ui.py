"""Drives Jupyter Notebook with the GoNB kernel in a real headless Chromium, as a user would (library).

Used by scripts/ui_test.py (`make ui-test`); tests of interactive notebooks (widgets) build on the same pieces:

    with JupyterServer(jupyter, notebook_dir, log_path) as server, Browser(out_dir) as browser:
        nb = Notebook(browser, server, "05_explorer.ipynb").open()
        nb.run_all(timeout=600)                      # Cell > Run All, waits until every cell ran
        cell = nb.cell_index_of("sharing :=")       # a cell found by its source
        nb.set_value(cell, "select", "gdes")         # a control in that cell's output
        before = nb.output_html(cell)
        nb.click(cell, "button.run")
        nb.wait_for_output_change(cell, before, timeout=120)
        problems = nb.problems()                     # check_notebook.py's rules on the live notebook + the DOM

Everything waits with a bound and fails with UIError naming what it waited for. Needs Debian's chromium,
chromium-driver and python3-selenium (scripts/setup.sh installs them) and Jupyter Notebook 6 (classic UI).
"""

import os
import re
import time

import check_notebook
from ui_server import POLL, JupyterServer, UIError, file_digest, trust, wait_for  # noqa: F401 (the library's API)

try:
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import Select
except ImportError:  # the pure parts (progress, wait_for, ...) stay usable; Browser says what is missing
    webdriver = None

    class WebDriverException(Exception):
        pass

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
_FINISHED = re.compile(r"\[\d+\]")  # the prompt of a cell that ran: In [12]:


class Browser:
    """Headless Chromium through chromedriver (WebDriver); screenshots go under out_dir."""

    def __init__(self, out_dir, width=1400, height=1000):
        self.out_dir = out_dir
        if webdriver is None:
            raise UIError("python3-selenium is not installed: run 'make setup' (scripts/setup.sh)")
        for exe in (CHROMIUM, CHROMEDRIVER):
            if not os.access(exe, os.X_OK):
                raise UIError("%s is missing: run 'make setup' (Debian packages chromium, chromium-driver)" % exe)
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=%d,%d" % (width, height), "--hide-scrollbars", "--force-device-scale-factor=1"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(CHROMEDRIVER, log_path=os.path.join(out_dir, "chromedriver.log"))
        try:
            self.driver = webdriver.Chrome(service=service, options=opts)
        except WebDriverException as e:
            raise UIError("cannot start %s through %s: %s" % (CHROMIUM, CHROMEDRIVER, e.msg)) from e
        self.driver.set_script_timeout(30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.driver.quit()

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def screenshot(self, name, element=None):
        """Saves out_dir/name (a .png), of element if given (scrolled into view) else of the window."""
        path = os.path.join(self.out_dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if element is not None:
            # A tall element is cut at the window's bottom: grow the window by what is hidden, let the page
            # re-lay itself out (two frames), take the shot, shrink it back.
            size = self.driver.get_window_size()
            top_js = "arguments[0].scrollIntoView({block: 'start'}); const r = arguments[0].getBoundingClientRect();" \
                     "return r.height - (window.innerHeight - r.top) + 20;"
            grow = int(min(self.js(top_js, element), 8000 - size["height"]))
            if grow > 0:
                self.driver.set_window_size(size["width"], size["height"] + grow)
                self.driver.execute_async_script(
                    "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(done));")
                self.js(top_js, element)
            element.screenshot(path)
            if grow > 0:
                self.driver.set_window_size(size["width"], size["height"])
        else:
            self.driver.save_screenshot(path)
        return path

    def console(self):
        """The browser console messages since the last call, as 'LEVEL message' lines."""
        return ["%s %s" % (e.get("level"), e.get("message")) for e in self.driver.get_log("browser")]


_STATE_JS = """
const icon = document.getElementById('kernel_indicator_icon');
const dialog = document.querySelector('.modal.in .modal-body');
return {
  kernel: icon ? icon.className : '',
  dialog: dialog ? dialog.innerText : '',
  cells: Jupyter.notebook.get_cells().map((c) => ({
    type: c.cell_type,
    prompt: c.cell_type === 'code' ? c.element.find('.input_prompt').first().text().trim() : '',
  })),
};
"""

_RENDER_JS = """
return Jupyter.notebook.get_cells().map((c) => ({
  images: Array.from(c.element[0].querySelectorAll('.output_area img')).map((img) => ({
    natural: [img.naturalWidth, img.naturalHeight], shown: [img.clientWidth, img.clientHeight]})),
  tabGlyphs: Array.from(c.element[0].querySelectorAll('.CodeMirror span.cm-tab')).filter(
    (s) => getComputedStyle(s).backgroundImage !== 'none').length,
}));
"""


def progress(state, until=None):
    """Where a run stands, from a _STATE_JS snapshot: ('done'|'running'|'dead', index of the first code cell that
    has not finished), looking at the cells before index until (all when None). With until the kernel may be busy
    (a cell after until is running, e.g. one that waits for widget events)."""
    cells = state["cells"] if until is None else state["cells"][:until]
    waiting = [i for i, c in enumerate(cells) if c["type"] == "code" and not _FINISHED.search(c["prompt"])]
    first = waiting[0] if waiting else None
    kernel = state["kernel"]
    if "dead" in kernel or "disconnected" in kernel:
        return "dead", first
    if not waiting and (until is not None or "idle" in kernel):
        return "done", None
    return "running", first


class Notebook:
    """One notebook open in the browser. Cells are numbered as nbformat does: from 0, markdown cells included."""

    def __init__(self, browser, server, path, kernel_name="Go (gonb)"):
        self.browser, self.server, self.path, self.kernel_name = browser, server, path, kernel_name

    def open(self, timeout=120):
        """Loads the notebook, waits for its kernel to be idle, checks the kernel's name and turns autosave off
        (the committed file must stay as it is)."""
        self.browser.driver.get(self.server.url("notebooks/" + self.path))
        wait_for(lambda: self.browser.js("return !!(window.Jupyter && Jupyter.notebook && "
                                         "Jupyter.notebook._fully_loaded)"), timeout, "%s to load" % self.path)
        self.browser.js("Jupyter.notebook.set_autosave_interval(0)")
        wait_for(lambda: "idle" in self.state()["kernel"], timeout, "the kernel of %s to start" % self.path)
        shown = self.browser.js("return document.querySelector('.kernel_indicator_name').innerText").strip()
        if shown != self.kernel_name:
            raise UIError("%s: the kernel shown is %r, want %r" % (self.path, shown, self.kernel_name))
        return self

    def state(self):
        state = self.browser.js(_STATE_JS)
        if state["dialog"]:
            raise UIError("%s: a dialog is open: %s" % (self.path, state["dialog"].strip()[:300]))
        return state

    def source(self, index):
        return self.browser.js("return Jupyter.notebook.get_cell(arguments[0]).get_text()", index)

    def describe(self, index):
        """'cell 4 (In [3]: first line of its source, or of its body after GoNB's %%)', for messages."""
        prompt = self.state()["cells"][index]["prompt"].replace("In\xa0", "In ").rstrip(":")
        lines = [l.strip() for l in self.source(index).splitlines()]
        if "%%" in lines:  # GoNB's main body says more than the imports above it
            lines = lines[lines.index("%%") + 1:]
        lines = [l for l in lines if l]
        first = lines[0][:80] if lines else "(empty)"
        return "cell %d (%s: %s)" % (index, prompt or "not run", first)

    def cell_index_of(self, text):
        """The index of the first cell whose source contains text."""
        for index in range(len(self.state()["cells"])):
            if text in self.source(index):
                return index
        raise UIError("%s: no cell contains %r" % (self.path, text))

    def menu(self, *item_ids):
        """Clicks through the menu bar: menu("celllink", "run_all_cells") is Cell > Run All."""
        driver = self.browser.driver
        driver.find_element("id", item_ids[0]).click()
        for item in item_ids[1:]:
            link = driver.find_element("css selector", "#%s > a" % item)
            wait_for(link.is_displayed, 10, "menu item #%s to show" % item)
            webdriver.ActionChains(driver).move_to_element(link).click().perform()

    def run_all(self, timeout, until=None):
        """Cell > All Output > Clear, then Cell > Run All, then wait(timeout, until)."""
        before = [c["prompt"] for c in self.state()["cells"]]
        self.menu("celllink", "all_outputs", "clear_all_output")
        self.menu("celllink", "run_all_cells")

        def started():  # queued cells show In [*] at once: a run that has not begun must not pass as done
            now = [c["prompt"] for c in self.state()["cells"]]
            return any("*" in p for p in now) or all(_FINISHED.search(p) and p != q for p, q in zip(now, before))
        wait_for(started, 10, "Run All to start")
        return self.wait(timeout, until)

    def wait(self, timeout, until=None, stall=20):
        """Waits until every code cell (before index until, when given) ran and, without until, the kernel is idle;
        returns the seconds waited. UIError naming the cell when it runs past timeout, when the kernel dies, or
        when the kernel stays idle stall seconds while cells still wait (execution aborted)."""
        start, idle_since = time.monotonic(), None
        while True:
            state = self.state()
            status, first = progress(state, until)
            if status == "done":
                return time.monotonic() - start
            if status == "dead":
                raise UIError("%s: the kernel died while running %s" % (self.path, self.describe(first)))
            if time.monotonic() - start > timeout:
                raise UIError("%s: still running %s after %ds" % (self.path, self.describe(first), timeout))
            idle_since = (idle_since or time.monotonic()) if "idle" in state["kernel"] else None
            if idle_since and time.monotonic() - idle_since > stall:
                raise UIError("%s: the kernel is idle but %s never ran (aborted after an error above?)"
                              % (self.path, self.describe(first)))
            time.sleep(POLL)

    def problems(self):
        """check_notebook.py's rules applied to the notebook as the browser holds it (cells and their outputs
        received from the kernel), plus tab glyphs drawn in the editor: a list of 'cell ...: what' strings."""
        nb = self.browser.js("return Jupyter.notebook.toJSON()")
        found = ["%s: %s" % (self.describe(i) if i is not None else "notebook", msg)
                 for i, _, msg in check_notebook.check_notebook(nb, kernel="gonb")]
        for i, cell in enumerate(self.rendering()):
            if cell["tabGlyphs"]:
                found.append("%s: %d tab glyph(s) drawn in the editor" % (self.describe(i), cell["tabGlyphs"]))
        return found

    def rendering(self):
        """Per cell: its output images' natural and shown sizes, and the tab glyphs its editor draws."""
        return self.browser.js(_RENDER_JS)

    def cell_element(self, index):
        return self.browser.js("return Jupyter.notebook.get_cell(arguments[0]).element[0]", index)

    def screenshot_cells(self, prefix):
        """One screenshot per code cell (source and outputs): prefix-NN.png; returns the paths."""
        return [self.browser.screenshot("%s-%02d.png" % (prefix, i), self.cell_element(i))
                for i, c in enumerate(self.state()["cells"]) if c["type"] == "code"]

    # Interaction with what a cell displays (widgets): bounded waits, the cell named in every failure.

    def widgets_connected(self):
        """None when the page's GoNB widget connection (gonb_comm, set up when a cell first shows a widget) is up,
        else why not. GoNB v0.11.1 gives the kernel 500 ms to acknowledge it; on a busy machine that can fail, and
        the widgets then show but never reach the program. Re-running the cell tries again (start_widgets)."""
        return self.browser.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; const c = globalThis.gonb_comm;"
            "if (!c) { done('the page has no GoNB connection (gonb_comm)'); return; }"
            "c._is_connected.then(() => done(null), (e) => done(String(e)));")

    def start_widgets(self, index, css, timeout, retries=2):
        """Waits for css (a control) in the output of the running cell index and for the widget connection; when
        that failed, interrupts the kernel (Kernel > Interrupt) and runs the cell again (Cell > Run Cells), up to
        retries times. Returns the notes of the retries made."""
        notes = []
        while True:
            self.find(index, css, timeout)
            why = self.widgets_connected()
            if why is None:
                return notes
            if len(notes) == retries:
                raise UIError("%s: GoNB's widget connection failed %d times: %s" % (self.describe(index), retries + 1,
                                                                                    why))
            notes.append("%s: GoNB's widget connection failed (%s); cell run again" % (self.describe(index), why))
            self.menu("kernellink", "int_kernel")
            wait_for(lambda: progress(self.state(), index + 1)[0] == "done", 60,
                     "%s to stop after Kernel > Interrupt" % self.describe(index))
            self.cell_element(index).find_element("css selector", ".input_prompt").click()  # selects the cell
            self.menu("celllink", "run_cell")
            wait_for(lambda: "*" in self.state()["cells"][index]["prompt"], 10, "%s to start" % self.describe(index))

    def output_html(self, index):
        return self.browser.js("return Jupyter.notebook.get_cell(arguments[0]).output_area.element[0].innerHTML",
                               index)

    def find(self, index, css, timeout=30):
        """The first element matching css in the outputs of cell index, waiting for it to appear."""
        query = "return Jupyter.notebook.get_cell(arguments[0]).output_area.element[0].querySelector(arguments[1])"
        return wait_for(lambda: self.browser.js(query, index, css), timeout,
                        "%r in the output of %s" % (css, self.describe(index)))

    def click(self, index, css, timeout=30):
        el = self.find(index, css, timeout)
        self.browser.js("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()

    def set_value(self, index, css, value, timeout=30):
        """Sets a control in a cell's output as a user would: a <select> by option value, any other input (slider,
        text, number) by value followed by the input and change events its listeners wait for."""
        el = self.find(index, css, timeout)
        if el.tag_name.lower() == "select":
            Select(el).select_by_value(str(value))
            return
        self.browser.js("const el = arguments[0]; el.value = arguments[1];"
                        "el.dispatchEvent(new Event('input', {bubbles: true}));"
                        "el.dispatchEvent(new Event('change', {bubbles: true}));", el, str(value))

    def wait_for_output_change(self, index, before, timeout):
        """Waits until the output of cell index differs from before (an earlier output_html); returns it."""
        def changed():
            now = self.output_html(index)
            return now if now != before else None
        return wait_for(changed, timeout, "the output of %s to change" % self.describe(index))
