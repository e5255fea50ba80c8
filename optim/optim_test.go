package optim

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
)

func TestSchedule(t *testing.T) {
	s := Schedule{LR: 1, WarmupSteps: 4, TotalSteps: 12}
	want := map[int]float64{0: 0.25, 3: 1, 4: 1, 8: 0.5, 11: 0.125, 12: 0, 20: 0}
	for step, w := range want {
		if got := s.At(step); math.Abs(got-w) > 1e-12 {
			t.Errorf("At(%d) = %g, want %g", step, got, w)
		}
	}
	if got := (Schedule{LR: 2}).At(100); got != 2 {
		t.Errorf("constant schedule: At(100) = %g", got)
	}
	for _, bad := range []Schedule{{}, {LR: -1}, {LR: 1, WarmupSteps: -1}} {
		if bad.Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	for _, bad := range []AdamW{{Beta1: 1}, {WeightDecay: -1}, {Scope: "rel"}} {
		if bad.WithDefaults().Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func TestClipByGlobalNorm(t *testing.T) {
	exec, err := context.NewExec(testutil.Backend(t), context.New(), func(_ *context.Context, g *Graph) []*Node {
		grads := []*Node{Const(g, []float32{3, 0}), Const(g, [][]float32{{0, 4}})} // norm 5
		norm := GlobalNorm(grads)
		clipped := ClipByGlobalNorm(grads, norm, 1)
		loose := ClipByGlobalNorm(grads, norm, 10)
		return []*Node{norm, GlobalNorm(clipped), GlobalNorm(loose)}
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := exec.Exec()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float32{5, 1, 5} {
		if got := tensors.ToScalar[float32](res[i]); math.Abs(float64(got-want)) > 1e-5 {
			t.Errorf("output %d: %g, want %g", i, got, want)
		}
	}
}

// TestAdamW compares 3 updates of AdamW.Update with a Go reference of AdamW (decoupled decay, bias-corrected
// moments), with a bias and a LayerNorm weight that must not be decayed.
func TestAdamW(t *testing.T) {
	opts := AdamW{WeightDecay: 0.2, Beta1: 0.9, Beta2: 0.98, Epsilon: 1e-6}
	const lr = 0.1
	init := map[string][]float32{"/dense/weight": {0.5, -1, 2}, "/dense/bias": {0.3, -0.2}, "/LayerNorm/weight": {1, 1.5}}
	coef := []float32{1, -2, 0.5}
	order := []string{"/dense/weight", "/dense/bias", "/LayerNorm/weight"}
	ctx := context.New().Checked(false)
	for _, name := range order {
		i := strings.LastIndex(name, "/")
		ctx.InAbsPath(name[:i]).VariableWithValue(name[i+1:], slices.Clone(init[name]))
	}
	exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, g *Graph) *Node {
		var vars []*context.Variable
		var grads []*Node
		for _, name := range order {
			i := strings.LastIndex(name, "/")
			v := ctx.InAbsPath(name[:i]).GetVariable(name[i+1:])
			x := v.ValueGraph(g)
			// gradient of Σ x² + c·x (c broadcast from coef's first elements)
			grads = append(grads, Add(MulScalar(x, 2), Const(g, coef[:x.Shape().Dimensions[0]])))
			vars = append(vars, v)
		}
		return opts.Update(ctx, vars, grads, Scalar(g, dtypes.Float32, lr))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Go reference.
	ref := map[string][]float64{}
	m, v := map[string][]float64{}, map[string][]float64{}
	for _, name := range order {
		for _, x := range init[name] {
			ref[name] = append(ref[name], float64(x))
		}
		m[name], v[name] = make([]float64, len(init[name])), make([]float64, len(init[name]))
	}
	for step := 1; step <= 3; step++ {
		if _, err := exec.Exec(); err != nil {
			t.Fatal(err)
		}
		for _, name := range order {
			decay := opts.WeightDecay
			if !strings.HasPrefix(name, "/dense/weight") {
				decay = 0
			}
			for i, x := range ref[name] {
				g := 2*x + float64(coef[i])
				m[name][i] = 0.9*m[name][i] + 0.1*g
				v[name][i] = 0.98*v[name][i] + 0.02*g*g
				mh := m[name][i] / (1 - math.Pow(0.9, float64(step)))
				vh := v[name][i] / (1 - math.Pow(0.98, float64(step)))
				ref[name][i] = x - lr*(mh/(math.Sqrt(vh)+opts.Epsilon)+decay*x)
			}
		}
	}
	for _, name := range order {
		i := strings.LastIndex(name, "/")
		got := tensors.MustCopyFlatData[float32](ctx.InAbsPath(name[:i]).GetVariable(name[i+1:]).MustValue())
		for j, w := range ref[name] {
			if math.Abs(float64(got[j])-w) > 1e-5 {
				t.Errorf("%s[%d] = %.7f after 3 steps, reference %.7f", name, j, got[j], w)
			}
		}
	}
}
