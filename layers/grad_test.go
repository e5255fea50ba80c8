package layers

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"

	"github.com/deberta-go/lab/internal/testutil"
)

// TestAttentionGradientFiniteDifferences checks the gradients the pure-Go backend computes through a tiny
// DeBERTa-v3 attention block — Linear (Dot), the DotGeneral attention patterns (with the replacement VJP of
// InstallDotGeneralGradient), Gather of relative rows, the BackendGather of gatherRelative, Where (pair mask),
// Softmax, LayerNorm (1/Sqrt) and exact-erf GELU — against central finite differences, in float64, on a few
// coordinates of every variable. The c2p/p2c cases need InstallGatherGradient (see there).
func TestAttentionGradientFiniteDifferences(t *testing.T) {
	InstallDotGeneralGradient()
	InstallGatherGradient()
	cases := []struct {
		name                          string
		c2p, p2c, relative, shareKeys bool
		encoderLayers                 int // 0: DisentangledSelfAttention alone; else an Encoder stack
	}{
		{"c2p+p2c share_att_key", true, true, true, true, 0},
		{"c2p+p2c pos_proj", true, true, true, false, 0},
		{"c2p only", true, false, true, true, 0},
		{"no position terms", false, false, false, true, 0},
		{"encoder 2 layers c2p+p2c", true, true, true, true, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkAttentionGradient(t, AttentionConfig{
				HiddenSize: 4, NumHeads: 2, C2P: c.c2p, P2C: c.p2c, RelativeAttention: c.relative,
				ShareAttKey: c.shareKeys, PositionBuckets: 4, MaxRelativePositions: 8, AttSpan: 2, InitStd: 0.5,
			}, c.encoderLayers)
		})
	}
}

func checkAttentionGradient(t *testing.T, cfg AttentionConfig, encoderLayers int) {
	const batch, seqLen, hidden = 2, 5, 4
	// Checked(false): with ShareAttKey the position projections reuse query_proj/key_proj.
	ctx := context.New().Checked(false)
	if err := ctx.SetRNGStateFromSeed(21); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, batch*seqLen*hidden)
	for i := range x {
		x[i] = math.Sin(1.7*float64(i)) + 0.3*math.Cos(0.3*float64(i*i))
	}
	mask := [][]int32{{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}

	var vars []*context.Variable
	exec, err := context.NewExec(testutil.Backend(t), ctx, func(ctx *context.Context, h, m *Node) []*Node {
		g := h.Graph()
		var rel *Node
		if cfg.RelativeAttention {
			rel = ctx.In("rel_embeddings").WithInitializer(initializers.RandomNormalFn(ctx, 1)).
				VariableWithShape(WeightName, shapes.Make(dtypes.Float64, 2*cfg.AttSpan, hidden)).ValueGraph(g)
			rel = LayerNorm(ctx.In("rel_ln"), rel, 1e-7)
		}
		var out AttentionOutput
		var y *Node
		if encoderLayers == 0 {
			out = DisentangledSelfAttention(ctx.In("attention"), cfg, h, nil, m, rel)
			y = Activation("gelu", LayerNorm(ctx.In("out_ln"), out.Context, 1e-7))
		} else {
			enc := Encoder(ctx.In("encoder"), EncoderConfig{NumLayers: encoderLayers, Layer: LayerConfig{
				Attention: cfg, IntermediateSize: 8, HiddenAct: "gelu", LayerNormEps: 1e-7,
			}}, h, m, rel)
			y = enc.HiddenStates[encoderLayers-1]
			out = enc.Attentions[encoderLayers-1]
		}
		wy := Sin(MulScalar(Iota(g, y.Shape(), 2), 0.9))
		wp := Cos(MulScalar(Iota(g, out.Probs.Shape(), 3), 1.3))
		loss := Add(ReduceAllSum(Mul(y, wy)), ReduceAllSum(Mul(out.Probs, wp)))
		vars = vars[:0]
		var nodes []*Node
		ctx.EnumerateVariables(func(v *context.Variable) {
			if v.Trainable && v.Shape().DType == dtypes.Float64 {
				vars = append(vars, v)
				nodes = append(nodes, v.ValueGraph(g))
			}
		})
		return append([]*Node{loss}, Gradient(loss, nodes...)...)
	})
	if err != nil {
		t.Fatal(err)
	}
	input := tensors.FromFlatDataAndDimensions(x, batch, seqLen, hidden)
	run := func() []*tensors.Tensor {
		outs, err := exec.Exec(input, mask)
		if err != nil {
			t.Fatal(err)
		}
		return outs
	}
	outs := run()
	if len(vars) < 6 {
		t.Fatalf("only %d variables found", len(vars))
	}
	const eps = 1e-5
	checked, worst, worstAbs := 0, 0.0, 0.0
	for vi, v := range vars {
		grad := tensors.MustCopyFlatData[float64](outs[1+vi])
		if maxAbs64(grad) == 0 {
			t.Errorf("%s/%s: gradient is all zeros", v.Scope(), v.Name())
			continue
		}
		value, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		orig := tensors.MustCopyFlatData[float64](value)
		dims := value.Shape().Dimensions
		n := len(orig)
		for _, i := range []int{0, n / 2, n - 1} {
			lossAt := func(delta float64) float64 {
				p := append([]float64(nil), orig...)
				p[i] += delta
				if err := v.SetValue(tensors.FromFlatDataAndDimensions(p, dims...)); err != nil {
					t.Fatal(err)
				}
				return tensors.MustCopyFlatData[float64](run()[0])[0]
			}
			fd := (lossAt(eps) - lossAt(-eps)) / (2 * eps)
			if err := v.SetValue(tensors.FromFlatDataAndDimensions(orig, dims...)); err != nil {
				t.Fatal(err)
			}
			diff := math.Abs(fd - grad[i])
			worst = max(worst, diff/(1e-6+math.Abs(fd)))
			worstAbs = max(worstAbs, diff)
			if diff > 1e-6+1e-5*math.Abs(fd) {
				t.Errorf("%s/%s[%d]: gradient %.9g, finite differences %.9g", v.Scope(), v.Name(), i, grad[i], fd)
			}
			checked++
		}
	}
	t.Logf("%d variables, %d coordinates checked: max |grad − fd| = %.2g, max |grad − fd| / (1e-6 + |fd|) = %.2g",
		len(vars), checked, worstAbs, worst)
}

