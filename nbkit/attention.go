package nbkit

import (
	"encoding/base64"
	"fmt"
	"html"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"gonum.org/v1/plot/vg"

	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/pipeline"
	"github.com/deberta-go/lab/plots"
)

// checkHead reports an error when layer or head is outside the dissection.
func checkHead(d *pipeline.Dissection, layer, head int) error {
	if d == nil || len(d.Attention) == 0 {
		return fmt.Errorf("nbkit: empty dissection")
	}
	if layer < 0 || layer >= len(d.Attention) {
		return fmt.Errorf("nbkit: layer %d out of range [0, %d)", layer, len(d.Attention))
	}
	if head < 0 || head >= len(d.Attention[layer]) {
		return fmt.Errorf("nbkit: head %d out of range [0, %d)", head, len(d.Attention[layer]))
	}
	return nil
}

// AttentionMap is a PNG heatmap of the attention probabilities of one layer and head, [query][key].
func AttentionMap(d *pipeline.Dissection, layer, head int) ([]byte, error) {
	if err := checkHead(d, layer, head); err != nil {
		return nil, err
	}
	return plots.Heatmap(fmt.Sprintf("layer %d, head %d: attention probabilities", layer, head), "key", "query",
		d.Attention[layer][head], plots.Size{Width: 3.6 * vg.Inch, Height: 3.2 * vg.Inch})
}

// TermSplit is a PNG bar chart of the mean |c2c|, |c2p|, |p2c| of one layer and head's scaled score terms.
func TermSplit(d *pipeline.Dissection, layer, head int) ([]byte, error) {
	if err := checkHead(d, layer, head); err != nil {
		return nil, err
	}
	m := d.Magnitudes[layer][head]
	return plots.GroupedBars(fmt.Sprintf("layer %d, head %d: c2c / c2p / p2c", layer, head), "mean |s·term|",
		debertav3.ScoreTerms[:], []string{"mean |term|"}, [][]float64{m[:]},
		plots.Size{Width: 3.6 * vg.Inch, Height: 3.2 * vg.Inch})
}

// HeadHTML is the HTML of one head: the tokens, its attention map and its score-term split side by side, and
// the share of each term.
func HeadHTML(d *pipeline.Dissection, layer, head int) (string, error) {
	amap, err := AttentionMap(d, layer, head)
	if err != nil {
		return "", err
	}
	split, err := TermSplit(d, layer, head)
	if err != nil {
		return "", err
	}
	s := d.Shares[layer][head]
	var b strings.Builder
	fmt.Fprintf(&b, "<p>tokens: <code>%s</code></p><div style='display:flex;flex-wrap:wrap'>",
		html.EscapeString(strings.Join(d.Tokens, " ")))
	for _, png := range [][]byte{amap, split} {
		fmt.Fprintf(&b, "<img src='data:image/png;base64,%s'>", base64.StdEncoding.EncodeToString(png))
	}
	fmt.Fprintf(&b, "</div><p>shares: c2c %.3f, c2p %.3f, p2c %.3f</p>", s[0], s[1], s[2])
	return b.String(), nil
}

// Overview is two PNGs of a whole dissection: the share of each score term per layer and head (nil when there
// are more than 24 heads in all, too many bars), and a heatmap of the position terms' share c2p + p2c.
func Overview(d *pipeline.Dissection) (bars, positions []byte, err error) {
	if err := checkHead(d, 0, 0); err != nil {
		return nil, nil, err
	}
	layers, heads := len(d.Shares), len(d.Shares[0])
	var cats []string
	shares := make([][]float64, 3)
	posShare := make([][]float64, layers)
	for l := range d.Shares {
		for h, s := range d.Shares[l] {
			if layers*heads <= 24 {
				cats = append(cats, fmt.Sprintf("L%d H%d", l, h))
				for k := range 3 {
					shares[k] = append(shares[k], s[k])
				}
			}
			posShare[l] = append(posShare[l], s[1]+s[2])
		}
	}
	if cats != nil {
		bars, err = plots.GroupedBars("share of each score term (mean |term| / sum), per layer and head", "share",
			cats, debertav3.ScoreTerms[:], shares, plots.Size{Width: 8 * vg.Inch, Height: 3.5 * vg.Inch})
		if err != nil {
			return nil, nil, err
		}
	}
	positions, err = plots.Heatmap("share of the position terms c2p + p2c", "head", "layer", posShare,
		plots.Size{Width: 4 * vg.Inch, Height: 3 * vg.Inch})
	return bars, positions, err
}

// HeadMaps are PNG heatmaps of the attention probabilities of every head of one sequence, from one layer's
// attentions [batch, heads, query, key] (debertav3.Outputs.Attentions[layer]); title names the layer.
func HeadMaps(attn *tensors.Tensor, seq int, title string) ([][]byte, error) {
	dims := attn.Shape().Dimensions
	if len(dims) != 4 || dims[2] != dims[3] || seq < 0 || seq >= dims[0] {
		return nil, fmt.Errorf("nbkit: HeadMaps of sequence %d: want attentions [batch, heads, q, q], got %v", seq, dims)
	}
	probs, err := tensors.CopyFlatData[float32](attn)
	if err != nil {
		return nil, err
	}
	heads, n := dims[1], dims[2]
	var pngs [][]byte
	for h := range heads {
		mat := make([][]float64, n)
		for i := range mat {
			mat[i] = make([]float64, n)
			for j := range mat[i] {
				mat[i][j] = float64(probs[((seq*heads+h)*n+i)*n+j])
			}
		}
		png, err := plots.Heatmap(fmt.Sprintf("%s, head %d: attention probabilities", title, h), "key position",
			"query position", mat, plots.Size{Width: 320, Height: 260})
		if err != nil {
			return nil, err
		}
		pngs = append(pngs, png)
	}
	return pngs, nil
}

// ScoreBars is a PNG bar chart of the mean |c2c|, |c2p|, |p2c| per layer over the real token pairs of a forward
// pass run with OutputScores (debertav3.ScoreMagnitudes; mask [batch][seq], 1 for real tokens).
func ScoreBars(out *debertav3.Outputs, mask [][]int32) ([]byte, error) {
	mags, err := debertav3.ScoreMagnitudes(out, mask)
	if err != nil {
		return nil, err
	}
	layers := make([]string, len(mags))
	values := make([][]float64, 3)
	for l, row := range mags {
		layers[l] = fmt.Sprintf("layer %d", l)
		for k := range row {
			values[k] = append(values[k], row[k])
		}
	}
	return plots.GroupedBars("mean |score term| over real token pairs (scaled)", "mean |s·term|", layers,
		debertav3.ScoreTerms[:], values, plots.DefaultSize)
}
