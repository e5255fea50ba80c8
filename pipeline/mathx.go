package pipeline

import (
	"cmp"
	"math"
	"slices"
)

// softmax returns the softmax of x in float64 (max-subtracted).
func softmax(x []float32) []float64 {
	out := make([]float64, len(x))
	if len(x) == 0 {
		return out
	}
	m := float64(slices.Max(x))
	sum := 0.0
	for i, v := range x {
		out[i] = math.Exp(float64(v) - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// sigmoid is 1/(1+e^−x).
func sigmoid(x float32) float64 { return 1 / (1 + math.Exp(-float64(x))) }

// topIndices returns the indices of the k largest scores among those for which keep(i) is true (keep nil: all),
// largest first, ties broken by the smaller index.
func topIndices(scores []float64, k int, keep func(i int) bool) []int {
	if k <= 0 {
		return nil
	}
	better := func(a, b int) bool { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b) }
	best := make([]int, 0, k+1) // sorted, best first
	for i := range scores {
		if keep != nil && !keep(i) {
			continue
		}
		if len(best) == k && !better(i, best[k-1]) {
			continue
		}
		pos, _ := slices.BinarySearchFunc(best, i, func(a, b int) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		best = slices.Insert(best, pos, i)
		if len(best) > k {
			best = best[:k]
		}
	}
	return best
}

// sortScores orders label scores by decreasing score, then by id.
func sortScores(s []LabelScore) {
	slices.SortStableFunc(s, func(a, b LabelScore) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
