package finetune

// Evaluation metrics for fine-tuning: single-label classification,
// multi-label classification, regression, SQuAD-style extractive QA spans and
// word-level token classification. Pure Go, standard library only.
//
// Conventions shared by every function in this file:
//   - Zero divisions give 0, as scikit-learn with zero_division=0: a class that
//     is never predicted has precision 0, a class absent from gold has recall
//     0, and F1 is 0 whenever precision+recall is 0.
//   - Macro averages are taken over all labels given, as scikit-learn's
//     f1_score(average="macro", labels=range(len(labels)), zero_division=0):
//     a class absent from gold and never predicted counts with F1 = 0.
//   - Empty input (no examples) is an error, never a report of zeros or NaN.
//   - Scores are fractions in [0, 1] (not percent).
//
// The multi-label and regression evaluators are named ScoreMultiLabel and
// ScoreRegression because MultiLabel and Regression are task Kind constants.

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"
)

// ClassScores are one class's precision, recall, F1 and support (number of
// gold examples).
type ClassScores struct {
	Label                 string
	Precision, Recall, F1 float64
	Support               int
}

// ClassReport is a classification evaluation.
//
// MacroF1 is the unweighted mean of the per-class F1 over all labels given
// (classes absent from both gold and predictions count as 0); WeightedF1
// weights each class by its support; MicroF1 pools true/false positives and
// negatives over classes, which for single-label data equals Accuracy.
type ClassReport struct {
	N                                      int
	Accuracy, MacroF1, MicroF1, WeightedF1 float64
	PerClass                               []ClassScores // in label order
	Confusion                              [][]int       // [gold][pred]
}

// metricsDiv returns a/b, or 0 when b is 0 (zero_division=0).
func metricsDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// metricsCheck reports an error unless there are as many predictions (n) as
// gold items (m) and at least one.
func metricsCheck(fn string, n, m int, what string) error {
	if n != m {
		return fmt.Errorf("finetune: %s: %d predictions for %d %s", fn, n, m, what)
	}
	if m == 0 {
		return fmt.Errorf("finetune: %s: no examples", fn)
	}
	return nil
}

// metricsScores computes precision, recall and F1 from raw counts.
func metricsScores(label string, tp, fp, fn int) ClassScores {
	p := metricsDiv(float64(tp), float64(tp+fp))
	r := metricsDiv(float64(tp), float64(tp+fn))
	return ClassScores{Label: label, Precision: p, Recall: r, F1: metricsDiv(2*p*r, p+r), Support: tp + fn}
}

// Classify evaluates predicted vs gold class indices (0..len(labels)-1).
//
// pred and gold must have equal, non-zero length, and labels must be
// non-empty; an index out of range is an error naming its position. See the
// ClassReport documentation for the averaging conventions.
func Classify(pred, gold []int, labels []string) (ClassReport, error) {
	if err := metricsCheck("Classify", len(pred), len(gold), "gold labels"); err != nil {
		return ClassReport{}, err
	}
	k := len(labels)
	if k == 0 {
		return ClassReport{}, errors.New("finetune: Classify: no labels")
	}
	conf := make([][]int, k)
	for i := range conf {
		conf[i] = make([]int, k)
	}
	correct := 0
	for i := range gold {
		if g, p := gold[i], pred[i]; g < 0 || g >= k || p < 0 || p >= k {
			return ClassReport{}, fmt.Errorf("finetune: Classify: position %d: pred %d, gold %d: want classes in [0, %d)", i, p, g, k)
		}
		conf[gold[i]][pred[i]]++
		if gold[i] == pred[i] {
			correct++
		}
	}
	r := ClassReport{N: len(gold), Confusion: conf, PerClass: make([]ClassScores, k)}
	var sumTP, sumFP, sumFN int
	var macro, weighted float64
	for c := 0; c < k; c++ {
		tp, fp, fn := conf[c][c], 0, 0
		for o := 0; o < k; o++ {
			fp += conf[o][c] // includes tp, removed below
			fn += conf[c][o]
		}
		fp, fn = fp-tp, fn-tp
		s := metricsScores(labels[c], tp, fp, fn)
		r.PerClass[c] = s
		sumTP, sumFP, sumFN = sumTP+tp, sumFP+fp, sumFN+fn
		macro += s.F1
		weighted += s.F1 * float64(s.Support)
	}
	r.Accuracy = float64(correct) / float64(r.N)
	r.MacroF1 = macro / float64(k)
	r.WeightedF1 = metricsDiv(weighted, float64(r.N))
	r.MicroF1 = metricsScores("", sumTP, sumFP, sumFN).F1
	return r, nil
}

