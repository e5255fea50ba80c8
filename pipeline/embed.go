package pipeline

import (
	"math"

	"github.com/deberta-go/lab/debertav3"
)

// Embed returns one vector per text: the mean of the last hidden state over the text's real tokens ([CLS] and
// [SEP] included, padding excluded: mask-weighted mean pooling), [texts][hidden]; with normalize each vector is
// scaled to unit L2 norm. Any model works (the heads are not used).
func (p *Pipeline) Embed(texts []string, normalize bool) ([][]float32, error) {
	encs, err := p.encode("embed", texts)
	if err != nil {
		return nil, err
	}
	res := make([][]float32, len(encs))
	err = p.forEachBatch("embed", encs, func(first int, b *Batch, out *debertav3.Outputs) error {
		h, dims, err := floats("last_hidden_state", out.LastHiddenState, 3)
		if err != nil {
			return err
		}
		seq, hidden := dims[1], dims[2]
		for bi, mask := range b.Mask {
			sum := make([]float64, hidden)
			n := 0.0
			for i, m := range mask {
				if m == 0 {
					continue
				}
				n++
				row := h[(bi*seq+i)*hidden : (bi*seq+i+1)*hidden]
				for j, v := range row {
					sum[j] += float64(v)
				}
			}
			scale := 1 / max(n, 1)
			if normalize {
				norm := 0.0
				for _, v := range sum {
					norm += v * v
				}
				scale = 1 / max(math.Sqrt(norm), 1e-12)
			}
			vec := make([]float32, hidden)
			for j, v := range sum {
				vec[j] = float32(v * scale)
			}
			res[first+bi] = vec
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
