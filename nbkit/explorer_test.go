package nbkit

import (
	"os"
	"strings"
	"testing"

	"github.com/deberta-go/lab/layers"
	"github.com/deberta-go/lab/pretrain"
)

func tinySettings() Settings {
	return Settings{Sharing: layers.GDES, Lambda: 50, Width: 64, GenWidth: 32, GenLayers: 1, DiscLayers: 1, Temperature: 1,
		LR: 1e-3, Steps: 8, Batch: 2, Seq: 16, Seed: 1, AnalyzeEvery: 2}
}

func newTestExplorer(t *testing.T) *Explorer {
	t.Setenv("DEBERTA_MODEL_CACHE", t.TempDir())
	e, err := NewBuiltinExplorer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(e.RunsDir) })
	return e
}

// TestExplorerStopResumes stops a run from its display at step 4 (a step boundary) and resumes its saved state
// with pretrain.Resume, as `deberta pretrain --resume` does.
func TestExplorerStopResumes(t *testing.T) {
	e := newTestExplorer(t)
	d := &recorder{}
	l := NewLive(d, "live", "tiny", 8, 2, false)
	d.onUpdate = func() {
		if l.Curves.Step() == 4 {
			l.Stop()
		}
	}
	r, err := e.Run(tinySettings(), l)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Stopped || r.Curves.Step() != 4 || r.Saved == "" {
		t.Fatalf("stopped %v at step %d, saved %q; want stopped at 4 with a checkpoint", r.Stopped, r.Curves.Step(), r.Saved)
	}
	if len(r.Curves.AnalysisSteps) != 2 {
		t.Errorf("analysis steps %v, want [2 4]", r.Curves.AnalysisSteps)
	}
	tr, st, err := pretrain.Resume(e.RunsDir+"/run-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 4 || st.DataPosition != 4 || tr.Steps() != 4 {
		t.Errorf("resumed at step %d, data position %d; want 4, 4", st.Step, st.DataPosition)
	}
	recs, err := pretrain.ReadMetrics(e.RunsDir + "/run-01")
	if err != nil || len(recs) != 4 {
		t.Errorf("metrics.jsonl: %d records (%v), want 4", len(recs), err)
	}
	if tab := Table(e.Results); strings.Count(tab, "<tr>") != 2 || !strings.Contains(tab, "4/8 (stopped)") {
		t.Errorf("table %s", tab)
	}
}

// TestOverlaysWithoutAnalyses: a run stopped before its first analysis gives no cosine figures alone, and is
// left out of them (and shown as "–" in the table) beside a run that has analyses.
func TestOverlaysWithoutAnalyses(t *testing.T) {
	c := Curves{Name: "a", Total: 3}
	c.Add(record(1, 9), 10)
	c.Add(record(2, 8), 10)
	stopped := Result{Settings: tinySettings(), Curves: c, Stopped: true}
	figs, err := Overlays([]Result{stopped})
	if err != nil || len(figs) != 2 {
		t.Fatalf("%d figures (want MLM and AUC only), %v", len(figs), err)
	}
	analysed := c
	r := record(3, 7)
	r.EmbeddingCosine, r.Gradients = &pretrain.TableSimilarity{Generator: 0.2}, &pretrain.GradientAnalysis{Cosine: 0.1}
	analysed.Add(r, 10)
	figs, err = Overlays([]Result{stopped, {Settings: tinySettings(), Curves: analysed}})
	if err != nil || len(figs) != 4 {
		t.Fatalf("%d figures, %v", len(figs), err)
	}
	if tab := Table([]Result{stopped}); strings.Count(tab, "<td>–</td>") != 3 {
		t.Errorf("cosines of a run without analyses: %s", tab)
	}
}

func TestSettingsConfig(t *testing.T) {
	s := tinySettings()
	cfg, opts, err := s.Config(100)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Generator.HiddenSize != 32 || cfg.Generator.EmbeddingSize != 64 || cfg.RTDWeight != 50 || opts.TotalSteps != 8 {
		t.Errorf("generator %d/%d, λ %g, steps %d", cfg.Generator.HiddenSize, cfg.Generator.EmbeddingSize, cfg.RTDWeight, opts.TotalSteps)
	}
	s.Width = 50
	if _, _, err := s.Config(100); err == nil {
		t.Error("width 50 (not a multiple of 32) accepted")
	}
}
