package layers

import (
	"fmt"
	"reflect"
	"slices"
	"sync"

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
	ax := dotGeneralAxesOf(node)
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	gl, gr := DotGeneralVJP(v[0], lhs, ax.lhsContracting, ax.lhsBatch, rhs, ax.rhsContracting, ax.rhsBatch)
	return []*Node{gl, gr}
}

// dotGradVJP is the graph.VJP registered for NodeTypeDot (graph.Dot: vector·vector, matrix·vector,
// matrix·matrix), expressed as the equivalent DotGeneral: lhs's last axis against rhs's first, no batch axes.
func dotGradVJP(node *Node, v []*Node, _ shapes.Shape) []*Node {
	lhs, rhs := node.Inputs()[0], node.Inputs()[1]
	gl, gr := DotGeneralVJP(v[0], lhs, []int{lhs.Rank() - 1}, nil, rhs, []int{0}, nil)
	return []*Node{gl, gr}
}

// dotGeneralAxes are the (already non-negative) axes of a DotGeneral node.
type dotGeneralAxes struct {
	lhsContracting, lhsBatch, rhsContracting, rhsBatch []int
}

// dotGeneralAxesOf reads the axes of a NodeTypeDotGeneral node. GoMLX v0.26 keeps them only in unexported
// fields (Node.inputs of type *nodeInputsDotGeneral: lhsContractingAxes, lhsBatchAxes, rhsContractingAxes,
// rhsBatchAxes), so this uses reflection and is pinned to v0.26: it panics with a clear message if a GoMLX
// upgrade renames them (the tests catch that).
func dotGeneralAxesOf(node *Node) dotGeneralAxes {
	params := nodeInputsStruct(node, NodeTypeDotGeneral)
	return dotGeneralAxes{
		lhsContracting: intsField(params, "lhsContractingAxes"),
		lhsBatch:       intsField(params, "lhsBatchAxes"),
		rhsContracting: intsField(params, "rhsContractingAxes"),
		rhsBatch:       intsField(params, "rhsBatchAxes"),
	}
}

// nodeInputsStruct returns the struct behind the unexported graph.Node field "inputs" (GoMLX v0.26's
// nodeInputs* types, which hold an op's static parameters), checking the node's type.
func nodeInputsStruct(node *Node, want NodeType) reflect.Value {
	if node.Type() != want {
		panic(fmt.Sprintf("layers: node %s is not a %s", node, want))
	}
	inputs := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !inputs.IsValid() || inputs.Kind() != reflect.Interface || inputs.IsNil() {
		panic("layers: graph.Node has no field \"inputs\" any more (code pinned to GoMLX v0.26)")
	}
	params := inputs.Elem()
	if params.Kind() == reflect.Pointer {
		params = params.Elem()
	}
	if params.Kind() != reflect.Struct {
		panic(fmt.Sprintf("layers: graph.Node.inputs is a %s, not a struct (code pinned to GoMLX v0.26)", params.Type()))
	}
	return params
}

// intsField reads the unexported []int field name of a nodeInputs* struct.
func intsField(params reflect.Value, name string) []int {
	f := params.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
		panic(fmt.Sprintf("layers: %s has no []int field %q (code pinned to GoMLX v0.26)", params.Type(), name))
	}
	axes := make([]int, f.Len())
	for i := range axes {
		axes[i] = int(f.Index(i).Int())
	}
	return axes
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
// built-in VJP. The gather's parameters are read by reflection (pinned to GoMLX v0.26, see dotGeneralAxesOf).
func gatherGradVJP(node *Node, v []*Node, outputShape shapes.Shape) []*Node {
	operand, indices := node.Inputs()[0], node.Inputs()[1]
	p := gatherParamsOf(node)
	rank := operand.Rank()
	simple := p.indexVectorAxis == indices.Rank()-1 && len(p.startIndexMap) > 0 &&
		len(p.sliceSizes) == rank && len(p.offsetOutputAxes) == rank-len(p.collapsedSliceAxes) &&
		slices.Equal(slices.Sorted(slices.Values(p.collapsedSliceAxes)), slices.Sorted(slices.Values(p.startIndexMap))) &&
		slices.IsSorted(p.offsetOutputAxes)
	for axis := 0; simple && axis < rank; axis++ {
		want := operand.Shape().Dimensions[axis]
		if slices.Contains(p.startIndexMap, axis) {
			want = 1
		}
		simple = p.sliceSizes[axis] == want
	}
	// graph.Gather's own form (indexed axes first, in order) keeps the built-in VJP.
	leading := iotaFrom(0, len(p.startIndexMap))
	if !simple || (slices.Equal(p.startIndexMap, leading) && slices.Equal(p.collapsedSliceAxes, leading)) {
		return builtinGatherVJP(node, v, outputShape)
	}
	// Operand transposed to [indexed axes in startIndexMap order..., other axes in increasing order].
	order := slices.Clone(p.startIndexMap)
	order = append(order, crossAxes(rank, p.startIndexMap, nil)...)
	transposedDims := make([]int, rank)
	for i, axis := range order {
		transposedDims[i] = operand.Shape().Dimensions[axis]
	}
	// Output gradient transposed to [index batch axes..., offset axes...]: ScatterSum's updates layout.
	grad := v[0]
	vOrder := append(crossAxes(grad.Rank(), p.offsetOutputAxes, nil), p.offsetOutputAxes...)
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

// gatherParams are the parameters of a NodeTypeGather node (GoMLX v0.26 nodeInputsGather).
type gatherParams struct {
	indexVectorAxis                                                 int
	offsetOutputAxes, collapsedSliceAxes, startIndexMap, sliceSizes []int
}

// gatherParamsOf reads a Gather node's parameters by reflection (pinned to GoMLX v0.26).
func gatherParamsOf(node *Node) gatherParams {
	params := nodeInputsStruct(node, NodeTypeGather)
	axis := params.FieldByName("indexVectorAxis")
	if !axis.IsValid() || axis.Kind() != reflect.Int {
		panic(fmt.Sprintf("layers.gatherParamsOf: %s has no int field \"indexVectorAxis\" (code pinned to GoMLX v0.26)", params.Type()))
	}
	return gatherParams{
		indexVectorAxis:    int(axis.Int()),
		offsetOutputAxes:   intsField(params, "offsetOutputAxes"),
		collapsedSliceAxes: intsField(params, "collapsedSliceAxes"),
		startIndexMap:      intsField(params, "startIndexMap"),
		sliceSizes:         intsField(params, "sliceSizes"),
	}
}
