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

// render draws p and, to the right of it, leg, as a PNG of the given size; p's title is centred over both.
func render(p *plot.Plot, leg plot.Legend, size Size) ([]byte, error) {
	img := vgimg.New(size.Width, size.Height)
	c := draw.New(img)
	if p.Title.Text != "" {
		c.FillText(p.Title.TextStyle, vg.Point{X: c.Center().X, Y: c.Max.Y + p.Title.TextStyle.FontExtents().Descent}, p.Title.Text)
		c = draw.Crop(c, 0, 0, 0, -(p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding))
		p.Title.Text = ""
	}
	plotArea, legendArea := legendLayout(&leg, c)
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

// legendLayout splits c into the plot's area and, to its right, the legend's. The legend takes at most half the
// width; without entries it takes none.
func legendLayout(leg *plot.Legend, c draw.Canvas) (plotArea, legendArea draw.Canvas) {
	leg.TextStyle.Font.Size = legendFontSize
	leg.Top, leg.Left, leg.Padding = true, true, 2
	w := leg.Rectangle(c).Size().X
	if w == 0 {
		return c, draw.Crop(c, c.Size().X, 0, 0, 0)
	}
	w = min(w+2*legendGap, c.Size().X/2)
	return draw.Crop(c, 0, -w, 0, 0), draw.Crop(c, c.Size().X-w+legendGap, -legendGap, 0, 0)
}
