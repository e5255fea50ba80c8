package nbkit

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/deberta-go/lab/layers"
)

// Knob choices of the explorer's selects (the first sharing mode, and the entries equal to DefaultSettings, are
// preselected).
var (
	sharingChoices = []layers.SharingMode{layers.GDES, layers.ES, layers.NES}
	widthChoices   = []int{64, 96, 128}
	tempChoices    = []float64{0.5, 1, 1.5, 2}
	lrChoices      = []float64{3e-4, 1e-3, 3e-3}
)

// InteractiveNote is the line the explorer shows about what is interactive.
const InteractiveNote = "Interactive cell: in Jupyter in a browser it shows the knobs, Run, Stop and Finish; " +
	"headless (nbconvert, `make notebooks`) it runs its default runs and leaves the table and figures below."

// controls are the explorer's widgets (only built when a browser answers).
type controls struct {
	sharing, width, genWidth, temp, lr *widgets.SelectBuilder
	lambda, genLayers, steps           *widgets.SliderBuilder
}

func labelled(id, label string) string {
	return fmt.Sprintf(`<span style="margin-right:1.2em">%s <span id="%s"></span></span>`, label, id)
}

func choices[T any](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}

func selectOf[T comparable](parent string, xs []T, def T) *widgets.SelectBuilder {
	b := widgets.Select(choices(xs)).AppendTo(parent)
	for i, x := range xs {
		if x == def {
			b.SetDefault(i)
		}
	}
	return b.Done()
}

// newControls shows the knobs, preset to d.
func newControls(d Settings) *controls {
	uid := gonbui.UniqueID()
	ids := map[string]string{}
	html := ""
	for _, k := range [][2]string{{"sharing", "sharing"}, {"lambda", "λ (RTD weight)"}, {"width", "width"},
		{"genLayers", "generator layers"}, {"genWidth", "generator width"}, {"temp", "temperature"}, {"lr", "learning rate"}, {"steps", "steps"}} {
		ids[k[0]] = "gdes-" + k[0] + "-" + uid
		html += labelled(ids[k[0]], k[1])
	}
	gonbui.DisplayHTML(`<div class="gdes-controls">` + html + `</div>`)
	return &controls{
		sharing: selectOf(ids["sharing"], sharingChoices, d.Sharing), width: selectOf(ids["width"], widthChoices, d.Width),
		genWidth: selectOf(ids["genWidth"], widthChoices, d.genWidth()), temp: selectOf(ids["temp"], tempChoices, d.Temperature),
		lr:        selectOf(ids["lr"], lrChoices, d.LR),
		lambda:    widgets.Slider(1, 100, int(d.Lambda)).AppendTo(ids["lambda"]).Done(),
		genLayers: widgets.Slider(1, 4, d.GenLayers).AppendTo(ids["genLayers"]).Done(),
		steps:     widgets.Slider(20, 1000, d.Steps).AppendTo(ids["steps"]).Done(),
	}
}

// settings reads the knobs into a copy of d.
func (c *controls) settings(d Settings) Settings {
	d.Sharing, d.Width, d.GenWidth = sharingChoices[c.sharing.Value()], widthChoices[c.width.Value()], widthChoices[c.genWidth.Value()]
	d.Temperature, d.LR = tempChoices[c.temp.Value()], lrChoices[c.lr.Value()]
	d.Lambda, d.GenLayers, d.Steps = float64(c.lambda.Value()), c.genLayers.Value(), c.steps.Value()
	return d
}

// Explore runs the GDES explorer in the notebook cell (HTML ids: gdes-run-*, gdes-stop-*, gdes-finish-* for the
// buttons, gdes-<knob>-* for the knobs' spans; the live display is div.nbkit-live, the table table.gdes-runs).
// In a browser (the knobs, preset to defaults, were answered within 4×FrontEndTimeout; DEBERTA_NOTEBOOK_HEADLESS unset):
// Run trains a run with a live display (Stop ends it at the next step, state saved), every run is added to the
// comparison table and the overlaid plots, and Finish ends the cell. Headless: it trains the headless settings
// one after the other and leaves their figures, the table and the overlays as static outputs.
func Explore(e *Explorer, defaults Settings, headless []Settings) error {
	gonbui.DisplayMarkdown(InteractiveNote)
	if os.Getenv(HeadlessEnv) == "1" {
		return exploreHeadless(e, headless)
	}
	uid := gonbui.UniqueID()
	// The knobs' selects and sliders wait for the browser when created: built in time, a browser is there.
	built := make(chan *controls, 1)
	go func() { built <- newControls(defaults) }()
	var c *controls
	select {
	case c = <-built:
	case <-time.After(4 * FrontEndTimeout):
		return exploreHeadless(e, headless)
	}
	run := widgets.Button("Run").WithHtmlId("gdes-run-" + uid).Done()
	stop := widgets.Button("Stop").WithHtmlId("gdes-stop-" + uid).Done()
	finish := widgets.Button("Finish").WithHtmlId("gdes-finish-" + uid).Done()
	var current atomic.Pointer[Live]
	stops := stop.Listen()
	defer stops.Close()
	go func() {
		for range stops.C {
			if l := current.Load(); l != nil {
				l.Stop()
			}
		}
	}()
	runs, finishes := run.Listen(), finish.Listen()
	defer runs.Close()
	defer finishes.Close()
	for {
		select {
		case <-finishes.C:
			gonbui.UpdateHTML("gdes-status-"+uid, "finished: "+strconv.Itoa(len(e.Results))+" runs")
			return nil
		case <-runs.C:
			s := c.settings(defaults)
			l := NewLive(GonbUI{}, "gdes-live-"+uid, s.Name(), s.Steps, max(1, s.Steps/20), false)
			current.Store(l)
			r, err := e.Run(s, l)
			current.Store(nil)
			if err != nil {
				return err
			}
			if err := l.Finish(fmt.Sprintf("state saved in %s (stopped: %v)", r.Saved, r.Stopped)); err != nil {
				return err
			}
			if err := showComparison(GonbUI{}, "gdes-compare-"+uid, e.Results); err != nil {
				return err
			}
		}
	}
}

// exploreHeadless trains each of runs and leaves static outputs.
func exploreHeadless(e *Explorer, runs []Settings) error {
	for _, s := range runs {
		l := NewLive(GonbUI{}, "", s.Name(), s.Steps, s.Steps, true)
		r, err := e.Run(s, l)
		if err != nil {
			return err
		}
		if err := l.Finish(fmt.Sprintf("%s in %s", s.Name(), r.Duration.Round(1e9))); err != nil {
			return err
		}
	}
	return showComparison(GonbUI{}, "", e.Results)
}

// showComparison shows the table and the overlaid plots: in display id, or as static outputs when id is "".
func showComparison(d Display, id string, results []Result) error {
	figs, err := Overlays(results)
	if err != nil {
		return err
	}
	if id != "" {
		d.UpdateHTML(id, Table(results)+imgs(figs))
		return nil
	}
	d.HTML(Table(results))
	for _, f := range figs {
		d.PNG(f)
	}
	return nil
}
