package layers

import (
	"slices"
	"sync"

	"github.com/deberta-go/lab/internal/gomlxinternals"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// The built-in VJPs of GoMLX v0.26, saved at package initialisation (before InstallDotGeneralGradient can run)
// so that tests and benchmarks can compare against them.
var (
	builtinDotGeneralVJP = VJPRegistration[NodeTypeDotGeneral]
	builtinDotVJP        = VJPRegistration[NodeTypeDot]
	builtinGatherVJP     = VJPRegistration[NodeTypeGather]
)

var installDotGradOnce, installGatherGradOnce sync.Once

// InstallDotGeneralGradient replaces GoMLX's gradients of DotGeneral and Dot (graph.VJPRegistration entries
// NodeTypeDotGeneral and NodeTypeDot, two distinct node types in v0.26) by DotGeneralVJP. Call it before
// building any training graph; it is idempotent (sync.Once).
//
// Why: GoMLX v0.26's VJPs of both ops materialise the broadcast product batch × lhsCross × rhsCross × contract
// and then ReduceSum it: the backward of [8·128,256]·[256,1024] builds 1 GiB temporaries and took ~10 s on the
// 2-core pure-Go backend (forward 0.12 s); base-sized layers run out of memory. The replacement computes each
// operand's gradient as one DotGeneral plus a transpose: 0.21–0.26 s (BenchmarkDotGradient).
//
// It writes a process-wide table (graph.VJPRegistration, an unlocked map): every gradient built afterwards, in
// any package, uses it; do not call it while another goroutine is building a gradient.
func InstallDotGeneralGradient() {
	installDotGradOnce.Do(func() {
		VJPRegistration[NodeTypeDotGeneral] = dotGeneralGradVJP
		VJPRegistration[NodeTypeDot] = dotGradVJP
	})
}

// dotGeneralGradVJP is the graph.VJP registered for NodeTypeDotGeneral.
func dotGeneralGradVJP(node *Node, v []*Node, _ shapes.Shape) []*Node {
	ax := gomlxinternals.DotGeneralAxesOf(node)
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	gl, gr := DotGeneralVJP(v[0], lhs, ax.LHSContracting, ax.LHSBatch, rhs, ax.RHSContracting, ax.RHSBatch)
	return []*Node{gl, gr}
}

// dotGradVJP is the graph.VJP registered for NodeTypeDot (graph.Dot: vector·vector, matrix·vector,
// matrix·matrix), expressed as the equivalent DotGeneral: lhs's last axis against rhs's first, no batch axes.
func dotGradVJP(node *Node, v []*Node, _ shapes.Shape) []*Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	gl, gr := DotGeneralVJP(v[0], lhs, []int{lhs.Rank() - 1}, nil, rhs, []int{0}, nil)
	return []*Node{gl, gr}
}

// DotGeneralVJP returns the gradients with respect to lhs and rhs of
// y = DotGeneral(lhs, lhsContracting, lhsBatch, rhs, rhsContracting, rhsBatch), given v = ∂loss/∂y.
// Axes must be non-negative. y's axes are [batch..., lhsCross..., rhsCross...] (cross = neither batch nor
// contracting, in increasing axis order). Each gradient is one DotGeneral plus one Transpose:
//
//	∂lhs[b, lc, k] = Σ_rc v[b, lc, rc]·rhs[b, k, rc]     ∂rhs[b, k, rc] = Σ_lc v[b, lc, rc]·lhs[b, lc, k]
//
// where k runs over the contracting axes.
func DotGeneralVJP(v, lhs *Node, lhsContracting, lhsBatch []int, rhs *Node, rhsContracting, rhsBatch []int) (gradLHS, gradRHS *Node) {
	nb := len(lhsBatch)
	lhsCross := crossAxes(lhs.Rank(), lhsContracting, lhsBatch)
	rhsCross := crossAxes(rhs.Rank(), rhsContracting, rhsBatch)
	vBatch := iotaFrom(0, nb)
	vLHSCross := iotaFrom(nb, len(lhsCross))
	vRHSCross := iotaFrom(nb+len(lhsCross), len(rhsCross))
	gradLHS = operandGrad(v, vBatch, vRHSCross, rhs, rhsBatch, rhsCross, lhs.Rank(), lhsBatch, lhsCross, lhsContracting, rhsContracting)
	gradRHS = operandGrad(v, vBatch, vLHSCross, lhs, lhsBatch, lhsCross, rhs.Rank(), rhsBatch, rhsCross, rhsContracting, lhsContracting)
	return
}

