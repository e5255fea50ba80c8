package plots

import (
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestLegendOutsideData: the legend's area lies right of the plot's (so never over the data), inside the image;
// without entries the plot keeps the whole width; a very long entry takes at most half.
func TestLegendOutsideData(t *testing.T) {
	c := draw.New(vgimg.New(DefaultSize.Width, DefaultSize.Height))
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	leg := plot.NewLegend()
	leg.Add("MLM loss", line)
	plotArea, legendArea := legendLayout(&leg, c)
	if plotArea.Max.X > legendArea.Min.X || legendArea.Max.X > c.Max.X || plotArea.Min.X != c.Min.X {
		t.Errorf("plot area %v and legend area %v overlap or leave the image %v", plotArea.Rectangle, legendArea.Rectangle, c.Rectangle)
	}
	if legendArea.Size().X < leg.Rectangle(c).Size().X {
		t.Errorf("legend area %v narrower than the legend %v", legendArea.Rectangle, leg.Rectangle(c))
	}
	empty := plot.NewLegend()
	if full, _ := legendLayout(&empty, c); full.Rectangle != c.Rectangle {
		t.Errorf("no legend entries: plot area %v, want the whole %v", full.Rectangle, c.Rectangle)
	}
	long := plot.NewLegend()
	long.Add(strings.Repeat("a very long series name ", 10), line)
	if plotArea, _ := legendLayout(&long, c); plotArea.Size().X < c.Size().X/2 {
		t.Errorf("a long legend squeezed the plot to %v of %v", plotArea.Size().X, c.Size().X)
	}
}
