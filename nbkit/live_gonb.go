package nbkit

import (
	"os"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/comms"
	"github.com/janpfeifer/gonb/gonbui/widgets"
)

// GonbUI is the Display of a GoNB notebook.
type GonbUI struct{}

// UpdateHTML implements Display.
func (GonbUI) UpdateHTML(id, html string) { gonbui.UpdateHTML(id, html) }

// HTML implements Display.
func (GonbUI) HTML(html string) { gonbui.DisplayHTML(html) }

// PNG implements Display.
func (GonbUI) PNG(png []byte) { gonbui.DisplayPNG(png) }

// FrontEndTimeout is how long LiveFrontEnd waits for the browser to answer.
var FrontEndTimeout = 5 * time.Second

// HeadlessEnv is the environment variable that, set to 1, declares there is no browser (scripts/run-notebooks.sh
// sets it). It matters: under nbconvert GoNB forwards LiveFrontEnd's value request to a browser that never comes,
// and the cell's display output stalls until the cell times out (measured with GoNB v0.11.1).
const HeadlessEnv = "NBKIT_HEADLESS"

// LiveFrontEnd reports whether a browser runs the widget at address (a Button's Address: buttons, unlike sliders
// and selects, do not wait for the browser when created): false outside a notebook or with HeadlessEnv=1, else
// it asks the front-end for the widget's value every 500 ms (the widget's script may not be running yet) and
// waits up to FrontEndTimeout for an answer. Create sliders and selects only when it is true: their Done waits
// for the browser forever.
func LiveFrontEnd(address string) bool {
	if !gonbui.IsNotebook || gonbui.Error() != nil || os.Getenv(HeadlessEnv) == "1" {
		return false
	}
	answered := make(chan struct{}, 1)
	ask := func() {
		comms.ReadValue[int](address)
		select {
		case answered <- struct{}{}:
		default:
		}
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(FrontEndTimeout)
	go ask()
	for {
		select {
		case <-answered:
			return true
		case <-tick.C:
			go ask()
		case <-deadline:
			return false
		}
	}
}

// LiveWithStop starts a Live display of a run in the notebook, with a Stop button when a browser is connected
// (LiveFrontEnd), headless otherwise; call the returned release when the run ends.
func LiveWithStop(name string, total, every int) (l *Live, release func()) {
	stop := widgets.Button("Stop").Done()
	headless := !LiveFrontEnd(stop.Address())
	l = NewLive(GonbUI{}, "live-"+gonbui.UniqueID(), name, total, every, headless)
	clicks := stop.Listen()
	go func() {
		for range clicks.C {
			l.Stop()
		}
	}()
	return l, clicks.Close
}
