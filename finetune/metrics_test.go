package finetune

// Expected values are computed by hand in the comments. scikit-learn and
// scipy are not installed on the development machine, so the non-trivial
// ones (normalisation, correlations with ties) were cross-checked against the
// official SQuAD v1.1 normalize_answer/f1_score code and a numpy
// implementation of Pearson/average-rank Spearman run under python3.

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

const metricsTol = 1e-9

func metricsNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > metricsTol {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func TestClassify(t *testing.T) {
	type cls struct{ p, r, f float64 }
	cases := []struct {
		name                      string
		pred, gold                []int
		labels                    []string
		acc, macro, micro, weight float64
		per                       []cls
		support                   []int
		conf                      [][]int
	}{
		{
			// confusion [gold][pred] = [[2 1 0] [0 1 1] [0 0 1]]
			// a: tp2 fp0 fn1 P=1 R=2/3 F1=0.8; b: tp1 fp1 fn1 P=R=F1=.5;
			// c: tp1 fp1 fn0 P=.5 R=1 F1=2/3. acc=4/6,
			// macro=(.8+.5+2/3)/3, weighted=(.8*3+.5*2+2/3*1)/6.
			name: "three classes", pred: []int{0, 0, 1, 1, 2, 2}, gold: []int{0, 0, 0, 1, 1, 2},
			labels: []string{"a", "b", "c"},
			acc:    4.0 / 6, macro: (0.8 + 0.5 + 2.0/3) / 3, micro: 4.0 / 6, weight: (2.4 + 1 + 2.0/3) / 6,
			per:     []cls{{1, 2.0 / 3, 0.8}, {0.5, 0.5, 0.5}, {0.5, 1, 2.0 / 3}},
			support: []int{3, 2, 1},
			conf:    [][]int{{2, 1, 0}, {0, 1, 1}, {0, 0, 1}},
		},
		{
			// c, d absent from gold and never predicted: F1 0, still in the
			// macro average (all labels given). a: P1 R.5 F1 2/3;
			// b: P2/3 R1 F1 .8. macro=(2/3+.8)/4, weighted=(2/3*2+.8*2)/4.
			name: "absent classes", pred: []int{0, 1, 1, 1}, gold: []int{0, 1, 0, 1},
			labels: []string{"a", "b", "c", "d"},
			acc:    0.75, macro: (2.0/3 + 0.8) / 4, micro: 0.75, weight: (4.0/3 + 1.6) / 4,
			per:     []cls{{1, 0.5, 2.0 / 3}, {2.0 / 3, 1, 0.8}, {0, 0, 0}, {0, 0, 0}},
			support: []int{2, 2, 0, 0},
			conf:    [][]int{{1, 1, 0, 0}, {0, 2, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}},
		},
		{
			// b never predicted (precision 0 by zero_division=0), c predicted
			// but absent from gold (recall 0). a: P1 R.5 F1 2/3.
			name: "predicted but not gold", pred: []int{0, 2}, gold: []int{0, 0},
			labels: []string{"a", "b", "c"},
			acc:    0.5, macro: 2.0 / 9, micro: 0.5, weight: 2.0 / 3,
			per:     []cls{{1, 0.5, 2.0 / 3}, {0, 0, 0}, {0, 0, 0}},
			support: []int{2, 0, 0},
			conf:    [][]int{{1, 0, 1}, {0, 0, 0}, {0, 0, 0}},
		},
		{
			name: "all correct", pred: []int{0, 1, 1, 0}, gold: []int{0, 1, 1, 0},
			labels: []string{"x", "y"},
			acc:    1, macro: 1, micro: 1, weight: 1,
			per:     []cls{{1, 1, 1}, {1, 1, 1}},
			support: []int{2, 2},
			conf:    [][]int{{2, 0}, {0, 2}},
		},
		{
			name: "all wrong", pred: []int{1, 0}, gold: []int{0, 1},
			labels:  []string{"x", "y"},
			per:     []cls{{0, 0, 0}, {0, 0, 0}},
			support: []int{1, 1},
			conf:    [][]int{{0, 1}, {1, 0}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Classify(tc.pred, tc.gold, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			if r.N != len(tc.gold) {
				t.Errorf("N = %d, want %d", r.N, len(tc.gold))
			}
			metricsNear(t, "Accuracy", r.Accuracy, tc.acc)
			metricsNear(t, "MacroF1", r.MacroF1, tc.macro)
			metricsNear(t, "MicroF1", r.MicroF1, tc.micro)
			metricsNear(t, "WeightedF1", r.WeightedF1, tc.weight)
			if !reflect.DeepEqual(r.Confusion, tc.conf) {
				t.Errorf("Confusion = %v, want %v", r.Confusion, tc.conf)
			}
			if len(r.PerClass) != len(tc.labels) {
				t.Fatalf("%d classes, want %d", len(r.PerClass), len(tc.labels))
			}
			for c, s := range r.PerClass {
				if s.Label != tc.labels[c] || s.Support != tc.support[c] {
					t.Errorf("class %d = %q support %d, want %q support %d", c, s.Label, s.Support, tc.labels[c], tc.support[c])
				}
				metricsNear(t, s.Label+" precision", s.Precision, tc.per[c].p)
				metricsNear(t, s.Label+" recall", s.Recall, tc.per[c].r)
				metricsNear(t, s.Label+" F1", s.F1, tc.per[c].f)
			}
		})
	}
}

func TestClassifyErrors(t *testing.T) {
	labels := []string{"a", "b"}
	cases := []struct {
		name       string
		pred, gold []int
		labels     []string
		want       string
	}{
		{"length mismatch", []int{0}, []int{0, 1}, labels, "1 predictions for 2"},
		{"empty", nil, nil, labels, "no examples"},
		{"no labels", []int{0}, []int{0}, nil, "no labels"},
		{"gold out of range", []int{0, 0, 0}, []int{0, 1, 2}, labels, "position 2: pred 0, gold 2"},
		{"pred negative", []int{0, -1}, []int{0, 1}, labels, "position 1: pred -1, gold 1"},
	}
	for _, tc := range cases {
		if _, err := Classify(tc.pred, tc.gold, tc.labels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestClassifyMarkdown(t *testing.T) {
	r, err := Classify([]int{0, 1}, []int{0, 0}, []string{"a|b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	md := r.Markdown()
	for _, want := range []string{"| a\\|b | 1.000 | 0.500 | 0.667 | 2 |", "| c | 0.000 | 0.000 | 0.000 | 0 |", "accuracy: 0.500 (n=2)", "macro-F1: 0.333"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestTagAccuracy(t *testing.T) {
	labels := []string{"O", "B-PER", "I-PER"}
	// Flattened: gold O B I O B, pred O B O O I: 3/5 correct.
	// O: tp2 fp1 fn0 -> P 2/3 R 1 F1 .8; B: tp1 fp0 fn1 -> F1 2/3;
	// I: tp0 fp1 fn1 -> 0.
	gold := [][]int{{0, 1, 2}, {0, 1}}
	pred := [][]int{{0, 1, 0}, {0, 2}}
	r, err := TagAccuracy(pred, gold, labels)
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 5 {
		t.Errorf("N = %d, want 5", r.N)
	}
	metricsNear(t, "Accuracy", r.Accuracy, 0.6)
	metricsNear(t, "MacroF1", r.MacroF1, (0.8+2.0/3)/3)
	errCases := []struct {
		name       string
		pred, gold [][]int
		want       string
	}{
		{"sentence count", [][]int{{0}}, gold, "1 predictions for 2 gold sentences"},
		{"word count", [][]int{{0, 1, 2}, {0}}, gold, "sentence 1 has 1 predicted tags for 2"},
		{"tag range", [][]int{{0, 1, 2}, {0, 3}}, gold, "sentence 1 word 1: pred 3, gold 1"},
		{"empty", nil, nil, "no examples"},
	}
	for _, tc := range errCases {
		if _, err := TagAccuracy(tc.pred, tc.gold, labels); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestMultiLabel(t *testing.T) {
	// x: tp2 -> F1 1 (support 2); y: tp1 fn1 -> P1 R.5 F1 2/3 (support 2);
	// z: fp1 fn1 -> 0 (support 1). micro: tp3 fp1 fn2 -> 2*3/(6+1+2)=2/3;
	// macro (1+2/3+0)/3; only row 1 matches exactly -> subset 1/3.
	const T, F = true, false
	gold := [][]bool{{T, F, T}, {F, T, F}, {T, T, F}}
	pred := [][]bool{{T, F, F}, {F, T, F}, {T, F, T}}
	r, err := ScoreMultiLabel(pred, gold, []string{"x", "y", "z"})
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 3 {
		t.Errorf("N = %d", r.N)
	}
	metricsNear(t, "SubsetAccuracy", r.SubsetAccuracy, 1.0/3)
	metricsNear(t, "MicroF1", r.MicroF1, 2.0/3)
	metricsNear(t, "MacroF1", r.MacroF1, (1+2.0/3)/3)
	wantF1 := []float64{1, 2.0 / 3, 0}
	wantSupport := []int{2, 2, 1}
	for c, s := range r.PerClass {
		metricsNear(t, s.Label+" F1", s.F1, wantF1[c])
		if s.Support != wantSupport[c] {
			t.Errorf("%s support = %d, want %d", s.Label, s.Support, wantSupport[c])
		}
	}
	metricsNear(t, "y precision", r.PerClass[1].Precision, 1)
	metricsNear(t, "y recall", r.PerClass[1].Recall, 0.5)

	// No positives anywhere: every F1 is 0 by zero_division=0, subset 1.
	r, err = ScoreMultiLabel([][]bool{{F, F}}, [][]bool{{F, F}}, []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	if r.SubsetAccuracy != 1 || r.MicroF1 != 0 || r.MacroF1 != 0 {
		t.Errorf("all-negative report = %+v", r)
	}

	for _, tc := range []struct {
		name       string
		pred, gold [][]bool
		want       string
	}{
		{"rows", [][]bool{{T}}, [][]bool{{T}, {F}}, "1 predictions for 2"},
		{"width", [][]bool{{T, F}, {T}}, [][]bool{{T, F}, {F, F}}, "row 1 has 1 predicted and 2 gold"},
		{"empty", nil, nil, "no examples"},
	} {
		if _, err := ScoreMultiLabel(tc.pred, tc.gold, []string{"x", "y"}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want containing %q", tc.name, err, tc.want)
		}
	}
}

func TestRegression(t *testing.T) {
	cases := []struct {
		name                        string
		pred, gold                  []float64
		pearson, spearman, mse, mae float64
	}{
		// gold = 2*pred: errors 1..5 -> MSE 55/5=11, MAE 15/5=3.
		{"linear", []float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8, 10}, 1, 1, 11, 3},
		// reversed: errors 2,0,2 -> MSE 8/3, MAE 4/3.
		{"reversed", []float64{1, 2, 3}, []float64{3, 2, 1}, -1, -1, 8.0 / 3, 4.0 / 3},
		// Ties in pred: ranks 1,2.5,2.5,4 vs 1,2,3,4: Sxy=4.5 Sxx=4.5 Syy=5
		// -> sqrt(.9); raw: Sxy=3 Sxx=2 Syy=5 -> 3/sqrt(10) = sqrt(.9).
		// errors 0,0,1,1 -> MSE .5, MAE .5.
		{"ties", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 4}, math.Sqrt(0.9), math.Sqrt(0.9), 0.5, 0.5},
		// Monotonic but non-linear: Spearman 1; Pearson, MSE (9256/4) and
		// MAE (104/4) from the numpy reference.
		{"monotonic", []float64{1, 2, 3, 4}, []float64{1, 4, 9, 100}, 0.8159778353068634, 1, 2314, 26},
		// Ties on both sides (numpy reference): ranks pred 1,3,2,6,4.5,4.5,
		// gold 1,4,2.5,2.5,6,5.
		{"ties both", []float64{0.5, 2.5, 1.0, 4.0, 3.0, 3.0}, []float64{1, 3, 2, 2, 5, 4}, 0.5451993949567885, 9.0 / 17, 1.75, 7.0 / 6},
		// Constant prediction: correlations undefined, reported as 0.
		{"constant", []float64{2, 2, 2}, []float64{1, 2, 3}, 0, 0, 2.0 / 3, 2.0 / 3},
		{"single", []float64{1}, []float64{3}, 0, 0, 4, 2},
	}
	for _, tc := range cases {
		r, err := ScoreRegression(tc.pred, tc.gold)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.N != len(tc.gold) {
			t.Errorf("%s: N = %d", tc.name, r.N)
		}
		metricsNear(t, tc.name+" Pearson", r.Pearson, tc.pearson)
		metricsNear(t, tc.name+" Spearman", r.Spearman, tc.spearman)
		metricsNear(t, tc.name+" MSE", r.MSE, tc.mse)
		metricsNear(t, tc.name+" MAE", r.MAE, tc.mae)
	}
	if _, err := ScoreRegression([]float64{1}, []float64{1, 2}); err == nil {
		t.Error("length mismatch: no error")
	}
	if _, err := ScoreRegression(nil, nil); err == nil {
		t.Error("empty: no error")
	}
}

func TestNormalizeAnswer(t *testing.T) {
	// Expected outputs produced by the official SQuAD v1.1 normalize_answer.
	cases := []struct{ in, want string }{
		{"The Cat!", "cat"},
		{"  The  quick, brown fox's  ", "quick brown foxs"},
		{"Theatre", "theatre"},
		{"an apple a day", "apple day"},
		{"A-B", "ab"},
		{"the_cat", "thecat"}, // '_' is punctuation, removed before articles
		{"the,cat", "thecat"},
		{"THE END.", "end"},
		{"x.a.y", "xay"},
		{"1the 2 the3", "1the 2 the3"},
		{"Été à la plage", "été à la plage"},
		{"éthe thé the", "éthe thé"}, // Unicode word boundaries
		{"a\x1cb\u00a0c", "b c"},     // \x1c and NBSP are whitespace to Python
		{"İstanbul the", "i\u0307stanbul"},
		{"ΛΟΓΟΣ", "λογος"}, // Python's final sigma
		{"ΣΣ", "σς"},
		{"ΑΣ'Β", "ασβ"}, // ' is case-ignorable: not final
		{"Σ", "σ"},
		{"the\u0301 cat", "\u0301 cat"}, // a combining mark is not \w
		{"", ""},
	}
	for _, tc := range cases {
		if got := NormalizeAnswer(tc.in); got != tc.want {
			t.Errorf("NormalizeAnswer(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSpanMetrics(t *testing.T) {
	cases := []struct {
		pred   string
		golds  []string
		em, f1 float64
	}{
		{"The Cat!", []string{"cat"}, 1, 1},
		// big,cat,sat vs big,dog,sat: 2 common -> P=R=F1=2/3.
		{"the big cat sat", []string{"a big dog sat"}, 0, 2.0 / 3},
		// best of several golds
		{"the big cat sat", []string{"dog", "big cat sat down", "a big dog sat"}, 0, 2 * 0.75 / 1.75},
		{"cat", []string{"dog", "the cat"}, 1, 1},
		// bag of tokens: min counts cat 1, dog 1 -> 2/3.
		{"cat cat dog", []string{"cat dog dog"}, 0, 2.0 / 3},
		// both normalise to "": EM 1 but v1.1 F1 0 (no common token).
		{"The", []string{"a"}, 1, 0},
		{"cat", nil, 0, 0},
	}
	for _, tc := range cases {
		metricsNear(t, "EM("+tc.pred+")", SpanExactMatch(tc.pred, tc.golds), tc.em)
		metricsNear(t, "F1("+tc.pred+")", SpanF1(tc.pred, tc.golds), tc.f1)
	}

	r, err := Spans([]string{"The Cat!", "the big cat sat"}, [][]string{{"cat"}, {"a big dog sat"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.N != 2 {
		t.Errorf("N = %d", r.N)
	}
	metricsNear(t, "Spans EM", r.ExactMatch, 0.5)
	metricsNear(t, "Spans F1", r.F1, (1+2.0/3)/2)
	for _, tc := range []struct {
		preds []string
		golds [][]string
		want  string
	}{
		{[]string{"a"}, nil, "1 predictions for 0"},
		{nil, nil, "no examples"},
		{[]string{"a", "b"}, [][]string{{"a"}, {}}, "example 1 has no gold"},
	} {
		if _, err := Spans(tc.preds, tc.golds); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Spans err = %v, want containing %q", err, tc.want)
		}
	}
}
