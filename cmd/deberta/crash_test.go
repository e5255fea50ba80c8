//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/finetune"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/pretrain"
)

// child is the deberta command run by this test binary in a child process.
type child struct {
	cmd    *exec.Cmd
	stderr lockedBuffer
}

// lockedBuffer is a bytes.Buffer safe to read while the child writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0], args...)}
	c.cmd.Env = append(os.Environ(), asCLI+"=1")
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// wait returns the exit status.
func (c *child) wait() int {
	err := c.cmd.Wait()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		return exit.ExitCode()
	}
	return 0
}

// killPoint says when to SIGKILL a command: after a delay, or as soon as a temporary sibling of its output
// folder appears (while it writes the folder).
type killPoint struct {
	delay  time.Duration
	ofTemp string // kill when this folder has a temporary sibling
}

func (k killPoint) String() string {
	if k.ofTemp != "" {
		return "while writing " + filepath.Base(k.ofTemp)
	}
	return "after " + k.delay.Round(time.Millisecond).String()
}

// runKilled runs deberta args and SIGKILLs it at k; it reports whether the kill came before the command ended,
// and whether it left a temporary sibling of k.ofTemp (a kill in the middle of writing it).
func runKilled(t *testing.T, k killPoint, args ...string) (killed, midWrite bool) {
	t.Helper()
	dir, prefix := filepath.Dir(k.ofTemp), "."+filepath.Base(k.ofTemp)+".tmp-"
	var timer, tick <-chan time.Time
	var created <-chan struct{}
	var w *createWatch
	if k.ofTemp == "" {
		timer = time.After(k.delay)
	} else {
		w = newCreateWatch(t, prefix)
		defer w.f.Close()
		created = w.ch
		if !w.add(dir) {
			ticker := time.NewTicker(100 * time.Microsecond) // watch dir once the command has made it
			defer ticker.Stop()
			tick = ticker.C
		}
	}
	c := startChild(t, args...)
	done := make(chan int, 1)
	go func() { done <- c.wait() }()
	for {
		select {
		case <-done:
			return false, false
		case <-timer:
		case <-created:
		case <-tick:
			if w.add(dir) {
				tick = nil
			}
			continue
		}
		c.cmd.Process.Kill()
		<-done
		m, _ := filepath.Glob(filepath.Join(dir, prefix+"*"))
		return true, k.ofTemp != "" && len(m) > 0
	}
}

// createWatch closes ch as soon as an entry whose name starts with prefix is created in a watched folder
// (inotify).
type createWatch struct {
	fd int
	f  *os.File
	ch chan struct{}
}

func newCreateWatch(t *testing.T, prefix string) *createWatch {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	w := &createWatch{fd: fd, f: os.NewFile(uintptr(fd), "inotify"), ch: make(chan struct{})}
	go w.read(prefix)
	return w
}

// add watches dir; false when it does not exist (yet).
func (w *createWatch) add(dir string) bool {
	_, err := unix.InotifyAddWatch(w.fd, dir, unix.IN_CREATE)
	return err == nil
}

