package cpukernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// kernelCase builds a graph from float32 inputs of the given shapes (and int32 index inputs); the fast kernels'
// result must equal simplego's own within tol (0: bit for bit).
type kernelCase struct {
	name    string
	inputs  [][]int // float32 inputs
	indices [][]int // int32 inputs (values in [0, indexRange)), after the float32 ones
	build   func(in []*Node) *Node
	tol     float64
}

const indexRange = 5

var kernelCases = []kernelCase{
	{"add same shape", [][]int{{64, 600}, {64, 600}}, nil, func(in []*Node) *Node { return Add(in[0], in[1]) }, 0},
	{"add bias", [][]int{{8, 128, 96}, {96}}, nil, func(in []*Node) *Node { return Add(in[0], Reshape(in[1], 1, 1, 96)) }, 0},
	{"sub row stat", [][]int{{8, 128, 96}, {8, 128, 1}}, nil, func(in []*Node) *Node { return Sub(in[0], in[1]) }, 0},
	{"mul middle broadcast", [][]int{{4, 1, 33}, {4, 7, 33}}, nil, func(in []*Node) *Node { return Mul(in[0], in[1]) }, 0},
	{"div scalar", [][]int{{300, 200}, {}}, nil, func(in []*Node) *Node { return Div(in[0], in[1]) }, 0},
	{"div by tensor", [][]int{{}, {300, 200}}, nil, func(in []*Node) *Node { return Div(in[0], in[1]) }, 0},
	{"max, min", [][]int{{50, 70}, {1, 70}}, nil, func(in []*Node) *Node { return Min(Max(in[0], in[1]), in[1]) }, 0},
	{"exp", [][]int{{256, 300}}, nil, func(in []*Node) *Node { return Exp(MulScalar(in[0], 20)) }, 2e-7},
	{"erf", [][]int{{256, 300}}, nil, func(in []*Node) *Node { return Erf(MulScalar(in[0], 3)) }, 5e-7},
	{"log", [][]int{{256, 300}}, nil, func(in []*Node) *Node { return Log(Abs(in[0])) }, 3e-7},
	{"float to int", [][]int{{256, 300}}, nil, func(in []*Node) *Node {
		return ConvertDType(ConvertDType(MulScalar(in[0], 100), dtypes.Int32), dtypes.Float32)
	}, 0},
	{"neg, sqrt", [][]int{{256, 300}}, nil, func(in []*Node) *Node { return Sqrt(Neg(Neg(Abs(in[0])))) }, 0},
	{"transpose heads", [][]int{{8, 128, 4, 32}}, nil, func(in []*Node) *Node { return TransposeAllAxes(in[0], 0, 2, 1, 3) }, 0},
	{"transpose 2d", [][]int{{300, 257}}, nil, func(in []*Node) *Node { return Transpose(in[0], 0, 1) }, 0},
	{"broadcast in dim", [][]int{{8, 1, 96}}, nil, func(in []*Node) *Node { return BroadcastToDims(in[0], 8, 128, 96) }, 0},
	{"broadcast scalar", [][]int{{}}, nil, func(in []*Node) *Node { return BroadcastToDims(in[0], 40, 50) }, 0},
	{"reduce sum last", [][]int{{1024, 383}}, nil, func(in []*Node) *Node { return ReduceSum(in[0], -1) }, 1e-5},
	{"reduce sum first", [][]int{{1024, 384}}, nil, func(in []*Node) *Node { return ReduceSum(in[0], 0) }, 0},
	{"reduce sum middle", [][]int{{6, 50, 7, 9}}, nil, func(in []*Node) *Node { return ReduceSum(in[0], 1, 2) }, 0},
	{"reduce max first", [][]int{{300, 77}}, nil, func(in []*Node) *Node { return ReduceMax(in[0], 0) }, 0},
	{"reduce sum split (fallback)", [][]int{{6, 5, 7}}, nil, func(in []*Node) *Node { return ReduceSum(in[0], 0, 2) }, 0},
	{"reduce max", [][]int{{32, 128, 128}}, nil, func(in []*Node) *Node { return ReduceMax(in[0], -1) }, 0},
	{"one-hot (equal, convert)", [][]int{{8, 128, 1}}, nil, func(in []*Node) *Node {
		labels := ConvertDType(MulScalar(Abs(in[0]), 300), dtypes.Int32)
		return OneHot(Reshape(labels, 8, 128), 1000, dtypes.Float32)
	}, 0},
	{"comparisons", [][]int{{50, 60}, {50, 1}}, nil, func(in []*Node) *Node {
		x, y := in[0], in[1]
		f := func(b *Node) *Node { return ConvertDType(b, dtypes.Float32) }
		return Add(Add(f(LessThan(x, y)), f(GreaterOrEqual(x, y))), Add(f(NotEqual(x, y)), f(LessOrEqual(y, x))))
	}, 0},
	{"where", [][]int{{64, 600}, {64, 600}}, nil, func(in []*Node) *Node {
		return Add(Where(GreaterThan(in[0], in[1]), in[0], ScalarZero(in[0].Graph(), dtypes.Float32)), Where(Equal(in[0], in[1]), in[1], in[0]))
	}, 0},
	{"random bits to float", [][]int{{1}}, nil, func(in []*Node) *Node {
		return ConvertDType(Iota(in[0].Graph(), shapes.Make(dtypes.Uint32, 300, 200), 1), dtypes.Float32)
	}, 0},
	{"gather embedding", [][]int{{indexRange, 96}}, [][]int{{8, 128, 1}}, func(in []*Node) *Node { return Gather(in[0], in[1]) }, 0},
	{"gather relative", [][]int{{32, 7 * indexRange}}, [][]int{{20, 30, 1}}, func(in []*Node) *Node {
		return BackendGather(in[0], in[1], 2, []int{0}, []int{1}, []int{1}, []int{32, 1}, false)
	}, 0},
	{"scatter sum embedding", [][]int{{indexRange, 96}, {8, 128, 96}}, [][]int{{8, 128, 1}}, func(in []*Node) *Node {
		return ScatterSum(in[0], in[2], in[1], false, false)
	}, 0},
}

