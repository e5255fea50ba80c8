package nbkit

import (
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"sync/atomic"
)

// Display is where the notebook output goes: gonbui in a notebook (GonbUI), a recorder in tests.
type Display interface {
	// UpdateHTML shows html in the display id (created on first use), replacing what it showed.
	UpdateHTML(id, html string)
	// HTML, Markdown and PNG append a static output.
	HTML(html string)
	Markdown(md string)
	PNG(png []byte)
}

// panel is the display of a training run that Live (pre-training) and LiveFinetune (fine-tuning) share: one
// display id updated in place every Every steps and at the last one, and the Stop flag of the run. Headless
// (no live front-end), nothing is updated in place and the final show leaves static outputs.
type panel struct {
	Every    int
	display  Display
	id       string
	headless bool
	stop     atomic.Bool
	curves   curves
}

// curves are what a panel draws: a status line and figures.
type curves interface {
	Status() string
	Figures() ([][]byte, error)
}

// init sets p up to draw c and, live, shows a placeholder until the first step (which compiles the training graph).
func (p *panel) init(d Display, id, name string, every int, headless bool, c curves) {
	p.Every, p.display, p.id, p.headless, p.curves = max(1, every), d, id, headless, c
	if !headless {
		d.UpdateHTML(id, html.EscapeString(name+": compiling the training step…"))
	}
}

// Stop asks the run to end at the next step boundary (the Stop button calls it).
func (p *panel) Stop() { p.stop.Store(true) }

// Stopped reports whether Stop was called (the run's stop test).
func (p *panel) Stopped() bool { return p.stop.Load() }

// due reports whether step (of total) is redrawn in place.
func (p *panel) due(step, total int) bool {
	return !p.headless && (step%p.Every == 0 || step == total)
}

// Finish shows the final state with note (e.g. where the state was saved): in place when live, as static
// figures when headless.
func (p *panel) Finish(note string) error { return p.draw(note) }

func (p *panel) draw(note string) error {
	figs, err := p.curves.Figures()
	if err != nil {
		return err
	}
	p.show(p.curves.Status(), note, figs)
	return nil
}

// show draws the status line, a note and the figures: in place when live, as static outputs when headless.
func (p *panel) show(status, note string, figs [][]byte) {
	if !p.headless {
		p.display.UpdateHTML(p.id, `<div class="nbkit-live">`+statusHTML(status, note)+imgs(figs)+"</div>")
		return
	}
	p.display.HTML(statusHTML(status, note))
	for _, f := range figs {
		p.display.PNG(f)
	}
}

// imgs is HTML showing the PNGs side by side.
func imgs(pngs [][]byte) string {
	var b strings.Builder
	for _, f := range pngs {
		fmt.Fprintf(&b, `<img style="display:inline-block;max-width:49%%" src="data:image/png;base64,%s">`, base64.StdEncoding.EncodeToString(f))
	}
	return b.String()
}

func statusHTML(status, note string) string {
	s := "<div><b>" + html.EscapeString(status) + "</b>"
	if note != "" {
		s += "<br>" + html.EscapeString(note)
	}
	return s + "</div>"
}
