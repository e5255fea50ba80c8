package pipeline

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Dissection is the disentangled attention of a model on one text, over its real tokens ([CLS] … [SEP]).
type Dissection struct {
	Tokens []string
	// Attention[layer][head] is the attention probability matrix, [query][key].
	Attention [][][][]float64
	// Magnitudes[layer][head] are the mean |c2c|, |c2p|, |p2c| (debertav3.ScoreTerms order) of the scaled score
	// terms over all (query, key) pairs; an absent term (not in pos_att_type) is 0.
	Magnitudes [][][3]float64
	// Shares[layer][head] are the Magnitudes divided by their sum: the share of each term in the scores.
	Shares [][][3]float64
}

// Dissect runs the model on one text and returns, per layer and head, the attention map and how much of the
// attention scores comes from each term of the disentangled attention A = s·(c2c + c2p + p2c) (paper eq. 4).
// The pipeline must have been loaded with Options.OutputAttentions and Options.OutputScores.
func (p *Pipeline) Dissect(text string) (*Dissection, error) {
	if !p.Model.Options.OutputAttentions || !p.Model.Options.OutputScores {
		return nil, fmt.Errorf("dissect: the model returns no attentions or score terms: load it with " +
			"pipeline.Options{OutputAttentions: true, OutputScores: true}")
	}
	encs, err := p.encode("dissect", []string{text})
	if err != nil {
		return nil, err
	}
	b := p.pad(encs)
	out, err := p.Model.Forward(b.Inputs)
	if err != nil {
		return nil, fmt.Errorf("dissect: %w", err)
	}
	layers := len(out.Attentions)
	d := &Dissection{Tokens: encs[0].Tokens, Attention: make([][][][]float64, layers),
		Magnitudes: make([][][3]float64, layers), Shares: make([][][3]float64, layers)}
	for l := range layers {
		if d.Attention[l], err = matrices(out.Attentions[l], false); err != nil {
			return nil, fmt.Errorf("dissect: layer %d attention: %w", l, err)
		}
		heads := len(d.Attention[l])
		d.Magnitudes[l], d.Shares[l] = make([][3]float64, heads), make([][3]float64, heads)
		for k, term := range []*tensors.Tensor{out.C2C[l], out.C2P[l], out.P2C[l]} {
			if term == nil {
				continue
			}
			m, err := matrices(term, true)
			if err != nil {
				return nil, fmt.Errorf("dissect: layer %d score term %d: %w", l, k, err)
			}
			for h := range heads {
				d.Magnitudes[l][h][k] = meanOf(m[h])
			}
		}
		for h, mag := range d.Magnitudes[l] {
			if sum := mag[0] + mag[1] + mag[2]; sum > 0 {
				d.Shares[l][h] = [3]float64{mag[0] / sum, mag[1] / sum, mag[2] / sum}
			}
		}
	}
	return d, nil
}

// matrices splits a [1, heads, seq, seq] tensor into per-head matrices (absolute values with abs).
func matrices(t *tensors.Tensor, abs bool) ([][][]float64, error) {
	dims := t.Shape().Dimensions
	if len(dims) != 4 || dims[0] != 1 || dims[2] != dims[3] {
		return nil, fmt.Errorf("shape %v, want [1, heads, seq, seq]", dims)
	}
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return nil, err
	}
	heads, seq := dims[1], dims[2]
	out := make([][][]float64, heads)
	for h := range out {
		out[h] = make([][]float64, seq)
		for i := range out[h] {
			row := make([]float64, seq)
			for j := range row {
				row[j] = float64(data[(h*seq+i)*seq+j])
				if abs {
					row[j] = math.Abs(row[j])
				}
			}
			out[h][i] = row
		}
	}
	return out, nil
}

func meanOf(m [][]float64) float64 {
	sum, n := 0.0, 0
	for _, row := range m {
		for _, v := range row {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}