func TestKernelsMatchSimpleGo(t *testing.T) {
	be := blasForTest(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range kernelCases {
		t.Run(c.name, func(t *testing.T) {
			var args []any
			for _, dims := range c.inputs {
				args = append(args, tensors.FromFlatDataAndDimensions(randomFlat(rng, dims), dims...))
			}
			for _, dims := range c.indices {
				idx := make([]int32, shapes.Make(dtypes.Int32, dims...).Size())
				for i := range idx {
					idx[i] = int32(rng.IntN(indexRange))
				}
				args = append(args, tensors.FromFlatDataAndDimensions(idx, dims...))
			}
			before := ReadCounters().KernelFallback
			fast := runGraph(t, be, c.build, args)
			fellBack := ReadCounters().KernelFallback - before
			if wantFallback := strings.HasSuffix(c.name, "(fallback)"); (fellBack > 0) != wantFallback {
				t.Errorf("%d kernel fallbacks, want fallback: %v", fellBack, wantFallback)
			}
			var want []float32
			withSimpleGo(t, func() { want = runGraph(t, be, c.build, args) })
			for i := range want {
				g, w := float64(fast[i]), float64(want[i])
				if g != w && !(math.IsNaN(g) && math.IsNaN(w)) && math.Abs(g-w) > c.tol*(1+math.Abs(w)) {
					t.Fatalf("element %d: fast kernels %g, simplego %g (tolerance %g)", i, g, w, c.tol)
				}
			}
		})
	}
}

// withSimpleGo runs f with simplego's own executors, then puts ours back.
func withSimpleGo(t *testing.T, f func()) {
	t.Helper()
	gi.RestoreExecutors()
	defer reinstallForTest(t)
	f()
}

func runGraph(t *testing.T, be backends.Backend, build func([]*Node) *Node, args []any) []float32 {
	t.Helper()
	exec, err := NewExec(be, build)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(args...)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](outs[0])
}

