package cpukernels

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// dotCase is one DotGeneral layout: operand shapes and axes as graph.DotGeneral takes them.
type dotCase struct {
	name               string
	lhs, rhs           []int
	lhsC, lhsB         []int
	rhsC, rhsB         []int
	wantPacked, wantIn int64 // expected counter increments
}

var dotCases = []dotCase{
	{"matmul", []int{5, 7}, []int{7, 3}, []int{1}, nil, []int{0}, nil, 0, 1},
	{"lhs transposed", []int{7, 5}, []int{7, 3}, []int{0}, nil, []int{0}, nil, 0, 1},
	{"rhs transposed", []int{5, 7}, []int{3, 7}, []int{1}, nil, []int{1}, nil, 0, 1},
	{"attention QK", []int{2, 4, 6, 8}, []int{2, 4, 6, 8}, []int{3}, []int{0, 1}, []int{3}, []int{0, 1}, 0, 1},
	{"batch in the middle", []int{6, 2, 8}, []int{2, 8, 5}, []int{2}, []int{1}, []int{1}, []int{0}, 0, 1},
	{"two contracting axes", []int{2, 3, 4, 5}, []int{4, 5, 6}, []int{2, 3}, nil, []int{0, 1}, nil, 0, 1},
	{"contracting axes reversed", []int{2, 3, 4, 5}, []int{5, 4, 6}, []int{3, 2}, nil, []int{0, 1}, nil, 1, 0},
	{"split cross axes", []int{3, 4, 5}, []int{4, 2}, []int{1}, nil, []int{0}, nil, 1, 0},
	{"size-1 axes", []int{1, 5, 1, 7}, []int{7, 1, 3}, []int{3}, nil, []int{0}, nil, 0, 1},
	{"vector·matrix", []int{7}, []int{7, 3}, []int{0}, nil, []int{0}, nil, 0, 1},
	{"matrix·vector", []int{4, 7}, []int{7}, []int{1}, nil, []int{0}, nil, 0, 1},
	{"outer product", []int{5}, []int{3}, nil, nil, nil, nil, 0, 1},
	{"batched, parallel", []int{3, 64, 128}, []int{3, 128, 96}, []int{2}, []int{0}, []int{1}, []int{0}, 0, 1},
	{"one large, row split", []int{300, 200}, []int{200, 150}, []int{1}, nil, []int{0}, nil, 0, 1},
	{"one wide, column split", []int{20, 300}, []int{300, 500}, []int{1}, nil, []int{0}, nil, 0, 1},
	{"gradient layout", []int{8, 16, 32}, []int{8, 16, 24}, []int{0, 1}, nil, []int{0, 1}, nil, 0, 1},
}

// blasForTest installs the BLAS executor (skipping the test when no library is found) and returns a backend.
func blasForTest(t *testing.T) backends.Backend {
	t.Helper()
	be, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	st, err := Install(be)
	if err != nil {
		t.Fatal(err)
	}
	if st.BLAS == "" || st.BLAS == "off" {
		if os.Getenv("CI") != "" && st.BLAS == "" {
			t.Fatalf("CI must run with BLAS (scripts/setup.sh installs libopenblas0-pthread): %+v", st)
		}
		t.Skipf("no BLAS in use (%+v)", st)
	}
	return be
}

func TestDotGeneralLayouts(t *testing.T) {
	be := blasForTest(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3)) // 3 workers: uneven splits of batches and matrices
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range dotCases {
		t.Run(c.name, func(t *testing.T) {
			lhs, rhs := randomFlat(rng, c.lhs), randomFlat(rng, c.rhs)
			before := ReadCounters()
			got := runDot(t, be, c, lhs, rhs)
			after := ReadCounters()
			if dp, di := after.BLASPacked-before.BLASPacked, after.BLASInPlace-before.BLASInPlace; dp != c.wantPacked || di != c.wantIn {
				t.Errorf("counters: packed +%d in place +%d, want +%d +%d", dp, di, c.wantPacked, c.wantIn)
			}
			want := referenceDot(c, lhs, rhs)
			if len(got) != len(want) {
				t.Fatalf("%d outputs, want %d", len(got), len(want))
			}
			for i := range want {
				if math.Abs(float64(got[i])-want[i]) > 1e-4*(1+math.Abs(want[i])) {
					t.Fatalf("output %d = %g, want %g", i, got[i], want[i])
				}
			}
		})
	}
}

