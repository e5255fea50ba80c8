"""The Jupyter server of the browser tests (scripts/notebook_ui.py, scripts/ui_test.py): started as `make jupyter`
starts it, always stopped with its kernels; plus the bounded wait and the error type every UI helper uses."""

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

POLL = 0.5  # seconds between two looks at what is awaited


class UIError(Exception):
    """A check or a bounded wait failed; the message says what and where."""


def wait_for(condition, timeout, what, poll=POLL):
    """Calls condition() until it returns a true value, which is returned; UIError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise UIError("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(poll)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def trust(jupyter, paths):
    """Marks notebooks as trusted (`jupyter trust`, as `make jupyter` does for notebooks/): Jupyter otherwise hides
    their saved markdown outputs and sanitises their HTML."""
    p = subprocess.run([jupyter, "trust"] + list(paths), capture_output=True, text=True)
    if p.returncode != 0:
        raise UIError("jupyter trust failed: %s" % (p.stderr.strip() or p.stdout.strip()))


class JupyterServer:
    """`jupyter notebook` as `make jupyter` starts it, on 127.0.0.1 at a free port with a random token.

    stop() (also on leaving the with block) shuts the kernels down through the REST API, sends the server SIGTERM,
    and kills whatever of its process tree is still alive after `grace` seconds."""

    def __init__(self, jupyter, notebook_dir, log_path, startup_timeout=90, grace=15):
        self.jupyter, self.notebook_dir, self.log_path = jupyter, os.path.abspath(notebook_dir), log_path
        self.startup_timeout, self.grace = startup_timeout, grace
        self.token = secrets.token_hex(16)
        self.proc = self.port = self._log = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self._log = open(self.log_path, "w", encoding="utf-8")
        try:
            for _ in range(3):  # another process may take the free port before the server binds it
                self.port = free_port()
                self.proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL, stdout=self._log,
                                             stderr=subprocess.STDOUT, env=dict(os.environ, JUPYTER_TOKEN=self.token),
                                             start_new_session=True)
                wait_for(self._ready_or_exited, self.startup_timeout, "Jupyter to answer on port %d" % self.port)
                if self.proc.poll() is None:
                    return
            raise UIError("Jupyter did not start (exit status %s); its log: %s" % (self.proc.returncode, self.log_path))
        except BaseException:
            self.stop()  # a with block does not call __exit__ when __enter__ fails
            raise

    def _command(self):
        cmd = [self.jupyter, "notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % self.port,
               "--NotebookApp.port_retries=0", "--notebook-dir=" + self.notebook_dir,
               # Safety net should this process be killed without cleaning up: kernels left idle and
               # disconnected are culled after 10 minutes, then the idle server exits.
               "--MappingKernelManager.cull_idle_timeout=600", "--MappingKernelManager.cull_interval=60",
               "--NotebookApp.shutdown_no_activity_timeout=900"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def _ready_or_exited(self):
        if self.proc.poll() is not None:
            return True
        try:
            return self.api("GET", "status") is not None
        except (OSError, urllib.error.URLError):
            return False

    def url(self, path):
        return "http://127.0.0.1:%d/%s?token=%s" % (self.port, path.lstrip("/"), self.token)

    def api(self, method, path):
        req = urllib.request.Request(self.url("api/" + path), method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else {}

    def shutdown_kernels(self):
        """Shuts every running kernel down (best effort: stop() kills what is left)."""
        try:
            for kernel in self.api("GET", "kernels"):
                self.api("DELETE", "kernels/" + kernel["id"])
        except (OSError, urllib.error.URLError, ValueError):
            pass

    def _descendants(self):
        """{pid: start time} of the server's process tree (kernels run in their own sessions: killpg misses them)."""
        children = {}
        for entry in filter(str.isdigit, os.listdir("/proc")):
            stat = _proc_stat(entry)
            if stat:
                children.setdefault(int(stat[1]), []).append((int(entry), stat[19]))
        todo, found = [self.proc.pid], {}
        while todo:
            for pid, started in children.get(todo.pop(), []):
                found[pid] = started
                todo.append(pid)
        return found

    def stop(self):
        if self.proc is None:
            if self._log:
                self._log.close()
            return
        if self.proc.poll() is None:
            tree = self._descendants()
            self.shutdown_kernels()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            for pid, started in tree.items():
                stat = _proc_stat(str(pid))
                if stat and stat[19] == started:  # still the same process, not a reused pid
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass  # it ended meanwhile
        self._log.close()
        self.proc = None


def _proc_stat(pid):
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), or None."""
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
