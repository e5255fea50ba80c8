package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// folderState is what a case's output folder must hold afterwards.
type folderState string

const (
	outAbsent    folderState = "absent"    // it does not exist
	outUnchanged folderState = "unchanged" // it holds exactly what it held before
	outModel     folderState = "model"     // a model folder checkpoints.Open loads, with nothing of the old content
)

// cliCase is one command line: its exit status, a fragment of its output (stderr and stdout) and the state of
// its output folder afterwards.
type cliCase struct {
	name  string
	args  []string
	code  int
	msg   string
	out   string // output folder to check ("": none)
	state folderState
}

// TestCLIBadInputs runs every command on bad input (and a few good ones) through runMain, as a user would:
// every case fails with exit status 1 and one clear line, without touching the output folder, or succeeds
// with a complete, loadable output folder.
func TestCLIBadInputs(t *testing.T) {
	tmp := t.TempDir()
	fresh := func(name string) string { return filepath.Join(tmp, "new", name) }
	if err := os.MkdirAll(filepath.Join(tmp, "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	rtd, nli := tinyModel(t, tinymodels.RTD), tinyModel(t, tinymodels.NLI)
	nan := nanModel(t, rtd)
	mine := userFolder(t)
	ids := npyInts(t, tmp, "ids.npy", []int{1, 2}, []int64{1, 5})
	ones := npyInts(t, tmp, "ones.npy", []int{1, 2}, []int64{1, 1})
	sst := labelledTSV(t, filepath.Join(tmp, "sst.tsv"), 40, "0", "1")
	unseen := filepath.Join(tmp, "unseen")
	labelledTSV(t, filepath.Join(unseen, "train.tsv"), 20, "a", "b")
	labelledTSV(t, filepath.Join(unseen, "dev.tsv"), 9, "a", "b", "c")
	negPos := labelledTSV(t, filepath.Join(tmp, "negpos.tsv"), 40, "neg", "pos", "other")
	nliTask := labelledTSV(t, filepath.Join(tmp, "nli.tsv"), 40, "neutral", "entailment", "contradiction")
	corpus := smallCorpus(t, filepath.Join(tmp, "corpus.txt"), 40)
	empty := writeFile(t, filepath.Join(tmp, "empty.txt"), "")
	pairs := writeFile(t, filepath.Join(tmp, "pairs.jsonl"), `["a", "b", "c"]`+"\n")
	single := writeFile(t, filepath.Join(tmp, "single.jsonl"), `["a"]`+"\n")
	null := writeFile(t, filepath.Join(tmp, "null.jsonl"), `null`+"\n")
	runDir := filepath.Join(tmp, "run")
	if err := runPretrain(tinyPretrainArgs(corpus, runDir, 2), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	ft := []string{"--max-length", "16", "--batch", "4", "--steps", "1"}
	interrupted := filepath.Join(tmp, "interrupted")
	writeFile(t, filepath.Join(interrupted, "checkpoint", "flags.json"), `{"lr": "0.0001", "steps": "1"}`)
	pretrainArgs := func(corpus, out string) []string {
		return append([]string{"pretrain"}, tinyPretrainArgs(corpus, out, 2)...)
	}

	cases := []cliCase{
		// Data loss and mixed folders.
		{"convert into a user's folder", []string{"convert", "--model", rtd, "--out", mine}, 1, "--overwrite", mine, outUnchanged},
		{"convert --overwrite replaces it whole", []string{"convert", "--model", rtd, "--out", mine, "--overwrite"}, 0, "written as F16", mine, outModel},
		{"convert --dtype F8", []string{"convert", "--model", rtd, "--out", fresh("f8"), "--dtype", "F8"}, 1, `dtype "F8"`, fresh("f8"), outAbsent},
		{"convert --emd without --generator", []string{"convert", "--model", rtd, "--out", fresh("emd"), "--emd"}, 1, "--emd only applies with --generator", fresh("emd"), outAbsent},
		{"convert a missing folder", []string{"convert", "--model", fresh("none"), "--out", fresh("c")}, 1, "local folder not found", fresh("c"), outAbsent},
		{"convert into a file", []string{"convert", "--model", rtd, "--out", sst}, 1, "not a folder", "", ""},
		{"convert into a new nested folder", []string{"convert", "--model", rtd, "--out", fresh("a/b/c")}, 0, "written as F16", fresh("a/b/c"), outModel},
		{"finetune into a user's folder", append([]string{"finetune", "--task", "tsv:" + sst, "--model", rtd, "--out", mine}, ft...), 1, "--overwrite", mine, outUnchanged},
		{"finetune --save-dtype F8", append([]string{"finetune", "--task", "tsv:" + sst, "--model", rtd, "--out", fresh("ft"), "--save-dtype", "F8"}, ft...), 1, "--save-dtype", fresh("ft"), outAbsent},
		{"finetune --resume without a run", append([]string{"finetune", "--task", "tsv:" + sst, "--model", rtd, "--out", mine, "--resume"}, ft...), 1, "no interrupted fine-tuning", mine, outUnchanged},
		{"finetune --resume with other settings", []string{"finetune", "--out", interrupted, "--resume", "--lr", "0.1", "--steps", "1"}, 1, "--lr 0.1 (run: 0.0001)", interrupted, outUnchanged},
		{"finetune --resume --overwrite", []string{"finetune", "--out", interrupted, "--resume", "--overwrite"}, 1, "choose one", interrupted, outUnchanged},
		{"finetune --lr 0", append([]string{"finetune", "--task", "tsv:" + sst, "--model", rtd, "--out", fresh("lr"), "--lr", "0"}, ft...), 1, "LR", fresh("lr"), outAbsent},
		{"pretrain into an earlier run", pretrainArgs(corpus, runDir), 1, "--resume to continue", runDir, outUnchanged},
		{"pretrain into a user's folder", pretrainArgs(corpus, mine), 1, "--overwrite", mine, outUnchanged},
		{"pretrain on an empty corpus", pretrainArgs(empty, fresh("p")), 1, "no training sequences", fresh("p"), outAbsent},
		{"pretrain --resume with other settings", []string{"pretrain", "--out", runDir, "--resume", "--layers", "4", "--lr", "0.01"}, 1, "--layers 4 (run: 2), --lr 0.01 (run: 0.0005)", runDir, outUnchanged},
		{"pretrain --resume on a user's folder", []string{"pretrain", "--out", mine, "--resume"}, 1, "not a run folder", mine, outUnchanged},
		{"pretrain --resume --overwrite", []string{"pretrain", "--out", runDir, "--resume", "--overwrite"}, 1, "choose one", runDir, outUnchanged},
		{"pretrain --sharing xes", append(pretrainArgs(corpus, fresh("s")), "--sharing", "xes"), 1, "xes", fresh("s"), outAbsent},
		{"pretrain --temperature 0", append(pretrainArgs(corpus, fresh("t")), "--temperature", "0"), 1, "--temperature", fresh("t"), outAbsent},
		{"pretrain --gen-hidden 24", append(pretrainArgs(corpus, fresh("gh")), "--gen-hidden", "24"), 1, "--gen-hidden 24 must divide --hidden 32", fresh("gh"), outAbsent},
		{"pretrain --resume --rtd-weight 10", []string{"pretrain", "--out", runDir, "--resume", "--rtd-weight", "10"}, 1, "--rtd-weight 10 (run: 50)", runDir, outUnchanged},
		// Panics and runaway memory.
		{"info: 1e6 layers", []string{"info", "--model", editConfig(t, rtd, "num_hidden_layers", "1000000")}, 1, `"num_hidden_layers" is 1000000`, "", ""},
		{"info: 1000 layers, weights of 2", []string{"info", "--model", editConfig(t, rtd, "num_hidden_layers", "1000")}, 1, "missing key", "", ""},
		{"dump: empty batch", []string{"dump", "--model", rtd, "--ids", npyInts(t, tmp, "b0.npy", []int{0, 6}, nil), "--mask", ones, "--out", fresh("d")}, 1, "must not be empty", fresh("d"), outAbsent},
		{"dump: empty sequences", []string{"dump", "--model", rtd, "--ids", npyInts(t, tmp, "s0.npy", []int{1, 0}, nil), "--mask", ones, "--out", fresh("d")}, 1, "must not be empty", fresh("d"), outAbsent},
		{"dump: mask value 7", []string{"dump", "--model", rtd, "--ids", ids, "--mask", npyInts(t, tmp, "m7.npy", []int{1, 2}, []int64{1, 7}), "--out", fresh("d")}, 1, "0 (padding) and 1 (token) only", fresh("d"), outAbsent},
		{"dump: mask value -1", []string{"dump", "--model", rtd, "--ids", ids, "--mask", npyInts(t, tmp, "m-1.npy", []int{1, 2}, []int64{-1, 1}), "--out", fresh("d")}, 1, "0 (padding) and 1 (token) only", fresh("d"), outAbsent},
		{"dump: a row without tokens", []string{"dump", "--model", rtd, "--ids", ids, "--mask", npyInts(t, tmp, "m00.npy", []int{1, 2}, []int64{0, 0}), "--out", fresh("d")}, 1, "row 0 has no token", fresh("d"), outAbsent},
		{"dump into a user's folder", []string{"dump", "--model", rtd, "--ids", ids, "--mask", ones, "--out", mine}, 1, "--overwrite", mine, outUnchanged},
		// Silent wrong results.
		{"eval: labels by name", []string{"eval", "--task", "tsv:" + negPos, "--model", nli, "--max-length", "16"}, 1, "labels are matched by name", "", ""},
		{"eval: same labels, other order", []string{"eval", "--task", "tsv:" + nliTask, "--model", nli, "--max-length", "16", "--max-eval", "4"}, 0, `"split":"test"`, "", ""},
		{"eval --split train", []string{"eval", "--task", "tsv:" + nliTask, "--model", nli, "--split", "train"}, 1, "want dev or test", "", ""},
		{"finetune: dev labels absent from train", append([]string{"finetune", "--task", "tsv:" + unseen, "--model", rtd, "--out", fresh("u")}, ft...), 1, "train lacks: c", fresh("u"), outAbsent},
		{"tokenize --pair, 3 strings", []string{"tokenize", "--model", rtd, "--pair", "--input", pairs}, 1, "two strings", "", ""},
		{"tokenize --pair, 1 string", []string{"tokenize", "--model", rtd, "--pair", "--input", single}, 1, "two strings", "", ""},
		{"tokenize --pair, null", []string{"tokenize", "--model", rtd, "--pair", "--input", null}, 1, "two strings", "", ""},
		{"detect: NaN weights", []string{"detect", "--model", nan, "a b c"}, 1, "input 1: the model produced NaN", "", ""},
		{"embed: NaN weights", []string{"embed", "--model", nan, "a b c"}, 1, "input 1: the model produced NaN", "", ""},
		// What already worked, kept.
		{"info: corrupt weights", []string{"info", "--model", truncatedModel(t, rtd)}, 1, "model.safetensors", "", ""},
		{"info: config type", []string{"info", "--model", editConfig(t, rtd, "hidden_size", `"768"`)}, 1, `"hidden_size"`, "", ""},
		{"dump: float ids", []string{"dump", "--model", rtd, "--ids", sst, "--mask", ones, "--out", fresh("d")}, 1, "sst.tsv", fresh("d"), outAbsent},
		{"bench --batch 0", []string{"bench", "--batch", "0"}, 1, "--batch, --seq and --iters must be > 0", "", ""},
		{"bench --mode sing", []string{"bench", "--mode", "sing"}, 1, `--mode "sing"`, "", ""},
		{"fill-mask --top-k 0", []string{"fill-mask", "--model", rtd, "--top-k", "0", "a [MASK]"}, 1, "--top-k > 0", "", ""},
		{"embed --batch-size 0", []string{"embed", "--model", rtd, "--batch-size", "0", "a"}, 1, "--batch-size", "", ""},
		{"eval without --model", []string{"eval", "--task", "tsv:" + sst}, 1, "--model is required", "", ""},
		{"finetune: unknown task", append([]string{"finetune", "--task", "glue", "--model", rtd, "--out", fresh("t")}, ft...), 1, `unknown task "glue"`, fresh("t"), outAbsent},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`, "", ""},
		{"unknown flag", []string{"info", "--frob"}, 1, "flag provided but not defined: -frob", "", ""},
		// Consistency: what pretrain writes, every command loads.
		{"fill-mask on a pretrain generator", []string{"fill-mask", "--model", filepath.Join(runDir, "generator"), "the [MASK] sea"}, 0, `"masks"`, "", ""},
		{"fill-mask --generator on it", []string{"fill-mask", "--model", filepath.Join(runDir, "generator"), "--generator", "the [MASK] sea"}, 0, `"masks"`, "", ""},
		{"info on a pretrain generator", []string{"info", "--model", filepath.Join(runDir, "generator")}, 0, "mlm", "", ""},
		{"convert a pretrain generator", []string{"convert", "--model", filepath.Join(runDir, "generator"), "--out", fresh("g")}, 0, "written as F16", fresh("g"), outModel},
		{"dump a pretrain generator", []string{"dump", "--model", filepath.Join(runDir, "generator"), "--ids", ids, "--mask", ones, "--out", fresh("gd")}, 0, "wrote", "", ""},
		{"detect on a pretrain discriminator", []string{"detect", "--model", filepath.Join(runDir, "discriminator"), "the sea"}, 0, `"tokens"`, "", ""},
	}
	cases = append(cases, helpCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkCLICase(t, c) })
	}
}

// helpCases: -h, --help and help CMD print the command's usage and succeed, for every command.
func helpCases() []cliCase {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []cliCase
	for _, n := range names {
		for _, args := range [][]string{{n, "-h"}, {n, "--help"}, {"help", n}} {
			out = append(out, cliCase{strings.Join(args, " "), args, 0, "usage: deberta " + n, "", ""})
		}
	}
	return append(out, cliCase{"help", []string{"help"}, 0, "usage: deberta <command>", "", ""})
}

// checkCLICase runs one case and checks its exit status, message and output folder.
func checkCLICase(t *testing.T, c cliCase) {
	before := snapshot(t, c.out)
	var stdout, stderr bytes.Buffer
	var code int
	logged := captureStderr(t, func() { code = runMain(c.args, &stdout, &stderr) })
	all := stderr.String() + logged + stdout.String()
	if code != c.code || !strings.Contains(all, c.msg) {
		t.Errorf("deberta %s: exit %d, want %d with %q; output:\n%s", strings.Join(c.args, " "), code, c.code, c.msg, all)
	}
	if code == 1 && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
		t.Errorf("error of more than one line:\n%s", stderr.String())
	}
	if strings.Contains(all, "goroutine ") || strings.Contains(all, "panic") {
		t.Errorf("panic:\n%s", all)
	}
	checkFolderState(t, c.out, c.state, before)
}

// checkFolderState checks that dir is in state, given its snapshot before the command.
func checkFolderState(t *testing.T, dir string, state folderState, before []string) {
	t.Helper()
	after := snapshot(t, dir)
	_, statErr := os.Stat(dir)
	switch state {
	case outAbsent:
		if !os.IsNotExist(statErr) {
			t.Errorf("%s exists: %v", dir, after)
		}
	case outUnchanged:
		if !slices.Equal(before, after) {
			t.Errorf("%s changed:\nbefore %v\nafter  %v", dir, before, after)
		}
	case outModel:
		if _, _, err := checkpoints.Open(dir, checkpoints.OpenOptions{}); err != nil {
			t.Errorf("%s does not load: %v", dir, err)
		}
		for _, f := range before {
			if slices.Contains(after, f) && !strings.HasPrefix(f, "spm.model") {
				t.Errorf("%s kept %s of its old content", dir, f)
			}
		}
	}
	if siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp-*")); dir != "" && len(siblings) > 0 {
		t.Errorf("temporary folders left: %v", siblings)
	}
}
