package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	gpalette "gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Layout of a token strip, in points.
const (
	stripMargin   = vg.Length(8)
	stripTitle    = vg.Length(22) // height of the title line
	stripBoxH     = vg.Length(18) // token box height
	stripRowH     = vg.Length(34) // box, its score underneath, spacing
	stripPad      = vg.Length(3)  // horizontal text padding inside a box
	stripGap      = vg.Length(2)  // space between boxes
	stripScaleH   = vg.Length(30) // colour scale and its labels
	stripTokenPt  = 11
	stripScorePt  = 8
	stripTitlePt  = 12
	stripScaleLen = 40 // colour steps of the scale
)

// TokenStrip draws tokens as a row of boxes (wrapped to the image width) coloured by their scores on a blue–red
// scale from lo to hi, each score printed under its token, with the colour scale at the bottom: e.g. the
// per-token probability that a token was replaced. Tokens are drawn as given (Liberation Sans: Latin, Greek,
// Cyrillic). size.Height 0 fits the height to the content; a fixed height too small for the tokens is an error.
func TokenStrip(title string, tokens []string, scores []float64, lo, hi float64, size Size) ([]byte, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("token strip %q: no tokens", title)
	}
	if len(tokens) != len(scores) {
		return nil, fmt.Errorf("token strip %q: %d tokens but %d scores", title, len(tokens), len(scores))
	}
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("token strip %q: scale [%g, %g] is empty", title, lo, hi)
	}
	boxes, height, err := stripLayout(tokens, size.Width)
	if err != nil {
		return nil, fmt.Errorf("token strip %q: %w", title, err)
	}
	if size.Height == 0 {
		size.Height = height
	} else if size.Height < height {
		return nil, fmt.Errorf("token strip %q: the tokens need a height of %.0fpt, the image has %.0fpt", title, height, size.Height)
	}
	cmap := moreland.SmoothBlueRed()
	cmap.SetMin(lo)
	cmap.SetMax(hi)
	img := vgimg.New(size.Width, size.Height)
	dc := draw.New(img)
	dc.FillPolygon(color.White, rectPoints(vg.Rectangle{Max: vg.Point{X: size.Width, Y: size.Height}}))
	top := size.Height // boxes are laid out from the top; the canvas origin is at the bottom
	style := func(pt font.Length, xa text.XAlignment) draw.TextStyle {
		return draw.TextStyle{Color: color.Black, Font: font.From(plot.DefaultFont, pt), Handler: plot.DefaultTextHandler,
			XAlign: xa, YAlign: draw.YCenter}
	}
	dc.FillText(style(stripTitlePt, draw.XLeft), vg.Point{X: stripMargin, Y: top - stripTitle/2 - 2}, title)
	for i, b := range boxes {
		b = flip(b, top)
		dc.FillPolygon(scoreColor(cmap, scores[i]), rectPoints(b))
		dc.FillText(style(stripTokenPt, draw.XCenter), vg.Point{X: (b.Min.X + b.Max.X) / 2, Y: (b.Min.Y + b.Max.Y) / 2}, tokens[i])
		dc.FillText(style(stripScorePt, draw.XCenter), vg.Point{X: (b.Min.X + b.Max.X) / 2, Y: b.Min.Y - 6},
			fmt.Sprintf("%.2f", scores[i]))
	}
	// The colour scale: lo on the left, hi on the right.
	scaleW := min(size.Width-2*stripMargin, 240)
	y0 := stripMargin + 10
	step := scaleW / stripScaleLen
	for k := range stripScaleLen {
		v := lo + (hi-lo)*(float64(k)+0.5)/stripScaleLen
		x := stripMargin + vg.Length(k)*step
		dc.FillPolygon(scoreColor(cmap, v), rectPoints(vg.Rectangle{Min: vg.Point{X: x, Y: y0}, Max: vg.Point{X: x + step + 0.5, Y: y0 + 8}}))
	}
	dc.FillText(style(stripScorePt, draw.XLeft), vg.Point{X: stripMargin, Y: y0 - 6}, fmt.Sprintf("%g", lo))
	dc.FillText(style(stripScorePt, draw.XRight), vg.Point{X: stripMargin + scaleW, Y: y0 - 6}, fmt.Sprintf("%g", hi))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// stripLayout places one box per token, left to right and wrapping, in coordinates measured from the top-left
// corner (y downwards), and returns the height the strip needs.
func stripLayout(tokens []string, width vg.Length) ([]vg.Rectangle, vg.Length, error) {
	fnt := font.From(plot.DefaultFont, stripTokenPt)
	scoreW, _, _ := plot.DefaultTextHandler.Box("0.00", font.From(plot.DefaultFont, stripScorePt)) // the score under a box
	x, row := stripMargin, 0
	boxes := make([]vg.Rectangle, len(tokens))
	for i, tok := range tokens {
		w, _, _ := plot.DefaultTextHandler.Box(tok, fnt)
		w = max(w, scoreW) + 2*stripPad
		if x+w > width-stripMargin && x > stripMargin {
			x, row = stripMargin, row+1
		}
		if x+w > width-stripMargin {
			return nil, 0, fmt.Errorf("token %d (%q) is wider than the image", i, tok)
		}
		y := stripTitle + vg.Length(row)*stripRowH
		boxes[i] = vg.Rectangle{Min: vg.Point{X: x, Y: y}, Max: vg.Point{X: x + w, Y: y + stripBoxH}}
		x += w + stripGap
	}
	return boxes, stripTitle + vg.Length(row+1)*stripRowH + stripScaleH, nil
}

// flip converts a top-down rectangle to the canvas' bottom-up coordinates.
func flip(r vg.Rectangle, top vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X, Y: top - r.Max.Y}, Max: vg.Point{X: r.Max.X, Y: top - r.Min.Y}}
}

func rectPoints(r vg.Rectangle) []vg.Point {
	return []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
}

// scoreColor is the colour of v, clamped to the map's range; NaN is grey.
func scoreColor(cmap gpalette.ColorMap, v float64) color.Color {
	if math.IsNaN(v) {
		return color.Gray{Y: 180}
	}
	c, err := cmap.At(math.Max(cmap.Min(), math.Min(cmap.Max(), v)))
	if err != nil {
		return color.Gray{Y: 180}
	}
	return c
}
