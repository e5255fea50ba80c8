package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size is an image size in inches (rendered at 96 dpi by gonum/plot's PNG canvas).
type Size struct{ Width, Height vg.Length }

// DefaultSize is 6×4 inches.
var DefaultSize = Size{6 * vg.Inch, 4 * vg.Inch}

// Series is one named line of a line plot.
type Series struct {
	Name string
	X, Y []float64
	// Raw, when set (one value per X), is drawn faintly under Y: the noisy values Y smooths (e.g. a loss and
	// its moving average).
	Raw []float64
	// Markers draws a dot at each point (sparse series, such as evaluations every N steps).
	Markers bool
}

// palette for series and bar groups (colour-blind friendly, Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255},
}

// faint is c at the opacity of the raw lines under a smoothed one.
func faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 80}
}

// Lines draws one line per series, with the legend to the right of the plotting area (never over the data). A
// series with Raw values is drawn bold over its faint raw line, and the legend ends with an entry saying so.
func Lines(title, xLabel, yLabel string, series []Series, size Size) ([]byte, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xLabel, yLabel
	p.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	anyRaw := false
	for i, s := range series {
		c := palette[i%len(palette)]
		width := 1.5
		if s.Raw != nil {
			raw, err := newLine(s.Name, s.X, s.Raw, faint(c), 1)
			if err != nil {
				return nil, err
			}
			p.Add(raw)
			anyRaw, width = true, 2
		}
		line, err := newLine(s.Name, s.X, s.Y, c, width)
		if err != nil {
			return nil, err
		}
		p.Add(line)
		thumbs := []plot.Thumbnailer{line}
		if s.Markers && len(line.XYs) > 0 {
			dots, err := plotter.NewScatter(line.XYs)
			if err != nil {
				return nil, fmt.Errorf("series %q: %w", s.Name, err)
			}
			dots.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
			p.Add(dots)
			thumbs = append(thumbs, dots)
		}
		leg.Add(s.Name, thumbs...)
	}
	if anyRaw {
		raw, err := newLine("raw", nil, nil, faint(color.Black), 1)
		if err != nil {
			return nil, err
		}
		leg.Add("faint: raw values", raw)
	}
	return render(p, leg, size)
}

// newLine is the line through (x[i], y[i]) in colour c, width points wide.
func newLine(name string, x, y []float64, c color.Color, width float64) (*plotter.Line, error) {
	if len(x) != len(y) {
		return nil, fmt.Errorf("series %q: %d x values, %d y values", name, len(x), len(y))
	}
	pts := make(plotter.XYs, len(x))
	for j := range x {
		pts[j].X, pts[j].Y = x[j], y[j]
	}
	line, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("series %q: %w", name, err)
	}
	line.Color, line.Width = c, vg.Points(width)
	return line, nil
}

// GroupedBars draws, for each category (x axis), one bar per group; values[g][c] is group g at category c.
func GroupedBars(title, yLabel string, categories, groups []string, values [][]float64, size Size) ([]byte, error) {
	if len(values) != len(groups) {
		return nil, fmt.Errorf("%d groups but %d value rows", len(groups), len(values))
	}
	p := plot.New()
	p.Title.Text, p.Y.Label.Text = title, yLabel
	leg := plot.NewLegend()
	width := vg.Points(60 / float64(max(len(groups), 1)))
	for g, row := range values {
		if len(row) != len(categories) {
			return nil, fmt.Errorf("group %q: %d values for %d categories", groups[g], len(row), len(categories))
		}
		bars, err := plotter.NewBarChart(plotter.Values(row), width)
		if err != nil {
			return nil, fmt.Errorf("group %q: %w", groups[g], err)
		}
		bars.Color = palette[g%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = width * vg.Length(float64(g)-float64(len(groups)-1)/2)
		p.Add(bars)
		leg.Add(groups[g], bars)
	}
	p.NominalX(categories...)
	return render(p, leg, size)
}

// grid adapts a row-major matrix to plotter.GridXYZ, row 0 drawn at the top (grid row r is matrix row
// len−1−r; the y tick labels are flipped to match).
type grid struct{ m [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.m[0]), len(g.m) }
func (g grid) Z(c, r int) float64 { return g.m[len(g.m)-1-r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// flippedTicks labels y = v with the matrix row index rows−1−v.
func flippedTicks(rows int) plot.Ticker {
	return plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ticks []plot.Tick
		for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
			if t.Label != "" {
				t.Label = strconv.FormatFloat(float64(rows-1)-t.Value, 'g', 4, 64)
			}
			ticks = append(ticks, t)
		}
		return ticks
	})
}

// Heatmap draws a matrix (rows top to bottom, e.g. queries × keys) with a colour bar.
func Heatmap(title, xLabel, yLabel string, m [][]float64, size Size) ([]byte, error) {
	if len(m) == 0 || len(m[0]) == 0 {
		return nil, fmt.Errorf("heatmap %q: empty matrix", title)
	}
	for i, row := range m {
		if len(row) != len(m[0]) {
			return nil, fmt.Errorf("heatmap %q: row %d has %d values, row 0 has %d", title, i, len(row), len(m[0]))
		}
	}
	pal := moreland.SmoothBlueRed().Palette(64)
	hm := plotter.NewHeatMap(grid{m}, pal)
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xLabel, yLabel
	p.Add(hm)
	p.Y.Tick.Marker = flippedTicks(len(m))
	bar := &plotter.ColorBar{ColorMap: moreland.SmoothBlueRed()}
	bar.ColorMap.SetMin(hm.Min)
	bar.ColorMap.SetMax(hm.Max)
	if hm.Min == hm.Max {
		bar.ColorMap.SetMax(hm.Min + 1)
	}
	barPlot := plot.New()
	barPlot.Add(bar)
	barPlot.HideY()
	barPlot.X.Padding = 0
	// The heatmap on top, a thin colour bar underneath.
	img := vgimg.New(size.Width, size.Height)
	dc := draw.New(img)
	barHeight := size.Height / 6
	p.Draw(draw.Crop(dc, 0, 0, barHeight, 0))
	barPlot.Draw(draw.Crop(dc, 0, 0, 0, barHeight-size.Height))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
