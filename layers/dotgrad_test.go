package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/internal/testutil"
)

// dotCase is one DotGeneral (or Dot, when dot is set) einsum pattern.
type dotCase struct {
	name                         string
	lhsDims, rhsDims             []int
	lhsContract, lhsBatch        []int
	rhsContract, rhsBatch        []int
	dot                          bool // graph.Dot(lhs, rhs) instead of DotGeneral
	wantOutDims                  []int
	lhsDesc, rhsDesc, outputDesc string
}

var dotCases = []dotCase{
	{name: "matmul ij,jk->ik", lhsDims: []int{3, 4}, rhsDims: []int{4, 5},
		lhsContract: []int{1}, rhsContract: []int{0}, wantOutDims: []int{3, 5}},
	{name: "transposed layouts ji,kj->ik", lhsDims: []int{4, 3}, rhsDims: []int{5, 4},
		lhsContract: []int{0}, rhsContract: []int{1}, wantOutDims: []int{3, 5}},
	{name: "batch+transposed bki,jbk->bij", lhsDims: []int{2, 4, 3}, rhsDims: []int{5, 2, 4},
		lhsContract: []int{1}, lhsBatch: []int{0}, rhsContract: []int{2}, rhsBatch: []int{1}, wantOutDims: []int{2, 3, 5}},
	{name: "two contracting axes, crossed pairing bimn,ncbm->bic", lhsDims: []int{2, 3, 4, 5}, rhsDims: []int{5, 6, 2, 4},
		lhsContract: []int{3, 2}, lhsBatch: []int{0}, rhsContract: []int{0, 3}, rhsBatch: []int{2}, wantOutDims: []int{2, 3, 6}},
	{name: "two batch axes in swapped order", lhsDims: []int{2, 3, 4, 5}, rhsDims: []int{3, 2, 5, 6},
		lhsContract: []int{3}, lhsBatch: []int{1, 0}, rhsContract: []int{2}, rhsBatch: []int{0, 1}, wantOutDims: []int{3, 2, 4, 6}},
	{name: "attention c2c q·k", lhsDims: []int{2, 3, 2, 4}, rhsDims: []int{2, 5, 2, 4},
		lhsContract: []int{3}, lhsBatch: []int{2, 0}, rhsContract: []int{3}, rhsBatch: []int{2, 0}, wantOutDims: []int{2, 2, 3, 5}},
	{name: "attention probs·v", lhsDims: []int{2, 2, 3, 5}, rhsDims: []int{2, 5, 2, 4},
		lhsContract: []int{3}, lhsBatch: []int{0, 1}, rhsContract: []int{1}, rhsBatch: []int{2, 0}, wantOutDims: []int{2, 2, 3, 4}},
	{name: "attention c2p q·kr", lhsDims: []int{2, 3, 2, 4}, rhsDims: []int{6, 2, 4},
		lhsContract: []int{3}, lhsBatch: []int{2}, rhsContract: []int{2}, rhsBatch: []int{1}, wantOutDims: []int{2, 2, 3, 6}},
	{name: "matrix·vector (outer-product gradient)", lhsDims: []int{3, 4}, rhsDims: []int{4},
		lhsContract: []int{1}, rhsContract: []int{0}, wantOutDims: []int{3}},
	{name: "Dot matrix·matrix", lhsDims: []int{3, 4}, rhsDims: []int{4, 5}, dot: true, wantOutDims: []int{3, 5}},
	{name: "Dot matrix·vector", lhsDims: []int{3, 4}, rhsDims: []int{4}, dot: true, wantOutDims: []int{3}},
	{name: "Dot vector·vector", lhsDims: []int{4}, rhsDims: []int{4}, dot: true, wantOutDims: []int{}},
}

func (c dotCase) build(lhs, rhs *Node) *Node {
	if c.dot {
		return Dot(lhs, rhs)
	}
	return DotGeneral(lhs, c.lhsContract, c.lhsBatch, rhs, c.rhsContract, c.rhsBatch)
}

func randomTensor(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(data, dims...)
}

func maxAbsDiff(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.Inf(1)
	}
	m := 0.0
	for i := range a {
		d := math.Abs(float64(a[i]) - float64(b[i]))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		m = max(m, d)
	}
	return m
}

func maxAbs(a []float32) float64 {
	m := 0.0
	for _, x := range a {
		m = max(m, math.Abs(float64(x)))
	}
	return m
}

// execN runs fn on the project backend and returns its outputs as float32 slices.
func execN(t testing.TB, fn func([]*Node) []*Node, args ...any) [][]float32 {
	t.Helper()
	exec, err := NewExec(testutil.Backend(t), fn)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float32, len(outs))
	for i, o := range outs {
		res[i] = tensors.MustCopyFlatData[float32](o)
	}
	return res
}