// Markdown renders the report as a markdown table (label | precision |
// recall | F1 | support) followed by accuracy and macro-F1 lines; numbers
// have 3 decimals. A "|" inside a label is escaped.
func (r ClassReport) Markdown() string {
	var b strings.Builder
	b.WriteString("| label | precision | recall | F1 | support |\n")
	b.WriteString("|:------|----------:|-------:|---:|--------:|\n")
	for _, s := range r.PerClass {
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %d |\n",
			strings.ReplaceAll(s.Label, "|", `\|`), s.Precision, s.Recall, s.F1, s.Support)
	}
	fmt.Fprintf(&b, "\naccuracy: %.3f (n=%d)\n", r.Accuracy, r.N)
	fmt.Fprintf(&b, "macro-F1: %.3f\n", r.MacroF1)
	return b.String()
}

// TagAccuracy evaluates word-level token classification (one tag per word,
// taken from the first sub-token of each word). pred and gold are sentences
// of tag indices; both must have the same number of sentences and each
// sentence the same number of words (an error names the sentence index
// otherwise). The tags are flattened and passed to Classify, so Accuracy is
// the word-level tagging accuracy and PerClass the per-tag scores.
func TagAccuracy(pred, gold [][]int, labels []string) (ClassReport, error) {
	if err := metricsCheck("TagAccuracy", len(pred), len(gold), "gold sentences"); err != nil {
		return ClassReport{}, err
	}
	var fp, fg []int
	for i := range gold {
		if len(pred[i]) != len(gold[i]) {
			return ClassReport{}, fmt.Errorf("finetune: TagAccuracy: sentence %d has %d predicted tags for %d gold words", i, len(pred[i]), len(gold[i]))
		}
		for j := range gold[i] {
			if g, p := gold[i][j], pred[i][j]; g < 0 || g >= len(labels) || p < 0 || p >= len(labels) {
				return ClassReport{}, fmt.Errorf("finetune: TagAccuracy: sentence %d word %d: pred %d, gold %d: want tags in [0, %d)", i, j, p, g, len(labels))
			}
		}
		fp = append(fp, pred[i]...)
		fg = append(fg, gold[i]...)
	}
	return Classify(fp, fg, labels)
}

// MultiLabelReport is a multi-label evaluation: exact-match (subset)
// accuracy, micro F1 (counts pooled over labels), macro F1 (mean of per-label
// F1 over all labels given) and per-label scores.
type MultiLabelReport struct {
	N                                int
	SubsetAccuracy, MicroF1, MacroF1 float64
	PerClass                         []ClassScores // in label order
}

