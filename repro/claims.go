package repro

import (
	"fmt"
	"math"
	"strings"
)

// Comparison is one downstream claim "A > B" on one task, read from the test scores of every run × seed.
type Comparison struct {
	Claim, Task string
	A, B        string
	Diff        Diff // mean(A) − mean(B), Welch 95% interval
	// RunDiff is the same gap over the per-run means (the pre-training seed as the unit; wide with 2 runs).
	RunDiff Diff
}

// DownstreamClaims are the paper's downstream orderings (C3: GDES > ES > NES; C4: RTD, i.e. GDES, > MLM-only) on
// every task, for the arms present.
func (r *Report) DownstreamClaims() []Comparison {
	arms := map[string]Arm{}
	for _, a := range r.Arms {
		arms[a.Name] = a
	}
	var out []Comparison
	for _, t := range r.Tasks {
		for _, c := range [][3]string{{"C3", "gdes", "es"}, {"C3", "es", "nes"}, {"C3", "gdes", "nes"}, {"C4", "gdes", "mlm"}} {
			a, okA := arms[c[1]]
			b, okB := arms[c[2]]
			if !okA || !okB {
				continue
			}
			ta, _, _ := a.Scores(t)
			tb, _, _ := b.Scores(t)
			out = append(out, Comparison{Claim: c[0], Task: t, A: c[1], B: c[2],
				Diff: NewDiff(NewStat(ta), NewStat(tb)), RunDiff: NewDiff(NewStat(a.RunScores(t)), NewStat(b.RunScores(t)))})
		}
	}
	return out
}

// paperGaps are the paper's MNLI-m accuracies behind each ordering (base size; the spec's numbers): ES 88.8, NES
// 88.3, GDES 89.3, MLM-only 86.3.
var paperGaps = map[[2]string]string{
	{"gdes", "es"}: "MNLI-m 89.3 vs 88.8", {"es", "nes"}: "MNLI-m 88.8 vs 88.3", {"gdes", "nes"}: "MNLI-m 89.3 vs 88.3",
	{"gdes", "mlm"}: "MNLI-m 89.3 vs 86.3 (MLM)",
}

// PaperCosines are the paper's average cosine similarities of the word vectors (E_G, E_D) per sharing mode (claim
// C2; the spec's numbers, not checked against the paper's PDF here).
var PaperCosines = map[string][2]float64{"es": {0.02, 0.02}, "nes": {0.45, 0.02}, "gdes": {0.45, 0.29}}

// ClaimsMarkdown renders DownstreamClaims as a table: gap in points with its interval and verdict, over the
// runs × seeds and over the per-run means.
func (r *Report) ClaimsMarkdown() string {
	var b strings.Builder
	b.WriteString("| claim | task | ordering | paper | gap (pts) [95% CI], runs × seeds | verdict | gap [95% CI], per-run means | verdict |\n|---|---|---|---|---:|---|---:|---|\n")
	for _, c := range r.DownstreamClaims() {
		fmt.Fprintf(&b, "| %s | %s | %s > %s | %s | %s | %s | %s | %s |\n", c.Claim, c.Task, c.A, c.B, paperGaps[[2]string{c.A, c.B}],
			diffCell(c.Diff, 100, 2), c.Diff.Verdict(), diffCell(c.RunDiff, 100, 2), c.RunDiff.Verdict())
	}
	return b.String()
}

// PretrainingMarkdown compares the runs' end-of-pre-training values (each run's mean over the last FinalWindow
// logs, the pre-training seed as the unit): C1, the generator's MLM loss, higher under ES than under NES and GDES;
// and the discriminators' held-out RTD AUC (the precondition of C3/C4: RTD must have been learned).
func (r *Report) PretrainingMarkdown() string {
	perRun := map[string]map[string][]float64{}
	for _, a := range r.Arms {
		perRun[a.Name] = map[string][]float64{}
		for _, run := range a.Runs {
			f := (Arm{Runs: []Run{run}}).FinalOf(FinalWindow)
			perRun[a.Name]["mlm"] = append(perRun[a.Name]["mlm"], f.MLMLoss)
			if f.HeldOutAUC.N > 0 {
				perRun[a.Name]["auc"] = append(perRun[a.Name]["auc"], f.HeldOutAUC.Mean)
			}
		}
	}
	var b strings.Builder
	b.WriteString("| claim | quantity | ordering | per-run values | gap [95% CI] | verdict |\n|---|---|---|---|---:|---|\n")
	for _, c := range [][4]string{{"C1", "mlm", "es", "gdes"}, {"C1", "mlm", "es", "nes"}, {"–", "auc", "gdes", "es"}, {"–", "auc", "es", "nes"}, {"–", "auc", "gdes", "nes"}} {
		a, b2 := perRun[c[2]][c[1]], perRun[c[3]][c[1]]
		if len(a) == 0 || len(b2) == 0 {
			continue
		}
		d := NewDiff(NewStat(a), NewStat(b2))
		name := map[string]string{"mlm": "generator MLM loss (nats)", "auc": "held-out RTD AUC"}[c[1]]
		fmt.Fprintf(&b, "| %s | %s | %s > %s | %s vs %s | %s | %s |\n", c[0], name, c[2], c[3], values(a), values(b2), diffCell(d, 1, 3), d.Verdict())
	}
	return b.String()
}

func values(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(parts, " / ")
}

// CosineMarkdown is claim C2's table: each RTD arm's average word-vector cosine of E_G and E_D beside the paper's.
func (r *Report) CosineMarkdown() string {
	var b strings.Builder
	b.WriteString("| arm | cos(E_G), ours | cos(E_G), paper | cos(E_D), ours | cos(E_D), paper |\n|---|---:|---:|---:|---:|\n")
	for _, a := range r.Arms {
		p, ok := PaperCosines[a.Name]
		f := a.FinalOf(FinalWindow)
		if !ok || f.Cosine == nil {
			continue
		}
		fmt.Fprintf(&b, "| %s | %.3f | %.2f | %.3f | %.2f |\n", a.Name, f.Cosine.Generator, p[0], f.Cosine.Discriminator, p[1])
	}
	return b.String()
}

// diffCell is "gap [lo, hi]" scaled by scale (100: points) with digits decimals; the gap alone without an interval.
func diffCell(d Diff, scale float64, digits int) string {
	if math.IsNaN(d.Lo) {
		return fmt.Sprintf("%+.*f", digits, scale*d.Gap)
	}
	return fmt.Sprintf("%+.*f [%+.*f, %+.*f]", digits, scale*d.Gap, digits, scale*d.Lo, digits, scale*d.Hi)
}
