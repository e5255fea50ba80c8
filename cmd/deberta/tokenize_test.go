package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	spmModelDir = "../../tokenizer/testdata/spm-bytefallback"
	spmModel    = spmModelDir + "/spm.model"
)

// writeInput writes the lines to a temporary file for --input.
func writeInput(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runLines runs the tokenize subcommand and decodes its JSON output lines into T.
func runLines[T any](t *testing.T, args ...string) []T {
	t.Helper()
	var out bytes.Buffer
	if err := runTokenize(args, &out); err != nil {
		t.Fatalf("tokenize %v: %v", args, err)
	}
	var res []T
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("output line %q: %v", line, err)
		}
		res = append(res, v)
	}
	return res
}

func TestTokenizeSPM(t *testing.T) {
	in := writeInput(t, `"Hello world"`, ``, `"日本"`, `""`)
	got := runLines[spmOutput](t, "--spm", spmModel, "--input", in)
	want := []spmOutput{
		{IDs: []int32{472, 492, 432, 519}, Pieces: []string{"▁He", "ll", "o", "▁world"}},
		{IDs: []int32{274, 234, 155, 169, 234, 160, 176},
			Pieces: []string{"▁", "<0xE6>", "<0x97>", "<0xA5>", "<0xE6>", "<0x9C>", "<0xAC>"}},
		{IDs: []int32{}, Pieces: []string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize --spm = %+v, want %+v", got, want)
	}
}

func TestTokenizeModel(t *testing.T) {
	in := writeInput(t, `"Hello [MASK]"`)
	got := runLines[debertaOutput](t, "--model", spmModelDir, "--input", in)
	want := []debertaOutput{{InputIDs: []int32{1, 472, 492, 432, 8000, 2}, AttentionMask: []int32{1, 1, 1, 1, 1, 1},
		TokenTypeIDs: []int32{0, 0, 0, 0, 0, 0}, Offsets: [][2]int{{0, 0}, {0, 2}, {2, 4}, {4, 5}, {6, 12}, {0, 0}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize --model = %+v, want %+v", got, want)
	}

	in = writeInput(t, `["Hello", "world"]`)
	got = runLines[debertaOutput](t, "--model", spmModelDir, "--pair", "--input", in, "--max-length", "5")
	want = []debertaOutput{{InputIDs: []int32{1, 472, 2, 519, 2}, AttentionMask: []int32{1, 1, 1, 1, 1},
		TokenTypeIDs: []int32{0, 0, 0, 1, 1}, Offsets: [][2]int{{0, 0}, {0, 2}, {0, 0}, {0, 5}, {0, 0}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize --model --pair = %+v, want %+v", got, want)
	}
}

func TestTokenizeErrors(t *testing.T) {
	text := writeInput(t, `"x"`)
	tests := map[string][]string{
		"no model":       {"--input", text},
		"both models":    {"--spm", spmModel, "--model", spmModelDir, "--input", text},
		"pair with spm":  {"--spm", spmModel, "--pair", "--input", text},
		"missing model":  {"--spm", filepath.Join(t.TempDir(), "none.model"), "--input", text},
		"not a string":   {"--spm", spmModel, "--input", writeInput(t, `42`)},
		"pair not array": {"--model", spmModelDir, "--pair", "--input", text},
		"bad json":       {"--model", spmModelDir, "--input", writeInput(t, `"unterminated`)},
		"missing input":  {"--spm", spmModel, "--input", filepath.Join(t.TempDir(), "none.jsonl")},
		"unknown flag":   {"--frobnicate"},
		"bad truncation": {"--model", spmModelDir, "--max-length", "1", "--input", text},
	}
	for name, args := range tests {
		var out bytes.Buffer
		if err := runTokenize(args, &out); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, ok := commands["tokenize"]; !ok {
		t.Error("tokenize is not registered")
	}
}
