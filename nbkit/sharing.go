package nbkit

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

// SharingSettings are the settings of notebook 03's embedding-sharing study (pretrain.SharingStudy): a
// discriminator of width Hidden (Heads heads, DiscLayers layers, FFN 4×Hidden) with a GenLayers-layer generator,
// trained for Steps steps per mode on batches of Batch × SeqLen ids of the built-in corpus (BuiltinCorpus),
// peak learning rate LR (10% warmup, linear decay), gradient analyses every AnalyzeEvery steps.
type SharingSettings struct {
	Budget                               string // a name for the table, e.g. "default (CI)"
	Hidden, Heads, DiscLayers, GenLayers int
	Steps, AnalyzeEvery, Batch, SeqLen   int
	LR                                   float64
	Seed                                 int64
	SPM                                  string // the tokenizer's SentencePiece model file
}

// RunSharing trains ES, NES and GDES with s on identical batches, writes the runs to file (JSON, read back by
// LoadSharing in later cells) and returns a Markdown table of the settings and run times; progress gets a
// line per mode.
func RunSharing(s SharingSettings, file string, progress io.Writer) (string, error) {
	start := time.Now()
	sp, err := tokenizer.LoadSentencePiece(s.SPM)
	if err != nil {
		return "", err
	}
	tok, err := tokenizer.New(sp, tokenizer.DefaultConfig())
	if err != nil {
		return "", err
	}
	batches, err := pretrain.TextBatches(tok, BuiltinCorpus, s.Batch, s.SeqLen, s.Steps, uint64(s.Seed))
	if err != nil {
		return "", err
	}
	disc := debertav3.DefaultConfig()
	disc.VocabSize = tok.VocabSize()
	disc.HiddenSize, disc.EmbeddingSize, disc.PoolerHiddenSize = s.Hidden, s.Hidden, s.Hidden
	disc.NumHiddenLayers, disc.NumAttentionHeads, disc.IntermediateSize = s.DiscLayers, s.Heads, 4*s.Hidden
	warmup := max(1, s.Steps/10)
	study := pretrain.SharingStudy{Discriminator: disc, GeneratorLayers: s.GenLayers,
		Train: pretrain.DefaultTrainOptions(s.LR, warmup, s.Steps, s.Seed), Batches: batches,
		AnalyzeEvery: s.AnalyzeEvery, CosineSeed: uint64(s.Seed), Progress: progress}
	runs, err := study.Run()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(runs)
	if err == nil {
		err = os.MkdirAll(filepath.Dir(file), 0o755)
	}
	if err == nil {
		err = os.WriteFile(file, b, 0o644)
	}
	if err != nil {
		return "", err
	}
	var md strings.Builder
	fmt.Fprintf(&md, "| setting | value |\n|---|---|\n| budget | %s |\n", s.Budget)
	fmt.Fprintf(&md, "| discriminator / generator | width %d, %d / %d layers, %d heads, FFN %d, vocabulary %d |\n", s.Hidden, s.DiscLayers, s.GenLayers, s.Heads, 4*s.Hidden, tok.VocabSize())
	fmt.Fprintf(&md, "| data | Opticks training split, %d batches of %d × %d ids (%d masked slots per sequence) |\n", len(batches), s.Batch, s.SeqLen, batches[0].Positions.Shape().Dimensions[1])
	fmt.Fprintf(&md, "| schedule | %d steps per mode, peak LR %g, warmup %d, seed %d |\n", s.Steps, s.LR, warmup, s.Seed)
	for _, r := range runs {
		fmt.Fprintf(&md, "| %s run time | %s (%.2f s per step incl. compilation) |\n", r.Mode, r.Duration.Round(time.Second), r.Duration.Seconds()/float64(len(r.Steps)))
	}
	fmt.Fprintf(&md, "| whole cell | %s |\n", time.Since(start).Round(time.Second))
	return md.String(), nil
}

// LoadSharing reads the runs RunSharing wrote to file.
func LoadSharing(file string) ([]pretrain.SharingRun, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("nbkit: %w (run the training cell first)", err)
	}
	var runs []pretrain.SharingRun
	if err := json.Unmarshal(b, &runs); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s: no runs", file)
	}
	return runs, nil
}

// metricOf is one metric per step of a run.
func metricOf(r pretrain.SharingRun, f func(pretrain.Metrics) float64) (xs, ys []float64) {
	for _, m := range r.Steps {
		xs, ys = append(xs, float64(m.Step)), append(ys, f(m))
	}
	return xs, ys
}

// tail is the mean of the last n values (0 for none).
func tail(ys []float64, n int) float64 {
	n = min(n, len(ys))
	s := 0.0
	for _, y := range ys[len(ys)-n:] {
		s += y
	}
	return s / float64(max(n, 1))
}

// SharingCurves plots a metric per mode: its trailing window-step moving average, bold over the raw values.
func SharingCurves(runs []pretrain.SharingRun, title, yLabel string, window int, f func(pretrain.Metrics) float64) ([]byte, error) {
	var series []plots.Series
	for _, r := range runs {
		xs, ys := metricOf(r, f)
		series = append(series, smoothed(r.Mode.String(), xs, ys, window))
	}
	return plots.Lines(fmt.Sprintf("%s (%d-step moving average)", title, window), "training step", yLabel, series, plots.DefaultSize)
}

