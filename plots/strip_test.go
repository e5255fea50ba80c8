package plots

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestTokenStripColours checks the boxes are where the layout puts them and coloured by score: blue for lo,
// red for hi.
func TestTokenStripColours(t *testing.T) {
	tokens := []string{"low", "high", "mid"}
	scores := []float64{0, 1, 0.5}
	size := Size{Width: 4 * vg.Inch}
	b, err := TokenStrip("replaced?", tokens, scores, 0, 1, size)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	boxes, height, err := stripLayout(tokens, size.Width)
	if err != nil {
		t.Fatal(err)
	}
	px := func(l vg.Length) int { return int(math.Round(float64(l) * 96 / 72)) }
	if got := img.Bounds(); got.Dx() != px(size.Width) || got.Dy() != px(height) {
		t.Errorf("image %v, want %dx%d", got, px(size.Width), px(height))
	}
	rgb := func(i int) (r, g, b uint32) {
		// Inside the box, in its left padding, away from the text.
		r, g, b, _ = img.At(px(boxes[i].Min.X)+2, px(boxes[i].Min.Y+boxes[i].Max.Y)/2).RGBA()
		return r >> 8, g >> 8, b >> 8
	}
	if r, _, b := rgb(0); !(b > r+50) {
		t.Errorf("score 0 box is rgb(%d,·,%d), want blue", r, b)
	}
	if r, _, b := rgb(1); !(r > b+50) {
		t.Errorf("score 1 box is rgb(%d,·,%d), want red", r, b)
	}
	if r, g, b := rgb(2); r < 180 || g < 180 || b < 180 {
		t.Errorf("score 0.5 box is rgb(%d,%d,%d), want light grey", r, g, b)
	}
	if !(boxes[0].Max.X < boxes[1].Min.X && boxes[1].Max.X < boxes[2].Min.X) {
		t.Errorf("boxes overlap or are out of order: %v", boxes)
	}
}

func TestTokenStripWraps(t *testing.T) {
	tokens := strings.Fields(strings.Repeat("token ", 40))
	boxes, height, err := stripLayout(tokens, 3*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[vg.Length]bool{}
	for _, b := range boxes {
		rows[b.Min.Y] = true
		if b.Max.X > 3*vg.Inch-stripMargin {
			t.Errorf("box %v past the right margin", b)
		}
	}
	if len(rows) < 3 {
		t.Errorf("40 tokens in 3 inches fill %d rows, want ≥ 3", len(rows))
	}
	if want := stripTitle + vg.Length(len(rows))*stripRowH + stripScaleH; height != want {
		t.Errorf("height %v, want %v", height, want)
	}
}

func TestTokenStripErrors(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{second(TokenStrip("s", nil, nil, 0, 1, DefaultSize)), "no tokens"},
		{second(TokenStrip("s", []string{"a"}, []float64{1, 2}, 0, 1, DefaultSize)), "2 scores"},
		{second(TokenStrip("s", []string{"a"}, []float64{1}, 1, 1, DefaultSize)), "empty"},
		{second(TokenStrip("s", []string{strings.Repeat("w", 200)}, []float64{1}, 0, 1, DefaultSize)), "wider"},
		{second(TokenStrip("s", strings.Fields(strings.Repeat("t ", 300)), make([]float64, 300), 0, 1, DefaultSize)), "height"},
	}
	for i, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, c.err, c.want)
		}
	}
}
