package hub

import (
	"fmt"
	"io"
	"time"
)

// progressInterval throttles progress updates to about 10 a second.
const progressInterval = 100 * time.Millisecond

// progressBar writes a one-line, carriage-return-refreshed progress bar of one download:
//
//	model.safetensors  [#########-----------]  45.2%  12.3/27.3 MB  5.1 MB/s
//
// It counts the bytes written to it (use it as a tee of the download). finish prints the final state and a
// newline. A nil writer makes it silent.
type progressBar struct {
	w       io.Writer
	name    string
	total   int64 // -1 when unknown
	start   int64 // bytes already there when the download began (a resume)
	done    int64
	began   time.Time
	last    time.Time
	now     func() time.Time
	written bool
}

func newProgressBar(w io.Writer, name string, total, start int64) *progressBar {
	p := &progressBar{w: w, name: name, total: total, start: start, done: start, now: time.Now}
	p.began = p.now()
	return p
}

// Write counts len(b) bytes and redraws at most every progressInterval.
func (p *progressBar) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.w == nil {
		return len(b), nil
	}
	if t := p.now(); !p.written || t.Sub(p.last) >= progressInterval {
		p.last = t
		p.draw()
	}
	return len(b), nil
}

// finish draws the final state followed by a newline.
func (p *progressBar) finish() {
	if p.w == nil {
		return
	}
	p.draw()
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw() {
	p.written = true
	elapsed := p.now().Sub(p.began).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(p.done-p.start) / elapsed
	}
	if p.total >= 0 {
		frac := 1.0
		if p.total > 0 {
			frac = min(float64(p.done)/float64(p.total), 1)
		}
		const width = 20
		fill := int(frac * width)
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '-'
			if i < fill {
				bar[i] = '#'
			}
		}
		div, unit := sizeUnit(p.total)
		fmt.Fprintf(p.w, "\r%s  [%s] %5.1f%%  %.1f/%.1f %s  %.1f MB/s", p.name, bar, 100*frac,
			float64(p.done)/div, float64(p.total)/div, unit, rate/1e6)
		return
	}
	div, unit := sizeUnit(p.done)
	fmt.Fprintf(p.w, "\r%s  %.1f %s  %.1f MB/s", p.name, float64(p.done)/div, unit, rate/1e6)
}

// sizeUnit picks the unit that shows n bytes best (decimal units, as the hub shows sizes).
func sizeUnit(n int64) (float64, string) {
	switch {
	case n >= 1e9:
		return 1e9, "GB"
	case n >= 1e6:
		return 1e6, "MB"
	default:
		return 1e3, "kB"
	}
}
