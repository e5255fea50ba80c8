package plots

import (
	"bytes"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// legendGap is the space between the plot and its legend, and between the legend and the image's edge.
const legendGap = vg.Length(8)

// legendFontSize is the legend's text size in points.
const legendFontSize = 10

// render draws p and, to the right of it, leg, as a PNG of the given size.
func render(p *plot.Plot, leg plot.Legend, size Size) ([]byte, error) {
	img := vgimg.New(size.Width, size.Height)
	c := draw.New(img)
	plotArea, legendArea := legendLayout(p, &leg, c)
	p.Draw(plotArea)
	if legendArea.Size().X > 0 {
		leg.Draw(legendArea)
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// legendLayout splits c into the plot's area and, to its right, the legend's, whose top is level with the top of
// the plotting area (under the title). The legend takes at most half the width; without entries it takes none.
func legendLayout(p *plot.Plot, leg *plot.Legend, c draw.Canvas) (plotArea, legendArea draw.Canvas) {
	leg.TextStyle.Font.Size = legendFontSize
	leg.Top, leg.Left, leg.Padding = true, true, 2
	w := leg.Rectangle(c).Size().X
	if w == 0 {
		return c, draw.Crop(c, c.Size().X, 0, 0, 0)
	}
	w = min(w+2*legendGap, c.Size().X/2)
	top := vg.Length(0)
	if p.Title.Text != "" {
		top = p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	}
	return draw.Crop(c, 0, -w, 0, 0), draw.Crop(c, c.Size().X-w+legendGap, -legendGap, 0, -top)
}
