package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
)

// copyDir copies a fixture checkpoint folder to a fresh temporary path (a folder the tool has never seen).
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "unseen-model")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

func maxDiffOnMask(t *testing.T, gotPath string, want *npy.Array, mask *npy.Array, perRow int) float64 {
	t.Helper()
	got, err := npy.Read(gotPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.F32) != len(want.F32) {
		t.Fatalf("%s: %v, golden %v", gotPath, got.Shape, want.Shape)
	}
	d := 0.0
	for i := range got.F32 {
		pos := i / perRow % len(mask.I64) // rows of perRow values, indexed like the [batch, seq] mask.
		if mask.I64[pos] != 0 {
			d = math.Max(d, math.Abs(float64(got.F32[i]-want.F32[i])))
		}
	}
	return d
}

func TestDumpOnUnseenFolders(t *testing.T) {
	cases := []struct {
		fixture, dir, ids string
		outputs           map[string]string // written file → golden name
		perRow            map[string]int    // values per [batch, seq] position
	}{
		{"tiny-v3", "cls", "input_ids", map[string]string{"cls_logits": "cls_logits", "last_hidden_state": "last_hidden_state", "hidden_states": "hidden_states"},
			map[string]int{"cls_logits": 0, "last_hidden_state": 32, "hidden_states": 32}},
		{"tiny-v3", "mlm-lmpred", "input_ids", map[string]string{"mlm_logits": "mlm_lmpred_logits"}, map[string]int{"mlm_logits": 128}},
		{"official-tiny", "discriminator", "disc_input_ids", map[string]string{"rtd_logits": "rtd_logits", "last_hidden_state": "disc_last_hidden_state"},
			map[string]int{"rtd_logits": 1, "last_hidden_state": 32}},
	}
	for _, c := range cases {
		golden := testutil.Fixture(c.fixture, "golden")
		out := t.TempDir()
		args := []string{"--model", copyDir(t, testutil.Fixture(c.fixture, c.dir)), "--ids", filepath.Join(golden, c.ids+".npy"),
			"--mask", filepath.Join(golden, "attention_mask.npy"), "--out", out}
		if err := runDump(args, &bytes.Buffer{}); err != nil {
			t.Fatalf("%s/%s: %v", c.fixture, c.dir, err)
		}
		mask, _ := npy.Read(filepath.Join(golden, "attention_mask.npy"))
		for file, gname := range c.outputs {
			want, err := npy.Read(filepath.Join(golden, gname+".npy"))
			if err != nil {
				t.Fatal(err)
			}
			m := mask
			perRow := c.perRow[file]
			if perRow == 0 { // per-sequence outputs: compare everything.
				m, perRow = &npy.Array{I64: []int64{1}}, 1
			}
			if d := maxDiffOnMask(t, filepath.Join(out, file+".npy"), want, m, perRow); d > 1e-4 {
				t.Errorf("%s/%s %s: max |diff| %g", c.fixture, c.dir, file, d)
			}
		}
	}
}

func TestDumpBadInputs(t *testing.T) {
	dir := testutil.Fixture("tiny-v3", "base")
	golden := testutil.Fixture("tiny-v3", "golden")
	tmp := t.TempDir()
	mustWrite := func(name string, write func(string) error) string {
		p := filepath.Join(tmp, name)
		if err := write(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	floatIDs := mustWrite("float.npy", func(p string) error { return npy.WriteFloat32(p, []int{1, 2}, []float32{1, 2}) })
	bigIDs := mustWrite("big.npy", func(p string) error { return npy.WriteInt64(p, []int{1, 2}, []int64{1, 500}) })
	ones := mustWrite("ones.npy", func(p string) error { return npy.WriteInt64(p, []int{1, 2}, []int64{1, 1}) })
	out := filepath.Join(tmp, "out")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--model", dir}, "required"},
		{[]string{"--model", dir, "--ids", floatIDs, "--mask", ones, "--out", out}, "want integers"},
		{[]string{"--model", dir, "--ids", bigIDs, "--mask", ones, "--out", out}, "outside the vocabulary"},
		{[]string{"--model", dir, "--ids", filepath.Join(golden, "input_ids.npy"), "--mask", ones, "--out", out}, "like --ids"},
		{[]string{"--model", tmp, "--ids", bigIDs, "--mask", ones, "--out", out}, "config.json"},
		{[]string{"--model", dir, "--ids", bigIDs, "--mask", ones, "--out", tmp}, "--overwrite"},
	}
	for _, c := range cases {
		err := runDump(c.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("dump %v: error %v, want one mentioning %q", c.args, err, c.want)
		}
	}
}

func TestInfo(t *testing.T) {
	var out bytes.Buffer
	if err := runInfo([]string{"--model", testutil.Fixture("official-tiny", "discriminator")}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"heads:        rtd", "ignored:      deberta.embeddings.position_embeddings.weight", "hidden 32, layers 2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("info output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDumpGenerator: Microsoft's released layout (discriminator + generator files in one folder) and a
// generator-only folder both give mlm_logits from the Enhanced Mask Decoder at every position.
func TestDumpGenerator(t *testing.T) {
	both := copyDir(t, testutil.Fixture("official-tiny", "discriminator"))
	gen := testutil.Fixture("official-tiny", "generator")
	for _, f := range []string{"generator_config.json", "pytorch_model.generator.bin"} {
		b, err := os.ReadFile(filepath.Join(gen, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(both, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden := testutil.Fixture("official-tiny", "golden")
	mask, _ := npy.Read(filepath.Join(golden, "attention_mask.npy"))
	want, _ := npy.Read(filepath.Join(golden, "gen_logits_all.npy"))
	for _, dir := range []string{both, copyDir(t, gen)} {
		out := t.TempDir()
		args := []string{"--model", dir, "--ids", filepath.Join(golden, "gen_input_ids.npy"), "--mask", filepath.Join(golden, "attention_mask.npy"), "--out", out}
		if err := runDump(args, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if d := maxDiffOnMask(t, filepath.Join(out, "mlm_logits.npy"), want, mask, 128); d > 1e-4 {
			t.Errorf("%s: mlm_logits max |diff| %g", dir, d)
		}
	}
}
