package plots

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func decode(t *testing.T, name string, b []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", name, err)
	}
	if r := img.Bounds(); r.Dx() < 100 || r.Dy() < 100 {
		t.Errorf("%s: image %v too small", name, r)
	}
}

func TestFigures(t *testing.T) {
	b, err := Lines("loss", "step", "loss", []Series{{Name: "a", X: []float64{0, 1, 2}, Y: []float64{3, 2, 1}}}, DefaultSize)
	decode(t, "lines", b, err)
	b, err = Lines("loss", "step", "loss", []Series{{Name: "smoothed", X: []float64{0, 1, 2}, Y: []float64{3, 2.5, 2}, Raw: []float64{3, 2, 2}},
		{Name: "evaluations", X: []float64{1}, Y: []float64{2}, Markers: true}, {Name: "none yet"}}, DefaultSize)
	decode(t, "smoothed lines", b, err)
	b, err = GroupedBars("scores", "mean |s|", []string{"layer 0", "layer 1"}, []string{"c2c", "c2p", "p2c"},
		[][]float64{{1, 2}, {0.5, 0.7}, {0.4, 0.9}}, DefaultSize)
	decode(t, "bars", b, err)
	b, err = Heatmap("attention", "key", "query", [][]float64{{0.1, 0.9}, {0.5, 0.5}, {1, 0}}, DefaultSize)
	decode(t, "heatmap", b, err)
}

func TestFigureErrors(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{second(Lines("x", "", "", []Series{{Name: "bad", X: []float64{1}}}, DefaultSize)), `"bad"`},
		{second(Lines("x", "", "", []Series{{Name: "raw", X: []float64{1}, Y: []float64{1}, Raw: []float64{1, 2}}}, DefaultSize)), `"raw"`},
		{second(GroupedBars("x", "", []string{"a"}, []string{"g"}, [][]float64{{1, 2}}, DefaultSize)), `"g"`},
		{second(GroupedBars("x", "", []string{"a"}, []string{"g", "h"}, [][]float64{{1}}, DefaultSize)), "2 groups"},
		{second(Heatmap("h", "", "", [][]float64{{1, 2}, {3}}, DefaultSize)), "row 1"},
		{second(Heatmap("h", "", "", nil, DefaultSize)), "empty"},
	}
	for i, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, c.err, c.want)
		}
	}
}

func second(_ []byte, err error) error { return err }