// TestDotGeneralGradientMatchesBuiltin compares, on every pattern, (1) the replacement VJP called directly,
// (2) the gradient graph.Gradient builds once InstallDotGeneralGradient ran, with GoMLX's built-in VJP
// (saved before installing) called directly on the same node.
func TestDotGeneralGradientMatchesBuiltin(t *testing.T) {
	InstallDotGeneralGradient()
	InstallDotGeneralGradient() // idempotent
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range dotCases {
		t.Run(c.name, func(t *testing.T) {
			lhs, rhs, v := randomTensor(rng, c.lhsDims...), randomTensor(rng, c.rhsDims...), randomTensor(rng, c.wantOutDims...)
			outs := execN(t, func(in []*Node) []*Node {
				lhs, rhs, v := in[0], in[1], in[2]
				y := c.build(lhs, rhs)
				if !y.Shape().Equal(v.Shape()) {
					t.Fatalf("output shape %s, want %v", y.Shape(), c.wantOutDims)
				}
				builtin := builtinDotGeneralVJP
				if c.dot {
					builtin = builtinDotVJP
				}
				want := builtin(y, []*Node{v}, shapes.Make(y.DType()))
				direct := VJPRegistration[y.Type()](y, []*Node{v}, shapes.Make(y.DType()))
				viaGradient := Gradient(ReduceAllSum(Mul(y, v)), lhs, rhs)
				return []*Node{want[0], want[1], direct[0], direct[1], viaGradient[0], viaGradient[1]}
			}, lhs, rhs, v)
			t.Logf("max |diff| vs built-in: lhs %.2g, rhs %.2g (direct); lhs %.2g, rhs %.2g (graph.Gradient)",
				maxAbsDiff(outs[2], outs[0]), maxAbsDiff(outs[3], outs[1]), maxAbsDiff(outs[4], outs[0]), maxAbsDiff(outs[5], outs[1]))
			for i, name := range []string{"lhs", "rhs"} {
				if maxAbs(outs[i]) == 0 {
					t.Fatalf("built-in %s gradient is all zeros: the test data is degenerate", name)
				}
				if d := maxAbsDiff(outs[2+i], outs[i]); d > 1e-5 {
					t.Errorf("replacement VJP, %s gradient: max |diff| = %g vs built-in", name, d)
				}
				if d := maxAbsDiff(outs[4+i], outs[i]); d > 1e-5 {
					t.Errorf("graph.Gradient after install, %s gradient: max |diff| = %g vs built-in", name, d)
				}
			}
		})
	}
}

// TestDotGeneralGradientInstalled checks the registration itself (the reflection on v0.26's node fields is
// tested in internal/gomlxinternals).
func TestDotGeneralGradientInstalled(t *testing.T) {
	InstallDotGeneralGradient()
	InstallGatherGradient()
	got := fmt.Sprintf("%p %p %p", VJPRegistration[NodeTypeDotGeneral], VJPRegistration[NodeTypeDot], VJPRegistration[NodeTypeGather])
	want := fmt.Sprintf("%p %p %p", VJP(dotGeneralGradVJP), VJP(dotGradVJP), VJP(gatherGradVJP))
	if got != want {
		t.Fatalf("VJPRegistration holds %s, want the replacements %s", got, want)
	}
}

// benchDotGrad times the backward of y = x·W, x [8·128, 256], W [256, 1024] (a Linear layer's gradient),
// with the built-in VJP or the replacement, or (vjp nil) the forward product alone.
func benchDotGrad(b *testing.B, vjp VJP) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, w, v := randomTensor(rng, 8*128, 256), randomTensor(rng, 256, 1024), randomTensor(rng, 8*128, 1024)
	exec, err := NewExec(testutil.Backend(b), func(in []*Node) []*Node {
		y := Dot(in[0], in[1])
		if vjp == nil {
			return []*Node{Add(y, in[2])}
		}
		return vjp(y, []*Node{in[2]}, shapes.Make(y.DType()))
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := exec.Exec(x, w, v); err != nil { // compile
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		outs, err := exec.Exec(x, w, v)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			o.FinalizeAll()
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/grad")
}

// BenchmarkDotGradient: go test ./layers -run '^$' -bench DotGradient -benchtime 3x
// (2-core CPU, pure-Go backend: forward ~0.12 s, built-in backward ~10 s, replacement ~0.21–0.26 s).
func BenchmarkDotGradient(b *testing.B) {
	b.Run("forward", func(b *testing.B) { benchDotGrad(b, nil) })
	b.Run("builtin", func(b *testing.B) { benchDotGrad(b, builtinDotVJP) })
	b.Run("replacement", func(b *testing.B) { benchDotGrad(b, dotGradVJP) })
}
