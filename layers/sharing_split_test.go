package layers

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/internal/testutil"
)

// TestSplitSharedEmbeddings: GeneratorEmbeddings creates only E_G; DiscriminatorEmbeddings called after an update
// of E_G in the same graph (SetValueGraph) builds E_D from the updated value; DerivedDiscriminatorTable is the
// generator's table (ES) or sg(table) + a zero-initialised Δ (GDES), with the gradients of GDES.
func TestSplitSharedEmbeddings(t *testing.T) {
	backend := testutil.Backend(t)
	for _, mode := range []SharingMode{ES, NES, GDES} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.New()
			if err := ctx.SetRNGStateFromSeed(5); err != nil {
				t.Fatal(err)
			}
			res, err := execMulti(backend, ctx, func(ctx *context.Context, g *Graph) []*Node {
				eG := GeneratorEmbeddings(ctx, g, mode, shVocab, shDim, 0.5)
				n := 0 // tables (the RNG state is a variable too)
				for v := range ctx.IterVariables() {
					if v.Trainable {
						n++
					}
				}
				scope := SharedEmbeddingsScope
				if mode == NES {
					scope = GeneratorEmbeddingsScope
				}
				inScopePath(ctx, scope).GetVariable(WeightName).SetValueGraph(AddScalar(eG, 1))
				eD := DiscriminatorEmbeddings(ctx, g, mode, shVocab, shDim, 0.5)
				return []*Node{Const(g, int32(n)), eG, eD}
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := tensors.ToScalar[int32](res[0]); n != 1 {
				t.Errorf("GeneratorEmbeddings created %d variables, want 1", n)
			}
			eG, eD := tensors.MustCopyFlatData[float32](res[1]), tensors.MustCopyFlatData[float32](res[2])
			if mode != NES {
				if d := maxAbsDiff(eD, scaled(eG, 1)); math.Abs(d-1) > 1e-6 {
					t.Errorf("E_D − E_G = %g, want 1 (the updated E_G)", d)
				}
			}
		})
	}
	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(5); err != nil {
		t.Fatal(err)
	}
	res, err := execMulti(backend, ctx, func(ctx *context.Context, g *Graph) []*Node {
		p := ctx.In("p").VariableWithValue(WeightName, [][]float32{{1, 2}, {3, 4}}).ValueGraph(g)
		es := DerivedDiscriminatorTable(ctx, ES, p, DeltaPositionsScope)
		gdes := DerivedDiscriminatorTable(ctx, GDES, p, DeltaPositionsScope)
		delta := inScopePath(ctx, DeltaPositionsScope).GetVariable(WeightName).ValueGraph(g)
		grads := Gradient(ReduceAllSum(Square(gdes)), p, delta)
		return []*Node{es, gdes, ReduceAllMax(Abs(grads[0])), ReduceAllMax(Abs(grads[1]))}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 2, 3, 4}
	for i, name := range []string{"ES", "GDES"} {
		if got := tensors.MustCopyFlatData[float32](res[i]); maxAbsDiff(got, want) != 0 {
			t.Errorf("%s derived table %v, want %v", name, got, want)
		}
	}
	if gP, gDelta := tensors.ToScalar[float32](res[2]), tensors.ToScalar[float32](res[3]); gP != 0 || gDelta == 0 {
		t.Errorf("GDES: |∂/∂P_G| %g (want 0), |∂/∂P_Δ| %g (want > 0)", gP, gDelta)
	}
	if _, err := AddTables(tensors.FromValue([]float32{1}), tensors.FromValue([]float32{1, 2})); err == nil {
		t.Error("AddTables of different shapes: no error")
	}
}

// execMulti compiles fn on ctx and runs it once.
func execMulti(backend backends.Backend, ctx *context.Context, fn func(*context.Context, *Graph) []*Node) ([]*tensors.Tensor, error) {
	exec, err := context.NewExec(backend, ctx, fn)
	if err != nil {
		return nil, err
	}
	return exec.Exec()
}