// TestDotGeneralNaNInf: NaN and ±Inf in the operands give the pure-Go executor's NaN/Inf pattern.
func TestDotGeneralNaNInf(t *testing.T) {
	be := blasForTest(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []dotCase{dotCases[0], dotCases[3], dotCases[6]} {
		lhs, rhs := randomFlat(rng, c.lhs), randomFlat(rng, c.rhs)
		lhs[1], lhs[len(lhs)-1] = float32(math.NaN()), float32(math.Inf(1))
		rhs[2] = float32(math.Inf(-1))
		got := runDot(t, be, c, lhs, rhs)
		var want []float32
		withSimpleGo(t, func() { want = runDot(t, be, c, lhs, rhs) })
		for i := range want {
			g, w := float64(got[i]), float64(want[i])
			if math.IsNaN(g) != math.IsNaN(w) || math.IsInf(g, 1) != math.IsInf(w, 1) || math.IsInf(g, -1) != math.IsInf(w, -1) {
				t.Fatalf("%s: output %d = %g with BLAS, %g with the pure-Go executor", c.name, i, g, w)
			}
		}
	}
}

func reinstallForTest(t *testing.T) {
	t.Helper()
	if _, err := gi.ReplaceExecutors(executorTable(installedDot, true)); err != nil {
		t.Fatal(err)
	}
}

func runDot(t *testing.T, be backends.Backend, c dotCase, lhs, rhs []float32) []float32 {
	t.Helper()
	exec, err := graph.NewExec(be, func(x, y *graph.Node) *graph.Node {
		return graph.DotGeneral(x, c.lhsC, c.lhsB, y, c.rhsC, c.rhsB)
	})
	if err != nil {
		t.Fatal(err)
	}
	x := tensors.FromFlatDataAndDimensions(lhs, c.lhs...)
	y := tensors.FromFlatDataAndDimensions(rhs, c.rhs...)
	outs, err := exec.Exec(x, y)
	if err != nil {
		t.Fatal(err)
	}
	return tensors.MustCopyFlatData[float32](outs[0])
}

func randomFlat(rng *rand.Rand, dims []int) []float32 {
	s := make([]float32, shapes.Make(dtypes.Float32, dims...).Size())
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// referenceDot computes DotGeneral naively in float64: output [batch..., lhsCross..., rhsCross...].
func referenceDot(c dotCase, lhs, rhs []float32) []float64 {
	lCross, rCross := crossAxes(len(c.lhs), c.lhsC, c.lhsB), crossAxes(len(c.rhs), c.rhsC, c.rhsB)
	pick := func(dims, axes []int) []int {
		out := make([]int, len(axes))
		for i, a := range axes {
			out[i] = dims[a]
		}
		return out
	}
	batchDims, lDims, rDims, kDims := pick(c.lhs, c.lhsB), pick(c.lhs, lCross), pick(c.rhs, rCross), pick(c.lhs, c.lhsC)
	ls, rs := rowMajorStrides(c.lhs), rowMajorStrides(c.rhs)
	var out []float64
	forEach(batchDims, func(bi []int) {
		forEach(lDims, func(li []int) {
			forEach(rDims, func(ri []int) {
				sum := 0.0
				forEach(kDims, func(ki []int) {
					lo, ro := 0, 0
					for j, a := range c.lhsB {
						lo += bi[j] * ls[a]
						ro += bi[j] * rs[c.rhsB[j]]
					}
					for j, a := range lCross {
						lo += li[j] * ls[a]
					}
					for j, a := range rCross {
						ro += ri[j] * rs[a]
					}
					for j, a := range c.lhsC {
						lo += ki[j] * ls[a]
						ro += ki[j] * rs[c.rhsC[j]]
					}
					sum += float64(lhs[lo]) * float64(rhs[ro])
				})
				out = append(out, sum)
			})
		})
	})
	return out
}

// forEach calls f with every multi-index of dims, row-major (once, with an empty index, for no dims).
func forEach(dims []int, f func([]int)) {
	idx := make([]int, len(dims))
	for {
		f(idx)
		k := len(dims) - 1
		for ; k >= 0; k-- {
			if idx[k]++; idx[k] < dims[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

func TestMergeGroup(t *testing.T) {
	dims := []int{2, 3, 1, 4}
	strides := rowMajorStrides(dims)
	for _, c := range []struct {
		axes         []int
		size, stride int
		ok           bool
	}{
		{[]int{1, 3}, 12, 1, true}, {[]int{0, 1}, 6, 4, true}, {[]int{3, 1}, 12, 4, false},
		{[]int{0, 3}, 8, 1, false}, {[]int{2}, 1, 1, true}, {nil, 1, 1, true}, {[]int{1, 2, 3}, 12, 1, true},
	} {
		size, stride, ok := mergeGroup(dims, strides, c.axes)
		if size != c.size || ok != c.ok || (ok && stride != c.stride) {
			t.Errorf("mergeGroup(%v) = %d, %d, %v; want %d, %d, %v", c.axes, size, stride, ok, c.size, c.stride, c.ok)
		}
	}
}
