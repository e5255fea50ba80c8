package pretrain

import (
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/testutil"
	"github.com/deberta-go/lab/layers"
)

func TestRunFolderRoundTrip(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig(layers.NES)
	opts := DefaultTrainOptions(1e-3, 2, 10, 9)
	info, err := NewRunInfo(cfg, opts, map[string]any{"batch": 4, "corpus": []string{"a.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := CreateRun(dir, info, true)
	if err != nil {
		t.Fatal(err)
	}
	recs := []Record{
		NewRecord(Metrics{Step: 1, Loss: 5, MLMLoss: 4, RTDLoss: 0.02, RTDAcc: 0.5, LR: 1e-3, Duration: time.Second}, 64),
		{Step: 2, MLMLoss: 3.5, EmbeddingCosine: &TableSimilarity{Generator: 0.1, Discriminator: 0.2},
			Gradients: &GradientAnalysis{Cosine: -0.3, RTDNorm: 1}},
		{Step: 3},
	}
	for _, r := range recs {
		if err := w.Log(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, recs) || got[0].TokensPerS != 64 {
		t.Errorf("metrics round trip:\n%+v\n%+v", got, recs)
	}
	back, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg2, err := back.Config()
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b *debertav3.Config) bool {
		x, _ := a.MarshalHF(debertav3.Options{})
		y, _ := b.MarshalHF(debertav3.Options{})
		return string(x) == string(y)
	}
	if !same(cfg2.Generator, cfg.Generator) || !same(cfg2.Discriminator, cfg.Discriminator) || cfg2.Sharing != cfg.Sharing ||
		cfg2.RTDWeight != cfg.RTDWeight || back.TrainOptions() != opts || back.Data["batch"] != 4.0 {
		t.Errorf("config round trip:\n%+v\n%+v\n%+v", cfg2, cfg, back)
	}
	// Reopening for a resume at step 2 keeps steps 1 and 2.
	w, err = ReopenRun(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got, err := ReadMetrics(dir); err != nil || len(got) != 2 || got[1].Step != 2 {
		t.Errorf("after reopening at step 2: %+v, %v", got, err)
	}
}

// TestResume: 6 steps straight vs 3 steps, SaveState, Resume in a new trainer, 3 more steps (same batches):
// bit-identical metrics and parameters (incl. optimiser moments and the RNG state).
func TestResume(t *testing.T) {
	opts := DefaultTrainOptions(1e-2, 2, 20, 4)
	opts.Backend = testutil.Backend(t)
	checkResume(t, tinyConfig(layers.GDES), opts)
}

// TestResumeDecoupled is TestResume with two optimisers (ES: the shared table has moments in both scopes).
func TestResumeDecoupled(t *testing.T) {
	opts := DefaultTrainOptions(1e-2, 2, 20, 4)
	opts.Backend = testutil.Backend(t)
	opts.Decoupled = true
	checkResume(t, tinyConfig(layers.ES), opts)
}

// checkResume runs 6 steps straight and 3 + SaveState + Resume + 3, and compares metrics and variables.
func checkResume(t *testing.T, cfg Config, opts TrainOptions) {
	t.Helper()
	seqs := corpus()
	rng := rand.New(rand.NewPCG(3, 3))
	var batches []HostBatch
	for range 6 {
		batches = append(batches, makeBatch(rng, seqs))
	}
	run := func(tr *Trainer, bs []HostBatch) []Metrics {
		var ms []Metrics
		for _, b := range bs {
			m, err := tr.Step(b)
			if err != nil {
				t.Fatal(err)
			}
			m.Duration = 0
			ms = append(ms, m)
		}
		return ms
	}
	straight, err := NewTrainer(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := run(straight, batches)

	dir := t.TempDir()
	info, err := NewRunInfo(cfg, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := CreateRun(dir, info, true)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	first, err := NewTrainer(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	got := run(first, batches[:3])
	saved, err := first.SaveState(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(saved, "*")); filepath.Base(saved) != "step-00000003" ||
		len(files) != 2 || filepath.Base(files[0]) != "checkpoint-step-00000003.bin" {
		t.Errorf("checkpoint %s holds %v: names must carry the step", saved, files)
	}
	resumed, st, err := Resume(dir, opts.Backend)
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 3 || st.DataPosition != 3 || resumed.Steps() != 3 {
		t.Fatalf("resumed state %+v, Steps %d", st, resumed.Steps())
	}
	got = append(got, run(resumed, batches[3:])...)
	if !slices.Equal(got, want) {
		t.Errorf("metrics differ:\n%+v\n%+v", got, want)
	}
	a, b := map[string]*tensors.Tensor{}, map[string]*tensors.Tensor{}
	for v := range straight.Context().IterVariables() {
		a[v.ScopeAndName()] = v.MustValue()
	}
	for v := range resumed.Context().IterVariables() {
		b[v.ScopeAndName()] = v.MustValue()
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok {
			t.Errorf("resumed trainer lacks %s", name)
			continue
		}
		if !x.Shape().Equal(y.Shape()) || !reflect.DeepEqual(x.Value(), y.Value()) {
			t.Errorf("%s differs after resume", name)
		}
	}
	if len(a) < 60 {
		t.Errorf("only %d variables", len(a))
	}
	// Saving again from the resumed trainer continues the same folder.
	if _, err := resumed.SaveState(dir, 6); err != nil {
		t.Fatal(err)
	}
	if _, st, err := Resume(dir, opts.Backend); err != nil || st.Step != 6 || st.DataPosition != 6 ||
		filepath.Base(st.Checkpoint) != "step-00000006" {
		t.Errorf("second resume: %+v %v", st, err)
	}
}