// SharingMLMTable is a Markdown table per mode: the MLM loss at step 1 and over the last 5 steps, and how
// often the generator's sample equals the original token (last 5 steps).
func SharingMLMTable(runs []pretrain.SharingRun) string {
	var md strings.Builder
	md.WriteString("| mode | MLM loss, step 1 | MLM loss, mean of last 5 steps | generator sample = original (last 5) |\n|---|---:|---:|---:|\n")
	for _, r := range runs {
		_, mlm := metricOf(r, func(m pretrain.Metrics) float64 { return m.MLMLoss })
		_, acc := metricOf(r, func(m pretrain.Metrics) float64 { return m.SampledAcc })
		fmt.Fprintf(&md, "| %s | %.3f | %.3f | %.3f |\n", r.Mode, mlm[0], tail(mlm, 5), tail(acc, 5))
	}
	return md.String()
}

// SharingRTDTable is a Markdown table per mode of the RTD loss, accuracy and replaced fraction (last 5 steps).
func SharingRTDTable(runs []pretrain.SharingRun) string {
	var md strings.Builder
	md.WriteString("| mode | RTD loss (last 5) | RTD accuracy (last 5) | replaced fraction (last 5) | 1 − replaced fraction |\n|---|---:|---:|---:|---:|\n")
	for _, r := range runs {
		_, loss := metricOf(r, func(m pretrain.Metrics) float64 { return m.RTDLoss })
		_, acc := metricOf(r, func(m pretrain.Metrics) float64 { return m.RTDAcc })
		_, rep := metricOf(r, func(m pretrain.Metrics) float64 { return m.ReplacedFrac })
		fmt.Fprintf(&md, "| %s | %.4f | %.4f | %.4f | %.4f |\n", r.Mode, tail(loss, 5), tail(acc, 5), tail(rep, 5), 1-tail(rep, 5))
	}
	return md.String()
}

// paperCosines are the average cosines of E_G and E_D the paper reports per mode (not verified here).
var paperCosines = map[string][2]float64{"es": {0.02, 0.02}, "nes": {0.45, 0.02}, "gdes": {0.45, 0.29}}

// SharingCosines is the Markdown table of the average cosine of E_G and E_D after training per mode, beside
// the paper's values, and its bar chart.
func SharingCosines(runs []pretrain.SharingRun) (string, []byte, error) {
	var md strings.Builder
	md.WriteString("| mode | E_G (this run) | E_D (this run) | E_G (paper, unverified) | E_D (paper, unverified) |\n|---|---:|---:|---:|---:|\n")
	var modes []string
	values := [][]float64{nil, nil} // values[group][mode]: groups E_G, E_D
	for _, r := range runs {
		p := paperCosines[strings.ToLower(r.Mode.String())]
		fmt.Fprintf(&md, "| %s | %.3f | %.3f | %.2f | %.2f |\n", r.Mode, r.Similarity.Generator, r.Similarity.Discriminator, p[0], p[1])
		modes = append(modes, r.Mode.String())
		values[0], values[1] = append(values[0], r.Similarity.Generator), append(values[1], r.Similarity.Discriminator)
	}
	png, err := plots.GroupedBars("average cosine similarity of word embeddings (this run)", "mean cosine of 2000 row pairs",
		modes, []string{"E_G", "E_D"}, values, plots.DefaultSize)
	return md.String(), png, err
}

// SharingGradients plots the tug-of-war cosine cos(∂L_MLM/∂E_G, ∂L_RTD/∂E_D) per mode at the analysed steps
// and returns it with a Markdown table of its mean, range, the shared cosine and the gradient norms.
func SharingGradients(runs []pretrain.SharingRun) ([]byte, string, error) {
	var series []plots.Series
	var md strings.Builder
	md.WriteString("| mode | points | mean cosine | min / max | mean shared cosine | mean ‖∂L_MLM/∂E_G‖ | mean ‖∂L_RTD/∂E_D‖ |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		s := plots.Series{Name: r.Mode.String(), Markers: true}
		var sum, shared, mlm, rtd float64
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, g := range r.Gradients {
			s.X, s.Y = append(s.X, float64(g.Step)), append(s.Y, g.Cosine)
			sum, shared, mlm, rtd = sum+g.Cosine, shared+g.SharedCosine, mlm+g.MLMNorm, rtd+g.RTDNorm
			lo, hi = math.Min(lo, g.Cosine), math.Max(hi, g.Cosine)
		}
		n := float64(max(len(r.Gradients), 1))
		series = append(series, s)
		fmt.Fprintf(&md, "| %s | %d | %.4f | %.4f / %.4f | %.4f | %.3f | %.3f |\n", r.Mode, len(r.Gradients), sum/n, lo, hi, shared/n, mlm/n, rtd/n)
	}
	png, err := plots.Lines("cos(∂L_MLM/∂E_G, ∂L_RTD/∂E_D) during training", "training step", "gradient cosine", series, plots.DefaultSize)
	return png, md.String(), err
}
