package nbkit

import (
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

// ShowClaims shows the paper's claims checked on the reproduction runs in dir: the downstream orderings with
// Welch 95% intervals and verdicts (repro.Report.ClaimsMarkdown), the pre-training comparisons (C1, held-out RTD
// AUC; PretrainingMarkdown) and the word-vector cosines beside the paper's
// (CosineMarkdown).
func ShowClaims(dir string, arms ...string) error {
	r, err := repro.Load(dir, armsOrDefault(arms))
	if err != nil {
		return err
	}
	GonbUI{}.Markdown(r.ClaimsMarkdown() + "\n" + r.PretrainingMarkdown() + "\n" + r.CosineMarkdown())
	gonbui.Sync()
	return nil
}

func armsOrDefault(arms []string) []string {
	if len(arms) == 0 {
		return nil // repro.Load: DefaultArms
	}
	return arms
}
