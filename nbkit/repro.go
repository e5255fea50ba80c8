package nbkit

import (
	"fmt"
	"math"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"

	"github.com/deberta-go/lab/repro"
)

// ShowReproduction shows a reproduction experiment (the output of scripts/reproduce.sh) whose runs are in dir:
// repro.Load of the arms (none given: repro.DefaultArms), its tables and its figures. Each run directory is
// shown by its own call, so that a notebook can show several runs side by side.
func ShowReproduction(dir string, arms ...string) error {
	err := showReproduction(GonbUI{}, dir, arms)
	gonbui.Sync()
	return err
}

func showReproduction(d Display, dir string, arms []string) error {
	r, err := repro.Load(dir, armsOrDefault(arms))
	if err != nil {
		return err
	}
	figs, err := r.Figures()
	if err != nil {
		return err
	}
	d.Markdown(r.Markdown())
	for _, f := range figs {
		d.PNG(f.PNG)
	}
	return nil
}

// ShowClaims shows the paper's claims checked on the reproduction runs in dir (Claims).
func ShowClaims(dir string, arms ...string) error {
	r, err := repro.Load(dir, armsOrDefault(arms))
	if err != nil {
		return err
	}
	GonbUI{}.Markdown(Claims(r))
	gonbui.Sync()
	return nil
}

func armsOrDefault(arms []string) []string {
	if len(arms) == 0 {
		return nil // repro.Load: DefaultArms
	}
	return arms
}

// claims are the paper's orderings checked by Claims: the arm expected higher, then the lower one.
var claims = [][2]string{{"gdes", "es"}, {"es", "nes"}, {"gdes", "nes"}, {"gdes", "mlm"}}

// Claims is a Markdown table, one row per task: for each of GDES > ES, ES > NES, GDES > NES and RTD (GDES) >
// MLM-only, whether the mean test scores are so ordered, the gap in points and the gap divided by the larger
// of the two standard deviations over seeds (a rough screen, not a significance test). An arm without test
// scores for the task gives "n/a".
func Claims(r *repro.Report) string {
	stat := map[string]map[string]repro.Stat{}
	for _, a := range r.Arms {
		stat[a.Name] = map[string]repro.Stat{}
		for _, t := range r.Tasks {
			test, _, _ := a.Scores(t)
			stat[a.Name][t] = repro.NewStat(test)
		}
	}
	var b strings.Builder
	b.WriteString("| task | GDES > ES | ES > NES | GDES > NES | RTD (GDES) > MLM-only |\n|---|---|---|---|---|\n")
	for _, t := range r.Tasks {
		b.WriteString("| " + t + " |")
		for _, c := range claims {
			b.WriteString(" " + claimCell(stat[c[0]][t], stat[c[1]][t]) + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// claimCell says whether x's mean is above y's, by how many points and how many seed spreads.
func claimCell(x, y repro.Stat) string {
	if x.N == 0 || y.N == 0 {
		return "n/a (no test scores)"
	}
	gap := x.Mean - y.Mean
	verdict := "holds"
	if gap <= 0 {
		verdict = "does not hold"
	}
	return fmt.Sprintf("%s (%+.2f pts, %.1f× spread)", verdict, 100*gap, math.Abs(gap)/math.Max(math.Max(x.Std, y.Std), 1e-9))
}
