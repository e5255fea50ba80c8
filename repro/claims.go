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

// ClaimsMarkdown renders DownstreamClaims as a table: gap in points with its interval and verdict, over the
// runs × seeds and over the per-run means.
func (r *Report) ClaimsMarkdown() string {
	var b strings.Builder
	b.WriteString("| claim | task | ordering | gap (pts) [95% CI], runs × seeds | verdict | gap [95% CI], per-run means | verdict |\n|---|---|---|---:|---|---:|---|\n")
	for _, c := range r.DownstreamClaims() {
		fmt.Fprintf(&b, "| %s | %s | %s > %s | %s | %s | %s | %s |\n", c.Claim, c.Task, c.A, c.B,
			diffCell(c.Diff), c.Diff.Verdict(), diffCell(c.RunDiff), c.RunDiff.Verdict())
	}
	return b.String()
}

func diffCell(d Diff) string {
	if math.IsNaN(d.Lo) {
		return fmt.Sprintf("%+.2f", 100*d.Gap)
	}
	return fmt.Sprintf("%+.2f [%+.2f, %+.2f]", 100*d.Gap, 100*d.Lo, 100*d.Hi)
}