// operandGrad computes the gradient of "this" operand: DotGeneral of v with "other" (contracting v's
// other-cross axes with other's cross axes, batch with batch), whose result is laid out
// [batch..., thisCross..., other's contracting axes in increasing order], then transposed to this's layout.
// thisContracting[i] pairs with otherContracting[i].
func operandGrad(v *Node, vBatch, vOtherCross []int, other *Node, otherBatch, otherCross []int,
	thisRank int, thisBatch, thisCross, thisContracting, otherContracting []int) *Node {
	// With no axes to contract (other has no cross axes, e.g. matrix·vector) this is an outer product.
	g := DotGeneral(v, vOtherCross, vBatch, other, otherCross, otherBatch)
	// Position, among other's remaining (contracting) axes, of each of other's contracting axes.
	sorted := slices.Sorted(slices.Values(otherContracting))
	nb, nc := len(thisBatch), len(thisCross)
	perm := make([]int, thisRank)
	for i, axis := range thisBatch {
		perm[axis] = i
	}
	for j, axis := range thisCross {
		perm[axis] = nb + j
	}
	for i, axis := range thisContracting {
		perm[axis] = nb + nc + slices.Index(sorted, otherContracting[i])
	}
	identity := true
	for i, p := range perm {
		identity = identity && i == p
	}
	if identity {
		return g
	}
	return TransposeAllAxes(g, perm...)
}

// crossAxes lists, in increasing order, the axes of a rank-r operand that are neither contracting nor batch.
func crossAxes(rank int, contracting, batch []int) []int {
	var cross []int
	for axis := range rank {
		if !slices.Contains(contracting, axis) && !slices.Contains(batch, axis) {
			cross = append(cross, axis)
		}
	}
	return cross
}

// iotaFrom returns [start, start+1, ..., start+n-1] (nil for n == 0).
func iotaFrom(start, n int) []int {
	if n == 0 {
		return nil
	}
	s := make([]int, n)
	for i := range s {
		s[i] = start + i
	}
	return s
}

// InstallGatherGradient extends GoMLX v0.26's gradient of Gather (graph.VJPRegistration[NodeTypeGather]) to
// the BackendGather form that layers.gatherRelative uses: indexed axes collapsed (slice size 1) anywhere in the
// operand, every other axis sliced whole. The built-in VJP only knows graph.Gather (indexed axes first) and
// GatherSlices (nothing collapsed) and panics otherwise ("xlaGather operation for which no gradient was
// defined"), so without this the c2p/p2c attention terms cannot be trained. Other gathers keep the built-in
// VJP. Idempotent; call it, like InstallDotGeneralGradient (same process-wide caveat), before building
// training graphs.
func InstallGatherGradient() {
	installGatherGradOnce.Do(func() {
		VJPRegistration[NodeTypeGather] = gatherGradVJP
	})
}

// gatherGradVJP handles collapsed-index gathers as a ScatterSum on the operand transposed to put the indexed
// axes first (the layout graph.Gather's gradient uses), then transposes back; anything else goes to the
// built-in VJP. The gather's parameters are read by package gomlxinternals (pinned to GoMLX v0.26).
func gatherGradVJP(node *Node, v []*Node, outputShape shapes.Shape) []*Node {
	operand, indices := node.Inputs()[0], node.Inputs()[1]
	p := gomlxinternals.GatherParamsOf(node)
	rank := operand.Rank()
	simple := p.IndexVectorAxis == indices.Rank()-1 && len(p.StartIndexMap) > 0 &&
		len(p.SliceSizes) == rank && len(p.OffsetOutputAxes) == rank-len(p.CollapsedSliceAxes) &&
		slices.Equal(slices.Sorted(slices.Values(p.CollapsedSliceAxes)), slices.Sorted(slices.Values(p.StartIndexMap))) &&
		slices.IsSorted(p.OffsetOutputAxes)
	for axis := 0; simple && axis < rank; axis++ {
		want := operand.Shape().Dimensions[axis]
		if slices.Contains(p.StartIndexMap, axis) {
			want = 1
		}
		simple = p.SliceSizes[axis] == want
	}
	// graph.Gather's own form (indexed axes first, in order) keeps the built-in VJP.
	leading := iotaFrom(0, len(p.StartIndexMap))
	if !simple || (slices.Equal(p.StartIndexMap, leading) && slices.Equal(p.CollapsedSliceAxes, leading)) {
		return builtinGatherVJP(node, v, outputShape)
	}
	// Operand transposed to [indexed axes in startIndexMap order..., other axes in increasing order].
	order := slices.Clone(p.StartIndexMap)
	order = append(order, crossAxes(rank, p.StartIndexMap, nil)...)
	transposedDims := make([]int, rank)
	for i, axis := range order {
		transposedDims[i] = operand.Shape().Dimensions[axis]
	}
	// Output gradient transposed to [index batch axes..., offset axes...]: ScatterSum's updates layout.
	grad := v[0]
	vOrder := append(crossAxes(grad.Rank(), p.OffsetOutputAxes, nil), p.OffsetOutputAxes...)
	grad = transposeIfNeeded(grad, vOrder)
	scattered := ScatterSum(Zeros(node.Graph(), shapes.Make(operand.DType(), transposedDims...)), indices, grad, false, false)
	inverse := make([]int, rank)
	for i, axis := range order {
		inverse[axis] = i
	}
	return []*Node{transposeIfNeeded(scattered, inverse), nil}
}

// transposeIfNeeded is TransposeAllAxes unless perm is the identity.
func transposeIfNeeded(x *Node, perm []int) *Node {
	for i, p := range perm {
		if i != p {
			return TransposeAllAxes(x, perm...)
		}
	}
	return x
}
