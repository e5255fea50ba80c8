package nbkit

import (
	"strings"
	"testing"
	"time"

	"github.com/deberta-go/lab/pretrain"
)

// recorder is a Display that keeps what it was given; onUpdate (optional) runs on every UpdateHTML.
type recorder struct {
	updates  map[string][]string
	html, md []string
	pngs     int
	onUpdate func()
}

func (r *recorder) UpdateHTML(id, html string) {
	if r.updates == nil {
		r.updates = map[string][]string{}
	}
	r.updates[id] = append(r.updates[id], html)
	if r.onUpdate != nil {
		r.onUpdate()
	}
}
func (r *recorder) HTML(html string)   { r.html = append(r.html, html) }
func (r *recorder) Markdown(md string) { r.md = append(r.md, md) }
func (r *recorder) PNG([]byte)         { r.pngs++ }

func record(step int, mlm float64) pretrain.Record {
	return pretrain.Record{Step: step, MLMLoss: mlm, RTDLoss: 0.5, RTDAUC: 0.6, RTDGain: 0.01, StepSeconds: 0.5}
}

// recordSteps records steps 1..n into l.
func recordSteps(t *testing.T, l *Live, n int) {
	t.Helper()
	for step := 1; step <= n; step++ {
		if err := l.Record(record(step, 9), 10); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCurves(t *testing.T) {
	c := Curves{Name: "run", Total: 10}
	if c.Step() != 0 || c.TokensPerS() != 0 || c.ETA() != 0 {
		t.Fatalf("empty curves: step %d, %g tokens/s, ETA %s", c.Step(), c.TokensPerS(), c.ETA())
	}
	first := record(1, 9)
	first.StepSeconds = 30 // compilation: not counted
	c.Add(first, 100)
	for step := 2; step <= 4; step++ {
		r := record(step, 9-float64(step))
		if step == 4 {
			r.EmbeddingCosine = &pretrain.TableSimilarity{Generator: 0.2, Discriminator: 0.3}
			r.Gradients = &pretrain.GradientAnalysis{Cosine: -0.1}
		}
		c.Add(r, 100)
	}
	if c.Step() != 4 || len(c.MLM) != 4 || c.MLM[3] != 5 {
		t.Errorf("step %d, MLM %v", c.Step(), c.MLM)
	}
	if got := c.TokensPerS(); got != 200 { // 300 tokens in 1.5 s
		t.Errorf("tokens/s = %g, want 200", got)
	}
	if got := c.ETA(); got != 3*time.Second { // 6 steps left at 0.5 s
		t.Errorf("ETA = %s, want 3s", got)
	}
	if len(c.AnalysisSteps) != 1 || c.CosG[0] != 0.2 || c.CosD[0] != 0.3 || c.GradCos[0] != -0.1 {
		t.Errorf("analyses: steps %v, E_G %v, E_D %v, grad %v", c.AnalysisSteps, c.CosG, c.CosD, c.GradCos)
	}
	if s := c.Status(); !strings.Contains(s, "step 4/10") || !strings.Contains(s, "200 tokens/s") {
		t.Errorf("status %q", s)
	}
}

func TestLiveUpdatesEveryN(t *testing.T) {
	d := &recorder{}
	l := NewLive(d, "id", "run", 7, 3, false)
	recordSteps(t, l, 7)
	// the placeholder, steps 3 and 6, and the last step 7
	if n := len(d.updates["id"]); n != 4 {
		t.Fatalf("%d updates, want 4", n)
	}
	if u := d.updates["id"][3]; !strings.Contains(u, "step 7/7") || strings.Count(u, "<img") != 2 {
		t.Errorf("last update %.200q", u)
	}
	if err := l.Finish("saved"); err != nil {
		t.Fatal(err)
	}
	if len(d.html) != 0 || d.pngs != 0 || !strings.Contains(d.updates["id"][4], "saved") {
		t.Errorf("live Finish: %d static HTML, %d PNG, last update %.100q", len(d.html), d.pngs, d.updates["id"][4])
	}
}

func TestLiveHeadless(t *testing.T) {
	d := &recorder{}
	l := NewLive(d, "id", "run", 5, 1, true)
	recordSteps(t, l, 5)
	if len(d.updates) != 0 {
		t.Fatalf("headless display updated in place: %v", d.updates)
	}
	if err := l.Finish("done"); err != nil {
		t.Fatal(err)
	}
	if len(d.html) != 1 || !strings.Contains(d.html[0], "step 5/5") || d.pngs != 2 {
		t.Errorf("headless Finish: HTML %q, %d PNGs (want the status and 2 figures)", d.html, d.pngs)
	}
}
