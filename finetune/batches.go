package finetune

import (
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// hostBatch is one batch of rows as Go tensors: ids, mask, types [b, seq] int32 ([b, choices, seq] for
// KindMultipleChoice), weights [b] float32 (0 for padding rows) and the kind's targets (see taskLoss).
type hostBatch struct {
	ids, mask, types, weights *tensors.Tensor
	targets                   []*tensors.Tensor
}

// inputs returns the tensors in the order of the training graph's inputs (before the learning rate).
func (b hostBatch) inputs() []any {
	in := []any{b.ids, b.mask, b.types, b.weights}
	for _, t := range b.targets {
		in = append(in, t)
	}
	return in
}

// batch gathers the examples idx of e into a batch of exactly size rows: missing rows repeat the first
// example with weight 0, so every batch has the same shape. choices > 0 for KindMultipleChoice.
func (e *encoded) batch(kind Kind, idx []int, size, choices int) hostBatch {
	rowsPer := max(choices, 1)
	var ids, mask, types [][]int32
	weights := make([]float32, size)
	var labels, ends []int32
	var values []float32
	var multi [][]float32
	var tags [][]int32
	for i := range size {
		ex := idx[0]
		if i < len(idx) {
			ex, weights[i] = idx[i], 1
		}
		for r := ex * rowsPer; r < (ex+1)*rowsPer; r++ {
			ids, mask, types = append(ids, e.ids[r]), append(mask, e.mask[r]), append(types, e.types[r])
		}
		switch kind {
		case KindRegression:
			values = append(values, e.value[ex])
		case KindMultiLabel:
			multi = append(multi, e.multi[ex])
		case KindTagging:
			tags = append(tags, e.tags[ex])
		case KindQuestionAnswering:
			labels, ends = append(labels, e.label[ex]), append(ends, e.end[ex])
		default:
			labels = append(labels, e.label[ex])
		}
	}
	b := hostBatch{weights: tensors.FromValue(weights)}
	if choices > 0 {
		b.ids, b.mask, b.types = tensors.FromValue(group3(ids, choices)), tensors.FromValue(group3(mask, choices)), tensors.FromValue(group3(types, choices))
	} else {
		b.ids, b.mask, b.types = tensors.FromValue(ids), tensors.FromValue(mask), tensors.FromValue(types)
	}
	switch kind {
	case KindRegression:
		b.targets = []*tensors.Tensor{tensors.FromValue(values)}
	case KindMultiLabel:
		b.targets = []*tensors.Tensor{tensors.FromValue(multi)}
	case KindTagging:
		b.targets = []*tensors.Tensor{tensors.FromValue(tags)}
	case KindQuestionAnswering:
		b.targets = []*tensors.Tensor{tensors.FromValue(labels), tensors.FromValue(ends)}
	default:
		b.targets = []*tensors.Tensor{tensors.FromValue(labels)}
	}
	return b
}

// group3 turns rows [b·n][seq] into [b][n][seq].
func group3(rows [][]int32, n int) [][][]int32 {
	out := make([][][]int32, 0, len(rows)/n)
	for i := 0; i < len(rows); i += n {
		out = append(out, rows[i:i+n])
	}
	return out
}
