package nbkit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/pipeline"
	"github.com/deberta-go/lab/pipeline/tinymodels"
	"github.com/deberta-go/lab/pretrain"
)

// builtin loads the built-in model (with attentions and score terms) once for the tests of the package.
func builtin(t *testing.T) *pipeline.Pipeline {
	t.Helper()
	if loaded == nil {
		p, err := Load("", pipeline.Options{OutputAttentions: true, OutputScores: true})
		if err != nil {
			t.Fatalf("Load(\"\"): %v", err)
		}
		loaded = p
	}
	return loaded
}

// loaded is what builtin loaded.
var loaded *pipeline.Pipeline

func TestLoadBuiltin(t *testing.T) {
	p := builtin(t)
	if !strings.HasSuffix(p.Dir, "discriminator") {
		t.Errorf("Load(\"\").Dir = %q, want the built-in discriminator folder", p.Dir)
	}
	md, err := Describe(p)
	if err != nil || !strings.Contains(md, "| heads |") {
		t.Errorf("Describe = %q, %v", md, err)
	}
	g, err := Load("", pipeline.Options{Generator: true})
	if err != nil {
		t.Fatalf("Load generator: %v", err)
	}
	if !strings.HasSuffix(g.Dir, "generator") {
		t.Errorf("generator Dir = %q", g.Dir)
	}
}

func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	if _, err := Load(missing, pipeline.Options{}); err == nil {
		t.Errorf("Load(%q): no error", missing)
	}
	if _, err := Load("not a ref!", pipeline.Options{}); err == nil {
		t.Error("Load of a malformed reference: no error")
	}
}

func TestReport(t *testing.T) {
	if Report(nil) {
		t.Error("Report(nil) = true")
	}
	stderr := os.Stderr
	r, w, _ := os.Pipe()
	os.Stderr = w
	got := Report(errors.New("boom"))
	os.Stderr = stderr
	w.Close()
	var out bytes.Buffer
	out.ReadFrom(r)
	if !got || out.String() != "Error: boom\n" {
		t.Errorf("Report(boom) = %v, printed %q", got, out.String())
	}
}

func TestLoadTiny(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	p, err := LoadTiny(tinymodels.NLI, filepath.Join("..", "tokenizer", "testdata", "spm-bytefallback"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Model.Config.ID2Label) != 3 {
		t.Errorf("tiny NLI model: id2label %v, want 3 labels", p.Model.Config.ID2Label)
	}
	if _, err := LoadTiny(tinymodels.QA, t.TempDir()); err == nil {
		t.Error("LoadTiny with a folder without spm.model: no error")
	}
}

func TestCheckpointTables(t *testing.T) {
	m, report, err := checkpoints.Open(builtin(t).Dir, checkpoints.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if md := ConfigTable(m, report); !strings.Contains(md, "| vocab_size | 8") || !strings.Contains(md, "discriminator") {
		t.Errorf("ConfigTable:\n%s", md)
	}
	emb, other := debertav3.ParamCounts(m.Config, m.Options)
	if md := ParamTable(m); !strings.Contains(md, fmt.Sprintf("**%d**", emb+other)) || !strings.Contains(md, "encoder.layer.1") {
		t.Errorf("ParamTable:\n%s", md)
	}
}

func TestRunCurves(t *testing.T) {
	dir := t.TempDir()
	lines := `{"step":1,"loss":9,"mlm_loss":8,"rtd_loss":0.7,"rtd_auc":0.5}` + "\n" +
		`{"step":2,"loss":7,"mlm_loss":6,"rtd_loss":0.6,"rtd_auc":0.6}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, pretrain.MetricsFile), []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	pngs, err := RunCurves(dir)
	if err != nil || len(pngs) != 2 || !bytes.HasPrefix(pngs[1], pngMagic) {
		t.Errorf("RunCurves: %d PNGs, %v; want 2", len(pngs), err)
	}
	mlmOnly := t.TempDir()
	if err := os.WriteFile(filepath.Join(mlmOnly, pretrain.MetricsFile), []byte(`{"step":1,"loss":9,"mlm_loss":9}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if pngs, err := RunCurves(mlmOnly); err != nil || len(pngs) != 1 {
		t.Errorf("RunCurves of an MLM run: %d PNGs, %v; want 1", len(pngs), err)
	}
	empty := t.TempDir()
	if _, err := RunCurves(empty); err == nil {
		t.Error("RunCurves of a folder without metrics.jsonl: no error")
	}
	if err := os.WriteFile(filepath.Join(empty, pretrain.MetricsFile), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := RunCurves(empty); err == nil || !strings.Contains(err.Error(), "no metrics") {
		t.Errorf("RunCurves of an empty metrics file: %v", err)
	}
}