func maxAbs64(a []float64) float64 {
	m := 0.0
	for _, x := range a {
		m = max(m, math.Abs(x))
	}
	return m
}

// TestGatherGradientCollapsedAxis: gatherRelative's BackendGather (collapsed axis 1, axis 0 sliced whole) has
// no built-in gradient; InstallGatherGradient's must equal the built-in gradient of the equivalent
// graph.Gather on the transposed operand, and the built-in VJP must still be used for plain Gathers.
func TestGatherGradientCollapsedAxis(t *testing.T) {
	InstallGatherGradient()
	const heads, batch, n = 2, 3, 4
	rr := ReachableRows(n, n, 4, 8, 2)
	numRows := len(rr.Rows)
	full := make([]float32, heads*batch*n*numRows)
	for i := range full {
		full[i] = float32(math.Sin(0.37 * float64(i*i+1)))
	}
	outs := execN(t, func(in []*Node) []*Node {
		f := in[0]
		g := f.Graph()
		picked := gatherRelative(f, rr.Pos, func(i, _ int) int { return i }) // [heads, batch, q, k]
		w := Cos(MulScalar(Iota(g, picked.Shape(), 2), 0.7))
		w = Add(w, MulScalar(Iota(g, picked.Shape(), 3), 0.1))
		w = Add(w, MulScalar(Iota(g, picked.Shape(), 0), 0.2))
		grad := Gradient(ReduceAllSum(Mul(picked, w)), f)[0]

		// Reference: rows [n·U] first, graph.Gather (built-in ScatterSum gradient), back to [heads, batch, q, k].
		idx := make([]int32, 0, n*n)
		for i := range n {
			for j := range n {
				idx = append(idx, int32(i*numRows+rr.Pos[i][j]))
			}
		}
		flatT := Transpose(Reshape(f, heads*batch, n*numRows), 0, 1) // [n·U, heads·batch]
		ref := Gather(flatT, Reshape(Const(g, idx), n, n, 1))        // [q, k, heads·batch]
		ref = Reshape(TransposeAllAxes(ref, 2, 0, 1), heads, batch, n, n)
		refGrad := Gradient(ReduceAllSum(Mul(ref, w)), f)[0]
		return []*Node{picked, ref, grad, refGrad}
	}, tensors.FromFlatDataAndDimensions(full, heads, batch, n, numRows))
	if d := maxAbsDiff(outs[0], outs[1]); d != 0 {
		t.Fatalf("forward: gatherRelative differs from the reference gather by %g", d)
	}
	if maxAbs(outs[3]) == 0 {
		t.Fatal("reference gradient is zero")
	}
	if d := maxAbsDiff(outs[2], outs[3]); d > 1e-6 {
		t.Errorf("gradient of gatherRelative differs from the reference by %g", d)
	}
	t.Logf("max |diff| of gatherRelative's gradient vs graph.Gather on the transposed operand: %g", maxAbsDiff(outs[2], outs[3]))
}

// TestGatherGradientTwoIndexedAxes: a gather indexing axes 2 and 0 (in that order) of a [3, 4, 5] operand with
// the slice axis in the middle of the output; reference: graph.Gather on the operand transposed to [5, 3, 4].
func TestGatherGradientTwoIndexedAxes(t *testing.T) {
	InstallGatherGradient()
	operand := make([]float32, 3*4*5)
	for i := range operand {
		operand[i] = float32(math.Cos(0.71 * float64(i*i+3)))
	}
	idx := [][]int32{{4, 0}, {1, 2}, {0, 1}, {4, 0}, {3, 2}, {2, 2}} // (axis 2, axis 0); one repeated pair
	outs := execN(t, func(in []*Node) []*Node {
		x, ids := in[0], in[1]
		g := x.Graph()
		// Output [4, 6]: offset axis (operand axis 1) first, then the 6 index rows.
		y := BackendGather(x, ids, 1, []int{0}, []int{0, 2}, []int{2, 0}, []int{1, 4, 1}, false)
		w := Sin(Add(MulScalar(Iota(g, y.Shape(), 0), 0.9), MulScalar(Iota(g, y.Shape(), 1), 0.4)))
		grad := Gradient(ReduceAllSum(Mul(y, w)), x)[0]
		ref := Transpose(Gather(TransposeAllAxes(x, 2, 0, 1), ids), 0, 1) // [6, 4] -> [4, 6]
		refGrad := Gradient(ReduceAllSum(Mul(ref, w)), x)[0]
		return []*Node{y, ref, grad, refGrad}
	}, tensors.FromFlatDataAndDimensions(operand, 3, 4, 5), idx)
	if d := maxAbsDiff(outs[0], outs[1]); d != 0 {
		t.Fatalf("forward differs from the reference by %g", d)
	}
	if maxAbs(outs[3]) == 0 {
		t.Fatal("reference gradient is zero")
	}
	if d := maxAbsDiff(outs[2], outs[3]); d > 1e-6 {
		t.Errorf("gradient differs from the reference by %g", d)
	}
}
