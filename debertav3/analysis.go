package debertav3

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// ScoreTerms names the three disentangled-attention score terms, in the order ScoreMagnitudes returns them.
var ScoreTerms = [3]string{"c2c", "c2p", "p2c"}

// ScoreMagnitudes returns, per layer, the mean absolute value of the scaled c2c, c2p and p2c score terms over
// the (query, key) pairs where both tokens are real (mask [batch][seq], 1 = real). The outputs must come from a
// model with OutputScores; an absent term (not in pos_att_type) gives 0.
func ScoreMagnitudes(out *Outputs, mask [][]int32) ([][3]float64, error) {
	if out.C2C == nil {
		return nil, fmt.Errorf("ScoreMagnitudes: the model was not built with OutputScores")
	}
	res := make([][3]float64, len(out.C2C))
	for layer := range out.C2C {
		for k, term := range []*tensors.Tensor{out.C2C[layer], out.C2P[layer], out.P2C[layer]} {
			if term == nil {
				continue
			}
			m, err := meanAbsOnPairs(term, mask)
			if err != nil {
				return nil, fmt.Errorf("ScoreMagnitudes: layer %d %s: %w", layer, ScoreTerms[k], err)
			}
			res[layer][k] = m
		}
	}
	return res, nil
}

// meanAbsOnPairs averages |x| of a [batch, heads, q, k] tensor over pairs of real tokens.
func meanAbsOnPairs(t *tensors.Tensor, mask [][]int32) (float64, error) {
	dims := t.Shape().Dimensions
	if len(dims) != 4 || dims[0] != len(mask) || dims[2] != dims[3] || (len(mask) > 0 && len(mask[0]) != dims[2]) {
		return 0, fmt.Errorf("scores %v do not match the mask [%d][…]", dims, len(mask))
	}
	data := tensors.MustCopyFlatData[float32](t)
	heads, seq := dims[1], dims[2]
	sum, n := 0.0, 0
	for b := range dims[0] {
		for h := range heads {
			for i := range seq {
				for j := range seq {
					if mask[b][i] != 0 && mask[b][j] != 0 {
						sum += math.Abs(float64(data[((b*heads+h)*seq+i)*seq+j]))
						n++
					}
				}
			}
		}
	}
	if n == 0 {
		return 0, nil
	}
	return sum / float64(n), nil
}