func (w *createWatch) read(prefix string) {
	buf := make([]byte, 64*1024)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			if strings.HasPrefix(name, prefix) {
				close(w.ch)
				return
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

// timed runs deberta args to completion and returns how long it took.
func timed(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	c := startChild(t, args...)
	if code := c.wait(); code != 0 {
		t.Fatalf("deberta %s: exit %d\n%s", strings.Join(args, " "), code, c.stderr.String())
	}
	return time.Since(start)
}

// killPoints are kills spread over a run of duration d, and one while the output folder out is written.
func killPoints(d time.Duration, out string) []killPoint {
	return []killPoint{{delay: d / 5}, {delay: d / 2}, {delay: d * 4 / 5}, {delay: d, ofTemp: out}}
}

// TestCrashConvert: convert --overwrite killed at several points leaves the old conversion or the new one,
// byte for byte.
func TestCrashConvert(t *testing.T) {
	src := tinyModel(t, tinymodels.RTD)
	dir := t.TempDir()
	out, ref := filepath.Join(dir, "out"), filepath.Join(dir, "ref")
	timed(t, "convert", "--model", src, "--out", out, "--dtype", "F32")
	d := timed(t, "convert", "--model", src, "--out", ref, "--dtype", "F16")
	oldSnap, newSnap := snapshot(t, out), snapshot(t, ref)
	for _, k := range killPoints(d, out) {
		killed, mid := runKilled(t, k, "convert", "--model", src, "--out", out, "--dtype", "F16", "--overwrite")
		got := snapshot(t, out)
		if !slices.Equal(got, oldSnap) && !slices.Equal(got, newSnap) {
			t.Errorf("killed %v (%v): %s is a mix: %v", k, killed, out, got)
		}
		if _, _, err := checkpoints.Open(out, checkpoints.OpenOptions{}); err != nil {
			t.Errorf("killed %v: does not load: %v", k, err)
		}
		t.Logf("kill %v: killed %v (mid-write %v), new %v", k, killed, mid, slices.Equal(got, newSnap))
		if slices.Equal(got, newSnap) { // start again from the old one
			timed(t, "convert", "--model", src, "--out", out, "--dtype", "F32", "--overwrite")
		}
	}
	timed(t, "convert", "--model", src, "--out", out, "--dtype", "F16", "--overwrite")
	if got := snapshot(t, out); !slices.Equal(got, newSnap) {
		t.Errorf("after a clean run: %v", got)
	}
	checkNoTemporaries(t, out)
}

// TestCrashFinetune: finetune --overwrite killed at several points leaves the user's old folder or the
// complete new result (results.json and a loadable model/).
func TestCrashFinetune(t *testing.T) {
	dir := t.TempDir()
	model := tinyModel(t, tinymodels.RTD)
	task := labelledTSV(t, filepath.Join(dir, "sst.tsv"), 40, "0", "1")
	pristine, out := userFolder(t), filepath.Join(dir, "mine")
	oldSnap := snapshot(t, pristine)
	args := []string{"finetune", "--task", "tsv:" + task, "--model", model, "--max-length", "16", "--batch", "4", "--steps", "12",
		"--eval-every", "4", "--out"}
	d := timed(t, append(args, filepath.Join(dir, "ref"))...)
	for _, k := range killPoints(d, out) {
		restore(t, pristine, out)
		killed, mid := runKilled(t, k, append(args, out, "--overwrite")...)
		got := snapshot(t, out)
		isNew := checkFinetuneOut(t, out)
		if !slices.Equal(got, oldSnap) && !isNew {
			t.Errorf("killed %v (%v): %s is neither the old folder nor a complete result: %v", k, killed, out, got)
		}
		t.Logf("kill %v: killed %v (mid-write %v), new %v", k, killed, mid, isNew)
	}
	timed(t, append(args, out, "--overwrite")...)
	if !checkFinetuneOut(t, out) {
		t.Errorf("after a clean run: %v", snapshot(t, out))
	}
	checkNoTemporaries(t, out)
}

// restore makes dst a copy of src.
func restore(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.RemoveAll(dst); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

// checkFinetuneOut reports whether dir is a complete fine-tuning result.
func checkFinetuneOut(t *testing.T, dir string) bool {
	t.Helper()
	res, err := finetune.ReadResult(filepath.Join(dir, "results.json"))
	if err != nil {
		return false
	}
	if _, _, err := checkpoints.Open(filepath.Join(dir, "model"), checkpoints.OpenOptions{}); err != nil || res.Steps != 12 {
		t.Errorf("%s: results.json without a loadable model: %v", dir, err)
		return false
	}
	return true
}

// TestCrashPretrain: pretrain --overwrite killed at several points leaves the earlier run untouched, or a
// new run that --resume continues (from its latest complete checkpoint, or from step 0) to a loadable export.
func TestCrashPretrain(t *testing.T) {
	dir := t.TempDir()
	corpus := smallCorpus(t, filepath.Join(dir, "corpus.txt"), 40)
	out, old := filepath.Join(dir, "run"), filepath.Join(dir, "old")
	timed(t, append([]string{"pretrain"}, tinyPretrainArgs(corpus, old, 2)...)...)
	// Without its checkpoint folder (as a run stopped before its first save), so that the kill point in the new
	// run's checkpoint folder watches the new folder, not the old one.
	if err := os.RemoveAll(filepath.Join(old, pretrain.CheckpointDir)); err != nil {
		t.Fatal(err)
	}
	oldSnap := snapshot(t, old)
	newRun := func(out string) []string {
		return append(append([]string{"pretrain"}, tinyPretrainArgs(corpus, out, 12)...), "--save-every", "2", "--seed", "4")
	}
	d := timed(t, newRun(filepath.Join(dir, "ref"))...)
	resumed := false
	points := append(killPoints(d, out), killPoint{delay: d, ofTemp: filepath.Join(out, pretrain.CheckpointDir, "step-00000004")})
	for _, k := range points {
		restore(t, old, out)
		killed, mid := runKilled(t, k, append(newRun(out), "--overwrite")...)
		if got := snapshot(t, out); slices.Equal(got, oldSnap) {
			t.Logf("kill %v: killed %v (mid-write %v), old run", k, killed, mid)
			continue
		}
		info, err := pretrain.ReadRunInfo(out)
		if err != nil || info.Train.Seed != 4 {
			t.Fatalf("killed %v: %s is neither the old run nor a new one: %+v %v", k, out, info.Train, err)
		}
		_, st, err := pretrain.Resume(out, nil)
		if err != nil && !errors.Is(err, pretrain.ErrNoCheckpoint) {
			t.Fatalf("killed %v: the new run does not resume: %v", k, err)
		}
		t.Logf("kill %v: killed %v (mid-write %v), new run at step %d", k, killed, mid, st.Step)
		if killed && !resumed {
			resumed = true
			c := startChild(t, "pretrain", "--out", out, "--resume", "--log-every", "1")
			if code := c.wait(); code != 0 {
				t.Fatalf("--resume after the kill: exit %d\n%s", code, c.stderr.String())
			}
			if _, _, err := checkpoints.Open(filepath.Join(out, "discriminator"), checkpoints.OpenOptions{}); err != nil {
				t.Errorf("export after --resume: %v", err)
			}
			checkMetricSteps(t, out, 12)
		}
	}
	if !resumed {
		t.Log("no kill landed in the new run: nothing resumed")
	}
}

// checkMetricSteps checks that metrics.jsonl of run holds steps 1..n once each.
func checkMetricSteps(t *testing.T, run string, n int) {
	t.Helper()
	recs, err := pretrain.ReadMetrics(run)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r.Step != i+1 {
			t.Fatalf("metrics line %d is step %d: want steps 1..%d once each", i+1, r.Step, n)
		}
	}
	if len(recs) != n {
		t.Errorf("%d metrics lines, want %d", len(recs), n)
	}
}

func checkNoTemporaries(t *testing.T, dir string) {
	t.Helper()
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-*")); len(m) > 0 {
		t.Errorf("temporary folders left after a clean run: %v", m)
	}
}

// TestInterruptResume: SIGINT or SIGTERM during pretrain and finetune saves the state at the next step and
// says where (exit 130 / 143); --resume then finishes the run.
func TestInterruptResume(t *testing.T) {
	dir := t.TempDir()
	corpus := smallCorpus(t, filepath.Join(dir, "corpus.txt"), 40)
	task := labelledTSV(t, filepath.Join(dir, "sst.tsv"), 40, "0", "1")
	model := tinyModel(t, tinymodels.RTD)
	run, ft := filepath.Join(dir, "run"), filepath.Join(dir, "ft")
	for _, c := range []struct {
		name   string
		args   []string
		out    string
		signal syscall.Signal
		check  func()
		resume []string // flags of the resumed run
		after  string   // the signal is sent once stderr holds this
	}{
		{"pretrain", append([]string{"pretrain"}, tinyPretrainArgs(corpus, run, 60)...), run, syscall.SIGINT,
			func() { checkMetricSteps(t, run, 60) }, []string{"--log-every", "1"}, "step 2/"},
		{"finetune", []string{"finetune", "--task", "tsv:" + task, "--model", model, "--max-length", "16", "--batch", "4",
			"--steps", "60", "--eval-every", "20", "--out", ft}, ft, syscall.SIGTERM,
			func() {
				if res, err := finetune.ReadResult(filepath.Join(ft, "results.json")); err != nil || res.Steps != 60 || len(res.History) != 3 {
					t.Errorf("results after --resume: %+v %v", res, err)
				}
			}, nil, "step 3/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := startChild(t, c.args...)
			waitFor(t, p, c.after)
			p.cmd.Process.Signal(c.signal)
			code := p.wait()
			msg := p.stderr.String()
			if code != 128+int(c.signal) || !strings.Contains(msg, "the state is saved in "+c.out) || !strings.Contains(msg, "--resume") {
				t.Fatalf("after %v: exit %d\n%s", c.signal, code, msg)
			}
			r := startChild(t, append([]string{c.name, "--out", c.out, "--resume"}, c.resume...)...)
			if code := r.wait(); code != 0 {
				t.Fatalf("--resume: exit %d\n%s", code, r.stderr.String())
			}
			c.check()
		})
	}
}

// waitFor waits until the child's stderr holds s (or it ends).
func waitFor(t *testing.T, c *child, s string) {
	t.Helper()
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(5 * time.Millisecond) {
		if strings.Contains(c.stderr.String(), s) {
			return
		}
	}
	t.Fatalf("no %q in:\n%s", s, c.stderr.String())
}
