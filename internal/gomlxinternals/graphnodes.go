package gomlxinternals

import (
	"fmt"
	"reflect"

	"github.com/gomlx/gomlx/pkg/core/graph"
)

// DotGeneralAxes are the (non-negative) axes of a graph DotGeneral node.
type DotGeneralAxes struct {
	LHSContracting, LHSBatch, RHSContracting, RHSBatch []int
}

// DotGeneralAxesOf reads the axes of a graph.NodeTypeDotGeneral node. GoMLX v0.26 keeps them only in the
// unexported field Node.inputs (*nodeInputsDotGeneral: lhsContractingAxes, lhsBatchAxes, rhsContractingAxes,
// rhsBatchAxes). It panics with a clear message (we are building a graph) if they are not there.
func DotGeneralAxesOf(node *graph.Node) DotGeneralAxes {
	params := nodeInputsStruct(node, graph.NodeTypeDotGeneral)
	return DotGeneralAxes{
		LHSContracting: intsField(params, "lhsContractingAxes"),
		LHSBatch:       intsField(params, "lhsBatchAxes"),
		RHSContracting: intsField(params, "rhsContractingAxes"),
		RHSBatch:       intsField(params, "rhsBatchAxes"),
	}
}

// GatherParams are the parameters of a graph.NodeTypeGather node (GoMLX v0.26 nodeInputsGather).
type GatherParams struct {
	IndexVectorAxis                                                 int
	OffsetOutputAxes, CollapsedSliceAxes, StartIndexMap, SliceSizes []int
}

// GatherParamsOf reads a Gather node's parameters by reflection; it panics like DotGeneralAxesOf.
func GatherParamsOf(node *graph.Node) GatherParams {
	params := nodeInputsStruct(node, graph.NodeTypeGather)
	axis := params.FieldByName("indexVectorAxis")
	if !axis.IsValid() || axis.Kind() != reflect.Int {
		panic(fmt.Sprintf("gomlxinternals: %s has no int field \"indexVectorAxis\" (code pinned to GoMLX v0.26)", params.Type()))
	}
	return GatherParams{
		IndexVectorAxis:    int(axis.Int()),
		OffsetOutputAxes:   intsField(params, "offsetOutputAxes"),
		CollapsedSliceAxes: intsField(params, "collapsedSliceAxes"),
		StartIndexMap:      intsField(params, "startIndexMap"),
		SliceSizes:         intsField(params, "sliceSizes"),
	}
}

// nodeInputsStruct returns the struct behind the unexported graph.Node field "inputs" (the nodeInputs* types,
// which hold an op's static parameters), checking the node's type.
func nodeInputsStruct(node *graph.Node, want graph.NodeType) reflect.Value {
	if node.Type() != want {
		panic(fmt.Sprintf("gomlxinternals: node %s is not a %s", node, want))
	}
	inputs := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !inputs.IsValid() || inputs.Kind() != reflect.Interface || inputs.IsNil() {
		panic("gomlxinternals: graph.Node has no field \"inputs\" any more (code pinned to GoMLX v0.26)")
	}
	params := inputs.Elem()
	if params.Kind() == reflect.Pointer {
		params = params.Elem()
	}
	if params.Kind() != reflect.Struct {
		panic(fmt.Sprintf("gomlxinternals: graph.Node.inputs is a %s, not a struct (code pinned to GoMLX v0.26)", params.Type()))
	}
	return params
}

// intsField reads the unexported []int field name of a nodeInputs* struct.
func intsField(params reflect.Value, name string) []int {
	f := params.FieldByName(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.Int {
		panic(fmt.Sprintf("gomlxinternals: %s has no []int field %q (code pinned to GoMLX v0.26)", params.Type(), name))
	}
	axes := make([]int, f.Len())
	for i := range axes {
		axes[i] = int(f.Index(i).Int())
	}
	return axes
}
