package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	gomlxlayers "github.com/gomlx/gomlx/pkg/ml/layers"
)

// Variable names inside a scope mirror PyTorch's parameter names, so a scope path plus a variable name is a
// HuggingFace checkpoint key (scope "/encoder/layer/0/output/dense" + "weight").
const (
	WeightName = "weight"
	BiasName   = "bias"
)

// Linear is PyTorch's nn.Linear: x·W + b over the last axis. x: [..., in] → [..., out].
// The variable "weight" is stored [in, out] (the transpose of PyTorch's [out, in]: loaders transpose).
// Weights are initialised N(0, initStd) and biases 0, as HF's _init_weights.
func Linear(ctx *context.Context, x *Node, out int, useBias bool, initStd float64) *Node {
	in := x.Shape().Dimensions[x.Rank()-1]
	w := ctx.WithInitializer(initializers.RandomNormalFn(ctx, initStd)).
		VariableWithShape(WeightName, shapes.Make(x.DType(), in, out)).ValueGraph(x.Graph())
	dims := x.Shape().Dimensions
	outDims := append(append([]int{}, dims[:len(dims)-1]...), out)
	y := Reshape(Dot(Reshape(x, -1, in), w), outDims...)
	if useBias {
		b := ctx.WithInitializer(initializers.Zero).VariableWithShape(BiasName, shapes.Make(x.DType(), out)).ValueGraph(x.Graph())
		y = Add(y, ExpandLeftToRank(b, y.Rank()))
	}
	return y
}

// LayerNorm is PyTorch's nn.LayerNorm over the last axis with affine "weight" (init 1) and "bias" (init 0):
// (x − mean)/sqrt(var + eps)·weight + bias, biased variance, computed in float32. x: [..., d] → [..., d].
// DeBERTa uses eps = 1e-7 (config layer_norm_eps); there is deliberately no default.
func LayerNorm(ctx *context.Context, x *Node, eps float64) *Node {
	d := x.Shape().Dimensions[x.Rank()-1]
	g := x.Graph()
	w := ctx.WithInitializer(initializers.One).VariableWithShape(WeightName, shapes.Make(x.DType(), d)).ValueGraph(g)
	b := ctx.WithInitializer(initializers.Zero).VariableWithShape(BiasName, shapes.Make(x.DType(), d)).ValueGraph(g)
	mean := ReduceAndKeep(x, ReduceMean, -1)
	centered := Sub(x, mean)
	variance := ReduceAndKeep(Square(centered), ReduceMean, -1)
	// 1/Sqrt rather than Rsqrt: Rsqrt has no gradient in GoMLX v0.26.
	normed := Div(centered, Sqrt(AddScalar(variance, eps)))
	return Add(Mul(normed, ExpandLeftToRank(w, x.Rank())), ExpandLeftToRank(b, x.Rank()))
}

// Activation applies a HuggingFace ACT2FN activation by name. "gelu" is the exact erf form
// 0.5·x·(1 + erf(x/√2)); "gelu_new", "gelu_pytorch_tanh" and "gelu_fast" the tanh approximation.
// Unknown names panic (configs are validated before graphs are built).
func Activation(name string, x *Node) *Node {
	switch name {
	case "gelu":
		return Mul(MulScalar(x, 0.5), OnePlus(Erf(MulScalar(x, 1/math.Sqrt2))))
	case "gelu_new", "gelu_pytorch_tanh", "gelu_fast":
		inner := MulScalar(Add(x, MulScalar(Mul(x, Square(x)), 0.044715)), math.Sqrt(2/math.Pi))
		return Mul(MulScalar(x, 0.5), OnePlus(Tanh(inner)))
	case "relu":
		return Max(x, ZerosLike(x))
	case "tanh":
		return Tanh(x)
	case "silu", "swish":
		return Mul(x, Sigmoid(x))
	}
	panic(fmt.Sprintf("layers.Activation: unknown activation %q", name))
}

// Dropout zeroes each element with probability rate and rescales the rest by 1/(1−rate), only while the
// context is in training mode; otherwise it is the identity.
func Dropout(ctx *context.Context, x *Node, rate float64) *Node {
	return gomlxlayers.DropoutStatic(ctx, x, rate)
}

// Embedding looks rows of the table "weight" [vocab, dim] (init N(0, initStd)) up by integer ids:
// ids [...] → [..., dim].
func Embedding(ctx *context.Context, ids *Node, vocab, dim int, initStd float64) *Node {
	table := EmbeddingTable(ctx, ids.Graph(), vocab, dim, initStd)
	return Gather(table, InsertAxes(ids, -1))
}

// EmbeddingTable returns the table variable "weight" [vocab, dim] of an Embedding scope as a node, for
// weight tying (MLM decoders multiply by its transpose).
func EmbeddingTable(ctx *context.Context, g *Graph, vocab, dim int, initStd float64) *Node {
	return ctx.WithInitializer(initializers.RandomNormalFn(ctx, initStd)).
		VariableWithShape(WeightName, shapes.Make(dtypes.Float32, vocab, dim)).ValueGraph(g)
}
