package layers

import (
	"math"
	"testing"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
)

// run executes fn on a fresh context with the pure-Go backend and returns its float32 output.
func run(t *testing.T, fn func(ctx *context.Context, x *Node) *Node, x *tensors.Tensor) []float32 {
	t.Helper()
	ctx := context.New().Checked(false)
	out, err := context.ExecOnce(testutil.Backend(t), ctx, fn, x)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](out)
}

func TestActivations(t *testing.T) {
	xs := []float32{-3, -1, -0.5, 0, 0.5, 1, 3}
	erfGelu := func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) }
	tanhGelu := func(x float64) float64 {
		return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x)))
	}
	cases := []struct {
		name string
		want func(float64) float64
	}{
		{"gelu", erfGelu},
		{"gelu_new", tanhGelu},
		{"relu", func(x float64) float64 { return math.Max(x, 0) }},
		{"tanh", math.Tanh},
		{"silu", func(x float64) float64 { return x / (1 + math.Exp(-x)) }},
	}
	for _, c := range cases {
		got := run(t, func(_ *context.Context, x *Node) *Node { return Activation(c.name, x) }, tensors.FromValue(xs))
		for i, x := range xs {
			if d := math.Abs(float64(got[i]) - c.want(float64(x))); d > 1e-6 {
				t.Errorf("%s(%g) = %g, want %g", c.name, x, got[i], c.want(float64(x)))
			}
		}
	}
	// The exact and tanh GELUs differ by ~1e-4 around |x|≈2: a test swapping them must fail.
	if d := math.Abs(erfGelu(-2) - tanhGelu(-2)); d < 5e-5 {
		t.Fatalf("gelu forms too close to tell apart: %g", d)
	}
}

func TestLayerNormEpsilon(t *testing.T) {
	// A row of near-constant values: eps 1e-7 vs GoMLX's default 1e-3 gives very different outputs.
	x := [][]float32{{1, 1.001, 0.999, 1}}
	got := run(t, func(ctx *context.Context, x *Node) *Node { return LayerNorm(ctx, x, 1e-7) }, tensors.FromValue(x))
	mean, v := 1.0, 0.0
	for _, xi := range x[0] {
		v += (float64(xi) - mean) * (float64(xi) - mean) / 4
	}
	for i, xi := range x[0] {
		want := (float64(xi) - mean) / math.Sqrt(v+1e-7)
		if d := math.Abs(float64(got[i]) - want); d > 2e-3 {
			t.Errorf("LayerNorm[%d] = %g, want %g", i, got[i], want)
		}
	}
}

func TestLinearIsXTimesW(t *testing.T) {
	x := [][][]float32{{{1, 2}, {3, 4}, {5, 6}}} // [1, 3, 2]
	got := run(t, func(ctx *context.Context, x *Node) *Node {
		ctx.In("lin").VariableWithValue(WeightName, [][]float32{{1, 0, 2}, {0, 1, 3}}) // [in=2, out=3]
		ctx.In("lin").VariableWithValue(BiasName, []float32{0.5, -0.5, 0})
		return Linear(ctx.In("lin"), x, 3, true, 0.02)
	}, tensors.FromValue(x))
	want := []float32{1.5, 1.5, 8, 3.5, 3.5, 18, 5.5, 5.5, 28}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Linear = %v, want %v", got, want)
		}
	}
}
