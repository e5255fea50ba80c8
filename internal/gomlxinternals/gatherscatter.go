package gomlxinternals

import (
	"unsafe"

	"github.com/gomlx/gomlx/backends"
)

// gatherNodeData mirrors simplego.gatherNode (ops.go).
type gatherNodeData struct {
	indexVectorAxis                                                  int
	offsetOutputAxes, collapsedSlicesAxes, startIndexMap, sliceSizes []int
	indicesAreSorted                                                 bool
}

// scatterNodeData mirrors simplego.scatterNode (ops.go).
type scatterNodeData struct {
	indexVectorAxis                                                int
	updateWindowAxes, insertedWindowAxes, scatterAxesToOperandAxes []int
	indicesAreSorted, uniqueIndices                                bool
}

// SimpleGoGather are the parameters of a simplego Gather node (XLA's gather semantics).
type SimpleGoGather struct {
	IndexVectorAxis                                                 int
	OffsetOutputAxes, CollapsedSliceAxes, StartIndexMap, SliceSizes []int
}

// SimpleGoScatter are the parameters of a simplego Scatter{Sum,Max,Min} node (XLA's scatter semantics).
type SimpleGoScatter struct {
	IndexVectorAxis                                                int
	UpdateWindowAxes, InsertedWindowAxes, ScatterAxesToOperandAxes []int
}

// The type words of the interfaces Node.data holding simplego's *gatherNode and *scatterNode, recorded by
// checkAssumptions.
var gatherDataType, scatterDataType unsafe.Pointer

// dataOf returns the pointer held by n.data when n has op type op and data of the recorded type.
func (n *Node) dataOf(op backends.OpType, typeWord unsafe.Pointer) unsafe.Pointer {
	word := (*[2]unsafe.Pointer)(unsafe.Pointer(&n.data))
	if n.opType != op || word[0] == nil || word[0] != typeWord {
		return nil
	}
	return word[1]
}

// GatherParams returns the parameters of a Gather node.
func (n *Node) GatherParams() (SimpleGoGather, bool) {
	d := (*gatherNodeData)(n.dataOf(backends.OpTypeGather, gatherDataType))
	if d == nil {
		return SimpleGoGather{}, false
	}
	return SimpleGoGather{d.indexVectorAxis, d.offsetOutputAxes, d.collapsedSlicesAxes, d.startIndexMap, d.sliceSizes}, true
}

// ScatterParams returns the parameters of a ScatterSum, ScatterMax or ScatterMin node.
func (n *Node) ScatterParams() (SimpleGoScatter, bool) {
	switch n.opType {
	case backends.OpTypeScatterSum, backends.OpTypeScatterMax, backends.OpTypeScatterMin:
	default:
		return SimpleGoScatter{}, false
	}
	d := (*scatterNodeData)(n.dataOf(n.opType, scatterDataType))
	if d == nil {
		return SimpleGoScatter{}, false
	}
	return SimpleGoScatter{d.indexVectorAxis, d.updateWindowAxes, d.insertedWindowAxes, d.scatterAxesToOperandAxes}, true
}