// ScoreMultiLabel evaluates multi-label predictions: pred[i][c] says whether
// example i has label c. pred and gold must have the same non-zero number of
// rows and every row len(labels) entries (an error names the row otherwise).
func ScoreMultiLabel(pred, gold [][]bool, labels []string) (MultiLabelReport, error) {
	if err := metricsCheck("ScoreMultiLabel", len(pred), len(gold), "gold rows"); err != nil {
		return MultiLabelReport{}, err
	}
	k := len(labels)
	if k == 0 {
		return MultiLabelReport{}, errors.New("finetune: ScoreMultiLabel: no labels")
	}
	tp, fp, fn := make([]int, k), make([]int, k), make([]int, k)
	exact := 0
	for i := range gold {
		if len(pred[i]) != k || len(gold[i]) != k {
			return MultiLabelReport{}, fmt.Errorf("finetune: ScoreMultiLabel: row %d has %d predicted and %d gold entries, want %d", i, len(pred[i]), len(gold[i]), k)
		}
		same := true
		for c := 0; c < k; c++ {
			switch p, g := pred[i][c], gold[i][c]; {
			case p && g:
				tp[c]++
			case p:
				fp[c]++
				same = false
			case g:
				fn[c]++
				same = false
			}
		}
		if same {
			exact++
		}
	}
	r := MultiLabelReport{N: len(gold), SubsetAccuracy: float64(exact) / float64(len(gold)), PerClass: make([]ClassScores, k)}
	var sumTP, sumFP, sumFN int
	for c := 0; c < k; c++ {
		r.PerClass[c] = metricsScores(labels[c], tp[c], fp[c], fn[c])
		r.MacroF1 += r.PerClass[c].F1
		sumTP, sumFP, sumFN = sumTP+tp[c], sumFP+fp[c], sumFN+fn[c]
	}
	r.MacroF1 /= float64(k)
	r.MicroF1 = metricsScores("", sumTP, sumFP, sumFN).F1
	return r, nil
}

// RegressionReport holds Pearson and Spearman correlations, mean squared
// error and mean absolute error.
type RegressionReport struct {
	N                           int
	Pearson, Spearman, MSE, MAE float64
}

// ScoreRegression evaluates real-valued predictions. pred and gold must have
// equal, non-zero length. Spearman is the Pearson correlation of the ranks,
// tied values getting their average rank (as scipy.stats.spearmanr). A
// correlation is undefined when either side is constant (including N = 1);
// it is then reported as 0 rather than NaN.
func ScoreRegression(pred, gold []float64) (RegressionReport, error) {
	if err := metricsCheck("ScoreRegression", len(pred), len(gold), "gold values"); err != nil {
		return RegressionReport{}, err
	}
	r := RegressionReport{N: len(gold)}
	for i := range gold {
		d := pred[i] - gold[i]
		r.MSE += d * d
		r.MAE += math.Abs(d)
	}
	r.MSE /= float64(r.N)
	r.MAE /= float64(r.N)
	r.Pearson = metricsPearson(pred, gold)
	r.Spearman = metricsPearson(metricsRanks(pred), metricsRanks(gold))
	return r, nil
}

// metricsPearson is the Pearson correlation of x and y (two-pass, clamped
// to [-1, 1]); 0 when either has zero variance.
func metricsPearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return math.Max(-1, math.Min(1, sxy/math.Sqrt(sxx*syy)))
}

// metricsRanks returns 1-based ranks of x, ties getting their average rank.
func metricsRanks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	ranks := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of 1-based ranks i+1..j
		for t := i; t < j; t++ {
			ranks[idx[t]] = avg
		}
		i = j
	}
	return ranks
}

// squadPunct is Python's string.punctuation, the set removed by the SQuAD
// v1.1 evaluation script.
const squadPunct = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

// squadIsWord reports whether r is a word character for Python 3's
// Unicode-aware regular expression \w (alphanumeric or underscore).
func squadIsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// squadIsSpace reports whether r is whitespace for Python's str.split().
func squadIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// squadCased and squadCaseIgnorable are Unicode's Cased and Case_Ignorable
// properties, which Python's str.lower uses to place the final sigma.
func squadCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

func squadCaseIgnorable(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) ||
		strings.ContainsRune("'.:\u00b7\u0387\u055f\u05f4\u2018\u2019\u2024\u2027\ufe13\ufe52\ufe55\uff07\uff0e\uff1a", r)
}

