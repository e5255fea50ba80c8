package nbkit

import (
	"time"

	"github.com/janpfeifer/gonb/gonbui"
)

// GonbUI is the Display of a GoNB notebook.
type GonbUI struct{}

// UpdateHTML implements Display.
func (GonbUI) UpdateHTML(id, html string) { gonbui.UpdateHTML(id, html) }

// HTML implements Display.
func (GonbUI) HTML(html string) { gonbui.DisplayHTML(html) }

// Markdown implements Display.
func (GonbUI) Markdown(md string) { gonbui.DisplayMarkdown(md) }

// PNG implements Display.
func (GonbUI) PNG(png []byte) { gonbui.DisplayPNG(png) }

// FrontEndTimeout is a quarter of how long Explore waits for the browser to answer its knobs.
var FrontEndTimeout = 5 * time.Second
