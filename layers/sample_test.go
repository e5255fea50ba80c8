package layers

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
)

// sampleFrequencies draws n samples from softmax(logits/temperature) and returns each token's frequency.
func sampleFrequencies(t *testing.T, logits []float32, temperature float64, n int, seed int64) []float64 {
	t.Helper()
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil {
		t.Fatal(err)
	}
	vocab := len(logits)
	out, err := context.ExecOnce(testutil.Backend(t), ctx, func(ctx *context.Context, l *Node) *Node {
		return SampleTokens(ctx, BroadcastToDims(InsertAxes(l, 0), n, vocab), temperature)
	}, logits)
	if err != nil {
		t.Fatal(err)
	}
	if out.DType() != dtypes.Int32 || out.Shape().Rank() != 1 || out.Shape().Dimensions[0] != n {
		t.Fatalf("samples shape %s, want (Int32)[%d]", out.Shape(), n)
	}
	freq := make([]float64, vocab)
	for _, id := range tensors.MustCopyFlatData[int32](out) {
		if id < 0 || int(id) >= vocab {
			t.Fatalf("sampled id %d out of [0, %d)", id, vocab)
		}
		freq[id] += 1 / float64(n)
	}
	return freq
}

func softmax(logits []float32, temperature float64) []float64 {
	p := make([]float64, len(logits))
	total := 0.0
	for i, l := range logits {
		p[i] = math.Exp(float64(l) / temperature)
		total += p[i]
	}
	for i := range p {
		p[i] /= total
	}
	return p
}

func TestSampleTokensFrequencies(t *testing.T) {
	logits := []float32{1, 0, -1, 0.5, -3}
	const n = 40000
	for _, temp := range []float64{1, 2} {
		freq := sampleFrequencies(t, logits, temp, n, 11)
		want := softmax(logits, temp)
		for i := range want {
			// 5 standard deviations of a binomial frequency.
			tol := 5*math.Sqrt(want[i]*(1-want[i])/n) + 1e-3
			if math.Abs(freq[i]-want[i]) > tol {
				t.Errorf("T=%g token %d: frequency %.4f, softmax %.4f (tol %.4f)", temp, i, freq[i], want[i], tol)
			}
		}
		t.Logf("T=%g: frequencies %.4f, softmax %.4f", temp, freq, want)
	}
}

func TestSampleTokensSmallTemperatureIsArgmax(t *testing.T) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(5); err != nil {
		t.Fatal(err)
	}
	logits := [][]float32{{0.1, 0.3, 0.2, -1}, {2, -2, 1.9, 0}, {-5, -4, -4.5, -6}}
	want := []int32{1, 0, 1}
	for range 3 { // fresh noise each run
		out, err := context.ExecOnce(testutil.Backend(t), ctx, func(ctx *context.Context, l *Node) *Node {
			return SampleTokens(ctx, l, 1e-4)
		}, logits)
		if err != nil {
			t.Fatal(err)
		}
		if got := tensors.MustCopyFlatData[int32](out); got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("T=1e-4 samples %v, want argmax %v", got, want)
		}
	}
}

// TestSampleTokensNoGradient: a loss computed from the samples has no gradient with respect to the logits,
// while the same loss built from softmax(logits) does (so the check can fail).
func TestSampleTokensNoGradient(t *testing.T) {
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(9); err != nil {
		t.Fatal(err)
	}
	logits := [][]float32{{0.5, -0.2, 0.1, 1}, {0, 0.3, -1, 0.2}}
	exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, l *Node) []*Node {
		w := Const(l.Graph(), [][]float32{{1, -2, 3, 0.5}})
		samples := SampleTokens(ctx, l, 1)
		fromSamples := ReduceAllSum(Mul(OneHot(samples, 4, dtypes.Float32), Mul(l, w)))
		fromProbs := ReduceAllSum(Mul(Softmax(l, -1), w))
		return []*Node{Gradient(fromSamples, l)[0], Gradient(fromProbs, l)[0]}
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(logits)
	if err != nil {
		t.Fatal(err)
	}
	if m := maxAbs(tensors.MustCopyFlatData[float32](outs[1])); m == 0 {
		t.Fatal("control gradient through softmax is zero")
	}
	// fromSamples = Σ onehot(s)·l·w: its only path to l that is not through the samples is the explicit
	// l·w factor, whose gradient is onehot(s)·w. Anything else would be a gradient through sampling.
	got := tensors.MustCopyFlatData[float32](outs[0])
	nonZeroRows := 0
	for r := range 2 {
		nz := 0
		for c := range 4 {
			if got[r*4+c] != 0 {
				nz++
			}
		}
		if nz > 1 {
			t.Errorf("row %d: gradient %v has %d non-zeros; only the sampled token's l·w term may have one", r, got[r*4:r*4+4], nz)
		}
		if nz == 1 {
			nonZeroRows++
		}
	}
	if nonZeroRows != 2 {
		t.Errorf("expected the l·w term's gradient on each row, got %v", got)
	}
	// And a loss of the samples alone has no gradient at all.
	exec2, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, l *Node) *Node {
		samples := SampleTokens(ctx, l, 1)
		return Gradient(ReduceAllSum(ConvertDType(samples, dtypes.Float32)), l)[0]
	})
	if err != nil {
		t.Fatal(err)
	}
	g2, err := exec2.Exec1(logits)
	if err != nil {
		t.Fatal(err)
	}
	if m := maxAbs(tensors.MustCopyFlatData[float32](g2)); m != 0 {
		t.Errorf("gradient of a function of the samples w.r.t. logits: max |·| = %g, want 0", m)
	}
}

func TestSampleTokensRejectsBadTemperature(t *testing.T) {
	for _, temp := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		failed := func() (failed bool) {
			defer func() {
				if recover() != nil {
					failed = true
				}
			}()
			ctx := context.New()
			_, err := context.ExecOnce(testutil.Backend(t), ctx, func(ctx *context.Context, l *Node) *Node {
				return SampleTokens(ctx, l, temp)
			}, []float32{1, 2})
			return err != nil
		}()
		if !failed {
			t.Errorf("temperature %g accepted", temp)
		}
	}
}
