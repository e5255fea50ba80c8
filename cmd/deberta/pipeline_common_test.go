package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// tinyModel writes a tiny random-weight checkpoint folder of the given kind (with the byte-fallback test
// tokenizer) into a temporary folder.
func tinyModel(t *testing.T, kind tinymodels.Kind) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), string(kind))
	spm := filepath.Join(testutil.RepoRoot(), "tokenizer", "testdata", "spm-bytefallback")
	if err := tinymodels.Write(dir, kind, spm, 7); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runJSON runs a subcommand with stdin set to input and decodes its JSON output lines into T.
func runJSON[T any](t *testing.T, run func([]string, io.Writer) error, input string, args ...string) []T {
	t.Helper()
	out, err := runWithStdin(run, input, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var res []T
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		res = append(res, v)
	}
	return res
}

// runWithStdin runs a subcommand with stdin set to input and returns its output.
func runWithStdin(run func([]string, io.Writer) error, input string, args ...string) (string, error) {
	saved := stdin
	stdin = strings.NewReader(input)
	defer func() { stdin = saved }()
	var out bytes.Buffer
	err := run(args, &out)
	return out.String(), err
}

func TestReadInputs(t *testing.T) {
	saved := stdin
	defer func() { stdin = saved }()
	stdin = strings.NewReader("first line\r\n\n   \nsecond [MASK] line\n")
	got, err := readInputs(nil)
	if err != nil || len(got) != 2 || got[0] != "first line" || got[1] != "second [MASK] line" {
		t.Errorf("readInputs from stdin = %q, %v", got, err)
	}
	if got, _ := readInputs([]string{"arg"}); len(got) != 1 || got[0] != "arg" {
		t.Errorf("readInputs(args) = %q", got)
	}
	stdin = strings.NewReader("\n\n")
	if _, err := readInputs(nil); err == nil {
		t.Error("empty stdin: no error")
	}
}

func TestPipelineCommandsCommon(t *testing.T) {
	t.Setenv(defaultmodel.CacheDirEnv, t.TempDir())
	// Commands with a built-in default model run without --model; the others need it.
	builtin := map[string]bool{"fill-mask": true, "detect": true, "embed": true}
	for _, name := range []string{"fill-mask", "detect", "classify", "zero-shot", "token-classify", "qa", "embed"} {
		cmd, ok := commands[name]
		if !ok {
			t.Errorf("%s is not registered", name)
			continue
		}
		_, err := runWithStdin(cmd.run, "x [MASK]\n")
		if builtin[name] && err != nil {
			t.Errorf("%s without --model (built-in model): %v", name, err)
		}
		if !builtin[name] && (err == nil || !strings.Contains(err.Error(), "--model")) {
			t.Errorf("%s without --model: error %v", name, err)
		}
		if _, err := runWithStdin(cmd.run, "", "-h"); err != nil {
			t.Errorf("%s -h: %v", name, err)
		}
		if _, err := runWithStdin(cmd.run, "", "--model", filepath.Join(t.TempDir(), "none"), "x"); err == nil {
			t.Errorf("%s with a missing folder: no error", name)
		}
		if _, err := runWithStdin(cmd.run, "", "--model", "m", "--batch-size", "0", "x"); err == nil {
			t.Errorf("%s --batch-size 0: no error", name)
		}
	}
}
