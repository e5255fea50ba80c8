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
	"github.com/deberta-go/lab/tokenizer"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// builtin loads the built-in model once for the tests of the package.
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

func TestTokenTable(t *testing.T) {
	tok := builtin(t).Tokenizer
	text := "Hello <world> & more."
	enc, err := tok.Encode(text, tokenizer.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	table, err := TokenTable(tok, text)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(table, "<tr>") - 1; rows != len(enc.InputIDs) {
		t.Errorf("TokenTable has %d token rows, want %d", rows, len(enc.InputIDs))
	}
	shown, err := Highlight(tok, text)
	if err != nil {
		t.Fatal(err)
	}
	if spans := strings.Count(shown, "<span"); spans == 0 || spans > len(enc.InputIDs)-2 {
		t.Errorf("Highlight has %d spans for %d tokens (2 special)", spans, len(enc.InputIDs))
	}
	for name, html := range map[string]string{"TokenTable": table, "Highlight": shown} {
		if strings.Contains(html, "<world>") || !strings.Contains(html, "&lt;") {
			t.Errorf("%s does not escape the text: %s", name, html)
		}
	}
}

func TestAttentionFigures(t *testing.T) {
	d, err := builtin(t).Dissect("The cat sat on the mat.")
	if err != nil {
		t.Fatal(err)
	}
	l, h := len(d.Attention)-1, len(d.Attention[0])-1
	for name, f := range map[string]func(*pipeline.Dissection, int, int) ([]byte, error){
		"AttentionMap": AttentionMap, "TermSplit": TermSplit,
	} {
		png, err := f(d, l, h)
		if err != nil || !bytes.HasPrefix(png, pngMagic) {
			t.Errorf("%s(%d, %d): %d bytes, %v; want a PNG", name, l, h, len(png), err)
		}
		for _, bad := range [][2]int{{-1, 0}, {l + 1, 0}, {0, h + 1}} {
			if _, err := f(d, bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "out of range") {
				t.Errorf("%s(%d, %d): error %v, want out of range", name, bad[0], bad[1], err)
			}
		}
	}
	page, err := HeadHTML(d, 0, 0)
	if err != nil || strings.Count(page, "data:image/png;base64,") != 2 {
		t.Errorf("HeadHTML: %v, %d images", err, strings.Count(page, "data:image/png"))
	}
	bars, positions, err := Overview(d)
	if err != nil || !bytes.HasPrefix(positions, pngMagic) || (bars != nil && !bytes.HasPrefix(bars, pngMagic)) {
		t.Errorf("Overview: %v", err)
	}
	if _, err := AttentionMap(&pipeline.Dissection{}, 0, 0); err == nil {
		t.Error("AttentionMap of an empty dissection: no error")
	}
}

func TestExploreAttentionErrors(t *testing.T) {
	if err := ExploreAttention(builtin(t), nil); err == nil {
		t.Error("ExploreAttention without sentences: no error")
	}
	plain, err := Load("", pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExploreAttention(plain, []string{"A sentence."}); err == nil {
		t.Error("ExploreAttention on a model without attentions: no error")
	}
	if err := ExploreAttention(builtin(t), []string{"A sentence."}); err != nil {
		t.Errorf("ExploreAttention outside a notebook: %v", err)
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

func TestHeadMapsAndScoreBars(t *testing.T) {
	p := builtin(t)
	batch, err := p.Encode([]string{"The cat sat.", "A longer second sentence here."})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(batch.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	maps, err := HeadMaps(out.Attentions[0], 1, "layer 0")
	if err != nil || len(maps) != p.Model.Config.NumAttentionHeads || !bytes.HasPrefix(maps[0], pngMagic) {
		t.Errorf("HeadMaps: %d PNGs, %v; want %d", len(maps), err, p.Model.Config.NumAttentionHeads)
	}
	if _, err := HeadMaps(out.Attentions[0], 2, "layer 0"); err == nil {
		t.Error("HeadMaps of sequence 2 of 2: no error")
	}
	if _, err := HeadMaps(out.LastHiddenState, 0, "hidden"); err == nil {
		t.Error("HeadMaps of a rank-3 tensor: no error")
	}
	bars, err := ScoreBars(out, batch.Mask)
	if err != nil || !bytes.HasPrefix(bars, pngMagic) {
		t.Errorf("ScoreBars: %v", err)
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
