package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// TestModelFlagTakesHubNames runs every subcommand with a --model flag on hub names of a fake hub: online
// (downloading into the HuggingFace cache), then with the hub gone and HF_HUB_OFFLINE=1 (from the cache), where
// the same inputs must give the same output.
func TestModelFlagTakesHubNames(t *testing.T) {
	fh := fakehub.New()
	defer fh.Close()
	repos := map[tinymodels.Kind]string{tinymodels.RTD: "microsoft/tiny-xsmall-like", tinymodels.RTDNoGenerator: "microsoft/tiny-base-like",
		tinymodels.NLI: "o/tiny-nli", tinymodels.NER: "o/tiny-ner", tinymodels.QA: "o/tiny-qa"}
	for kind, repo := range repos {
		files, err := fakehub.ReadDir(tinyModel(t, kind))
		if err != nil {
			t.Fatal(err)
		}
		fh.Repo(repo).Commit(files, "main")
	}
	testutil.HubEnv(t)
	t.Setenv("HF_ENDPOINT", fh.URL)
	tmp := t.TempDir()
	ids, mask := filepath.Join(tmp, "ids.npy"), filepath.Join(tmp, "mask.npy")
	if err := npy.WriteInt64(ids, []int{1, 4}, []int64{1, 10, 20, 2}); err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteInt64(mask, []int{1, 4}, []int64{1, 1, 1, 1}); err != nil {
		t.Fatal(err)
	}
	lines := filepath.Join(tmp, "lines.jsonl")
	if err := os.WriteFile(lines, []byte(`"Hello world"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tsv := filepath.Join(tmp, "sst.tsv")
	writeTSV(t, tsv, 40)
	xs, base := repos[tinymodels.RTD], repos[tinymodels.RTDNoGenerator]
	cases := []struct {
		name  string
		run   func([]string, io.Writer) error
		input string
		args  []string
		out   string // an output folder the command writes ("" if none); its files are compared too
		want  string // in the output
	}{
		{"info", runInfo, "", []string{"--model", xs}, "", "unused head:  lm_predictions.lm_head.dense.weight"},
		{"info generator", runInfo, "", []string{"--model", xs + "@main", "--generator"}, "", "heads:        mlm"},
		{"dump", runDump, "", []string{"--model", xs, "--ids", ids, "--mask", mask}, "dump", "wrote"},
		{"convert", runConvert, "", []string{"--model", base}, "convert", "written as F16"},
		{"tokenize", runTokenize, "", []string{"--model", xs, "--input", lines}, "", `"input_ids":[1,`},
		{"fill-mask", runFillMask, "", []string{"--model", xs, "Paris is the [MASK] of France."}, "", `"candidates"`},
		{"fill-mask refuses base", runFillMask, "", []string{"--model", base, "a [MASK] b"}, "", "--generator-model"},
		{"fill-mask generator-model", runFillMask, "", []string{"--generator-model", xs, "a [MASK] b"}, "", `"candidates"`},
		{"detect", runDetect, "", []string{"--model", base, "Paris is nice."}, "", `"score"`},
		{"embed", runEmbed, "", []string{"--model", base, "Paris is nice."}, "", `"embedding"`},
		{"classify", runClassify, "", []string{"--model", repos[tinymodels.NLI], "Paris is nice."}, "", `"label"`},
		{"zero-shot", runZeroShot, "", []string{"--model", repos[tinymodels.NLI], "--labels", "a,b", "Paris is nice."}, "", `"labels"`},
		{"token-classify", runTokenClassify, "", []string{"--model", repos[tinymodels.NER], "Paris is nice."}, "", "["},
		{"qa", runQA, "", []string{"--model", repos[tinymodels.QA], "--context", "Paris is nice.", "What is nice?"}, "", `"answers"`},
		{"finetune", runFinetune, "", []string{"--task", "tsv:" + tsv, "--model", base, "--steps", "1", "--max-length", "8",
			"--batch", "4", "--dev-frac", "0.2", "--test-frac", "0.2", "--no-save"}, "finetune", `"steps":1`},
		{"eval", runEval, "", []string{"--task", "tsv:" + tsv, "--model", repos[tinymodels.NLI], "--max-length", "8",
			"--batch", "4", "--dev-frac", "0.2", "--test-frac", "0.2"}, "", "labels are matched by name"},
	}
	results := map[string]string{}
	for _, mode := range []string{"online", "offline"} {
		if mode == "offline" {
			fh.Close()
			t.Setenv("HF_HUB_OFFLINE", "1")
		}
		for _, c := range cases {
			args := c.args
			if c.out != "" {
				args = append(args[:len(args):len(args)], "--out", filepath.Join(tmp, mode, c.out))
			}
			out, err := runWithStdin(c.run, c.input, args...)
			if err != nil {
				out = "error: " + err.Error()
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("%s %s: output %q lacks %q", mode, c.name, out, c.want)
			}
			if c.out != "" {
				out = strings.ReplaceAll(out, mode, "MODE") + listFolder(t, filepath.Join(tmp, mode, c.out))
			}
			if mode == "online" {
				results[c.name] = out
			} else if c.name != "finetune" && out != results[c.name] {
				t.Errorf("%s: offline output %q differs from online %q", c.name, out, results[c.name])
			}
		}
	}
}

// listFolder names the files of dir with their sizes.
func listFolder(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, " %s:%d", e.Name(), info.Size())
	}
	return b.String()
}

// TestTokenizeByHubNameFetchesNoWeights: `deberta tokenize --model owner/name` downloads the tokenizer files only.
func TestTokenizeByHubNameFetchesNoWeights(t *testing.T) {
	fh := fakehub.New()
	defer fh.Close()
	files, err := fakehub.ReadDir(tinyModel(t, tinymodels.RTD))
	if err != nil {
		t.Fatal(err)
	}
	fh.Repo("o/tok").Commit(files, "main")
	testutil.HubEnv(t)
	t.Setenv("HF_ENDPOINT", fh.URL)
	lines := filepath.Join(t.TempDir(), "lines.jsonl")
	if err := os.WriteFile(lines, []byte(`"Hello"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runWithStdin(runTokenize, "", "--model", "o/tok@main", "--input", lines); err != nil || !strings.Contains(out, "input_ids") {
		t.Fatalf("%q, %v", out, err)
	}
	if n := fh.ContentGETs("spm.model"); n != 1 || fh.ContentGETs("") != 1 {
		t.Errorf("%d downloads (spm.model: %d), want spm.model only: %+v", fh.ContentGETs(""), n, fh.Requests())
	}
}
