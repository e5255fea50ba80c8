package nbkit

import (
	"fmt"
	"os"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/widgets"

	"github.com/deberta-go/lab/pipeline"
)

// HeadlessEnv is the environment variable that scripts/run-notebooks.sh sets to 1 when notebooks run without a
// browser (nbconvert): the explorers then render their default selection statically and return.
const HeadlessEnv = "DEBERTA_NOTEBOOK_HEADLESS"

// interactive reports whether widgets can reach the program: in GoNB, in a browser.
func interactive() bool {
	return gonbui.IsNotebook && os.Getenv(HeadlessEnv) != "1"
}

// ExploreAttention shows the attention explorer of a pipeline loaded with OutputAttentions and OutputScores: a
// select of sentences, sliders for layer and head, and one display (HeadHTML) updated on every change, until
// the Done button is clicked. Without a browser (HeadlessEnv, or outside GoNB) it shows the first sentence's
// layer 0, head 0 with a line saying the cell is interactive, and returns.
func ExploreAttention(p *pipeline.Pipeline, sentences []string) error {
	if len(sentences) == 0 {
		return fmt.Errorf("nbkit: ExploreAttention needs at least one sentence")
	}
	cache := map[int]*pipeline.Dissection{}
	dissect := func(i int) (*pipeline.Dissection, error) {
		if cache[i] == nil {
			d, err := p.Dissect(sentences[i])
			if err != nil {
				return nil, err
			}
			cache[i] = d
		}
		return cache[i], nil
	}
	d, err := dissect(0)
	if err != nil {
		return err
	}
	first, err := HeadHTML(d, 0, 0)
	if err != nil {
		return err
	}
	if !interactive() {
		gonbui.DisplayHTML("<p><i>Interactive cell: in Jupyter, choose the sentence, layer and head. Shown here: " +
			"sentence 0, layer 0, head 0.</i></p>" + first)
		gonbui.Sync()
		return nil
	}
	return exploreLive(sentences, len(d.Attention), len(d.Attention[0]), first, dissect)
}

// exploreLive runs the widgets of ExploreAttention until Done is clicked.
func exploreLive(sentences []string, layers, heads int, first string,
	dissect func(int) (*pipeline.Dissection, error)) error {
	sentence := widgets.Select(sentences).Done()
	gonbui.DisplayHTML(fmt.Sprintf("layer (0 – %d):", layers-1))
	layer := widgets.Slider(0, layers-1, 0).Done()
	gonbui.DisplayHTML(fmt.Sprintf("head (0 – %d):", heads-1))
	head := widgets.Slider(0, heads-1, 0).Done()
	done := widgets.Button("Done").Done()
	id := "attention-" + gonbui.UniqueId()
	gonbui.UpdateHtml(id, first)
	sentenceC, layerC, headC, clicks := sentence.Listen(), layer.Listen(), head.Listen(), done.Listen()
	defer sentenceC.Close()
	defer layerC.Close()
	defer headC.Close()
	defer clicks.Close()
	s, l, h := 0, 0, 0
	for {
		select {
		case s = <-sentenceC.C:
		case l = <-layerC.C:
		case h = <-headC.C:
		case <-clicks.C:
			return nil
		}
		d, err := dissect(s)
		if err == nil {
			var page string
			if page, err = HeadHTML(d, l, h); err == nil {
				gonbui.UpdateHtml(id, page)
				continue
			}
		}
		gonbui.UpdateHtml(id, "<pre>Error: "+err.Error()+"</pre>")
	}
}