// grid returns float32 values from lo to hi in steps of step, then the given extra values.
func grid(lo, hi, step float64, extra ...float64) []float32 {
	var xs []float32
	for x := lo; x <= hi; x += step {
		xs = append(xs, float32(x))
	}
	for _, x := range extra {
		xs = append(xs, float32(x))
	}
	return xs
}

// TestErf bounds vec_erf's error against math.Erf over [−6, 6] and checks the special values.
func TestErf(t *testing.T) {
	xs := grid(-6, 6, 1e-4, math.NaN(), math.Inf(1), math.Inf(-1))
	got := make([]float32, len(xs))
	vecErf(got, xs)
	worst := 0.0
	for i, x := range xs[:len(xs)-3] {
		worst = max(worst, math.Abs(float64(got[i])-math.Erf(float64(x))))
	}
	if worst > 5e-7 {
		t.Fatalf("erf max |error| %g > 5e-7", worst)
	}
	t.Logf("erf max |error| against math.Erf on [-6, 6]: %.3g", worst)
	if n := len(xs); !math.IsNaN(float64(got[n-3])) || got[n-2] != 1 || got[n-1] != -1 {
		t.Fatalf("erf(NaN, +Inf, -Inf) = %v", got[n-3:])
	}
}

// TestExp bounds vec_exp's relative error against math.Exp and checks overflow, underflow and NaN.
func TestExp(t *testing.T) {
	xs := grid(-103.8, 88.72, 1e-3, math.NaN(), math.Inf(1), math.Inf(-1), 89, -104, -1e30)
	got := make([]float32, len(xs))
	vecExp(got, xs)
	worst := 0.0
	for i, x := range xs[:len(xs)-6] {
		w := math.Exp(float64(x))
		if w < 0x1p-126 { // denormal results: within one denormal step
			if math.Abs(float64(got[i])-w) > 0x1p-149 {
				t.Fatalf("exp(%g) = %g, want %g", x, got[i], w)
			}
			continue
		}
		worst = max(worst, math.Abs(float64(got[i])-w)/w)
	}
	if worst > 3e-7 {
		t.Fatalf("exp max relative error %g > 3e-7", worst)
	}
	t.Logf("exp max relative error against math.Exp: %.3g", worst)
	if s := got[len(xs)-6:]; !math.IsNaN(float64(s[0])) || !math.IsInf(float64(s[1]), 1) || s[2] != 0 ||
		!math.IsInf(float64(s[3]), 1) || s[4] != 0 || s[5] != 0 {
		t.Fatalf("exp(NaN, +Inf, -Inf, 89, -104, -1e30) = %v", s)
	}
}

// TestLog bounds vec_log's error against math.Log (relative, absolute near 1) on normal and denormal inputs
// and checks the special values.
func TestLog(t *testing.T) {
	var xs []float32
	for x := 1e-44; x < 3e38; x *= 1.0007 {
		xs = append(xs, float32(x))
	}
	xs = append(xs, 0, float32(math.Inf(1)), -1, float32(math.NaN()))
	got := make([]float32, len(xs))
	vecLog(got, xs)
	worst := 0.0
	for i, x := range xs[:len(xs)-4] {
		w := math.Log(float64(x))
		worst = max(worst, math.Abs(float64(got[i])-w)/max(1, math.Abs(w)))
	}
	if worst > 2e-7 {
		t.Fatalf("log max error %g > 2e-7", worst)
	}
	t.Logf("log max error against math.Log (relative, absolute below 1): %.3g", worst)
	if s := got[len(xs)-4:]; !math.IsInf(float64(s[0]), -1) || !math.IsInf(float64(s[1]), 1) || !math.IsNaN(float64(s[2])) || !math.IsNaN(float64(s[3])) {
		t.Fatalf("log(0, +Inf, -1, NaN) = %v", s)
	}
}