// squadLower lower-cases like Python's str.lower: the per-rune mapping, plus
// U+0130 to "i̇" and a capital sigma ending a word to the final sigma "ς".
func squadLower(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch r {
		case 0x130:
			out = append(out, 'i', 0x307)
		case 0x3a3:
			j := i - 1
			for j >= 0 && squadCaseIgnorable(rs[j]) {
				j--
			}
			final := j >= 0 && squadCased(rs[j])
			for j = i + 1; final && j < len(rs) && squadCaseIgnorable(rs[j]); j++ {
			}
			if final && (j == len(rs) || !squadCased(rs[j])) {
				out = append(out, 0x3c2)
			} else {
				out = append(out, 0x3c3)
			}
		default:
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// NormalizeAnswer normalises an answer exactly as the official SQuAD v1.1
// evaluate script (Python 3): lower-case (str.lower, final sigma included),
// remove ASCII punctuation (string.punctuation), replace the articles
// a/an/the (whole words, Unicode word boundaries) by a space, and collapse
// whitespace (str.split).
func NormalizeAnswer(s string) string {
	var rs []rune
	for _, r := range squadLower([]rune(s)) {
		if r >= 0x80 || !strings.ContainsRune(squadPunct, r) {
			rs = append(rs, r)
		}
	}
	// \b(a|an|the)\b matches exactly the maximal runs of word characters
	// that are an article.
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && squadIsWord(rs[j]) == squadIsWord(rs[i]) {
			j++
		}
		if w := string(rs[i:j]); w == "a" || w == "an" || w == "the" {
			out = append(out, ' ')
		} else {
			out = append(out, rs[i:j]...)
		}
		i = j
	}
	return strings.Join(strings.FieldsFunc(string(out), squadIsSpace), " ")
}

// SpanExactMatch is 1 if the normalised prediction equals the normalised
// form of any gold answer, else 0 (also 0 when golds is empty).
func SpanExactMatch(pred string, golds []string) float64 {
	p := NormalizeAnswer(pred)
	for _, g := range golds {
		if NormalizeAnswer(g) == p {
			return 1
		}
	}
	return 0
}

// SpanF1 is the best token-level F1 (bag-of-tokens overlap of the
// normalised strings) between the prediction and any gold answer, as the
// SQuAD v1.1 script: with no common token (including when either side
// normalises to the empty string) F1 is 0. It is 0 when golds is empty.
func SpanF1(pred string, golds []string) float64 {
	pt := strings.Fields(NormalizeAnswer(pred))
	best := 0.0
	for _, g := range golds {
		gt := strings.Fields(NormalizeAnswer(g))
		counts := make(map[string]int, len(gt))
		for _, t := range gt {
			counts[t]++
		}
		same := 0
		for _, t := range pt {
			if counts[t] > 0 {
				counts[t]--
				same++
			}
		}
		if same == 0 {
			continue
		}
		p := float64(same) / float64(len(pt))
		r := float64(same) / float64(len(gt))
		best = math.Max(best, 2*p*r/(p+r))
	}
	return best
}

// SpanReport holds the mean exact match and mean token F1 over N examples,
// as fractions in [0, 1] (the SQuAD script reports these times 100).
type SpanReport struct {
	N              int
	ExactMatch, F1 float64
}

// Spans evaluates extractive QA predictions: preds[i] is scored against the
// gold answers golds[i] with SpanExactMatch and SpanF1, and the scores are
// averaged. preds and golds must have equal, non-zero length and every
// example at least one gold answer (an error names the example otherwise).
func Spans(preds []string, golds [][]string) (SpanReport, error) {
	if err := metricsCheck("Spans", len(preds), len(golds), "gold answer sets"); err != nil {
		return SpanReport{}, err
	}
	r := SpanReport{N: len(golds)}
	for i := range golds {
		if len(golds[i]) == 0 {
			return SpanReport{}, fmt.Errorf("finetune: Spans: example %d has no gold answers", i)
		}
		r.ExactMatch += SpanExactMatch(preds[i], golds[i])
		r.F1 += SpanF1(preds[i], golds[i])
	}
	r.ExactMatch /= float64(r.N)
	r.F1 /= float64(r.N)
	return r, nil
}
