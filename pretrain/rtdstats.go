package pretrain

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// RTDStats are replaced-token-detection diagnostics over a set of tokens (RTDStatsOf), made to see learning
// that accuracy at threshold 0.5 hides: with ~14 % of the tokens replaced, a discriminator needs odds 6× above
// the base rate before any prediction flips, while AUC and Gain move as soon as it ranks replaced tokens
// above original ones. A discriminator that knows only the prior (a constant logit) has AUC 0.5 and Gain ≤ 0.
type RTDStats struct {
	// Tokens scored and, of them, Replaced (label 1).
	Tokens   int `json:"tokens"`
	Replaced int `json:"replaced"`
	// Prior = Replaced / Tokens, the replaced fraction p.
	Prior float64 `json:"prior"`
	// Loss is the mean binary cross-entropy (nats) of the logits; Gain = H(Prior) − Loss, where H(p) is the
	// entropy in nats (the loss of the best constant prediction): > 0 only if the logits beat the prior.
	Loss float64 `json:"loss"`
	Gain float64 `json:"gain"`
	// AUC is the ROC AUC of the replaced class (RankAUC); 0.5 when one class is absent.
	AUC float64 `json:"auc"`
	// Accuracy, Precision and Recall of the replaced class at probability 0.5 (logit > 0). Precision is 0
	// when no token is predicted replaced, Recall 0 when none is replaced.
	Accuracy  float64 `json:"acc"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// BinaryEntropy is H(p) = −p·ln p − (1−p)·ln(1−p) in nats (0 at p = 0 and 1).
func BinaryEntropy(p float64) float64 {
	h := 0.0
	if p > 0 {
		h -= p * math.Log(p)
	}
	if p < 1 {
		h -= (1 - p) * math.Log1p(-p)
	}
	return h
}

// RTDStatsOf computes RTDStats over the tokens i with scored[i] (nil: all of them) from the discriminator's
// logits and the labels (> 0.5: replaced); the three slices have the same length. No tokens: all zero.
func RTDStatsOf(logits, labels []float32, scored []bool) (RTDStats, error) {
	if len(labels) != len(logits) || (scored != nil && len(scored) != len(logits)) {
		return RTDStats{}, fmt.Errorf("pretrain: RTD stats: %d logits, %d labels, %d scored flags", len(logits), len(labels), len(scored))
	}
	var s RTDStats
	var tp, predicted, correct int
	var scores []float64
	var positive []bool
	for i, z := range logits {
		if scored != nil && !scored[i] {
			continue
		}
		x, y := float64(z), labels[i] > 0.5
		s.Tokens++
		// Binary cross-entropy of the logit, stable for large |x|: softplus(x) − y·x.
		bce := max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		if y {
			s.Replaced++
			bce -= x
		}
		s.Loss += bce
		if x > 0 {
			predicted++
		}
		if (x > 0) == y {
			correct++
			if y {
				tp++
			}
		}
		scores, positive = append(scores, x), append(positive, y)
	}
	if s.Tokens == 0 {
		return s, nil
	}
	n := float64(s.Tokens)
	s.Prior, s.Loss, s.Accuracy = float64(s.Replaced)/n, s.Loss/n, float64(correct)/n
	s.Gain = BinaryEntropy(s.Prior) - s.Loss
	if predicted > 0 {
		s.Precision = float64(tp) / float64(predicted)
	}
	if s.Replaced > 0 {
		s.Recall = float64(tp) / float64(s.Replaced)
	}
	s.AUC = RankAUC(scores, positive)
	return s, nil
}

// RankAUC is the exact ROC AUC of scores for the positive class, the Mann–Whitney statistic: the probability
// that a random positive scores above a random negative, ties counting one half. Ranks are computed by
// sorting, tied scores get their average rank. It is 0.5 when there are no positives or no negatives.
func RankAUC(scores []float64, positive []bool) float64 {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var rankSum float64 // sum of the (1-based, tie-averaged) ranks of the positives
	var pos int
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && scores[order[j]] == scores[order[i]] {
			j++
		}
		avg := float64(i+1+j) / 2 // mean of the ranks i+1 … j
		for _, k := range order[i:j] {
			if positive[k] {
				rankSum += avg
				pos++
			}
		}
		i = j
	}
	neg := len(scores) - pos
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}
