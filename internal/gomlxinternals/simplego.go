package gomlxinternals

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Executor is the signature of simplego's unexported nodeExecutor: it computes node from its input buffers
// (inputsOwned[i]: the executor may reuse or free input i) and returns the output buffer.
type Executor func(backend *Backend, node *Node, inputs []*Buffer, inputsOwned []bool) (*Buffer, error)

// nodeExecutors is simplego's executor table (exec.go: `nodeExecutors [backends.OpTypeLast]nodeExecutor`).
// Executor has the same memory layout as nodeExecutor (a func value whose arguments are pointers and slices).
//
//go:linkname nodeExecutors github.com/gomlx/gomlx/backends/simplego.nodeExecutors
var nodeExecutors [backends.OpTypeLast]Executor

// getBufferForShape is simplego's (*Backend).getBufferForShape: a pooled buffer of the given shape, contents
// undefined.
//
//go:linkname getBufferForShape github.com/gomlx/gomlx/backends/simplego.(*Backend).getBufferForShape
func getBufferForShape(b *Backend, shape shapes.Shape) *Buffer

// putBuffer is simplego's (*Backend).putBuffer: returns a buffer to its pool.
//
//go:linkname putBuffer github.com/gomlx/gomlx/backends/simplego.(*Backend).putBuffer
func putBuffer(b *Backend, buffer *Buffer)

// Backend is simplego's *Backend, opaque.
type Backend struct{ _ [0]byte }

// Buffer mirrors simplego.Buffer (buffers.go).
type Buffer struct {
	shape shapes.Shape
	valid bool
	flat  any
}

// Node mirrors simplego.Node (builder.go).
type Node struct {
	builderIdx         int
	inputs             []*Node
	opType             backends.OpType
	shape              shapes.Shape
	builder            unsafe.Pointer
	multiOutputsShapes []shapes.Shape
	multiOutputsNodes  []*Node
	isNodeSelectOutput bool
	selectOutputIdx    int
	data               any
}

// dotGeneralNodeData mirrors the leading fields of simplego.dotGeneralNodeData (dotgeneral.go).
type dotGeneralNodeData struct {
	lhsContractingAxes, lhsBatchAxes                       []int
	rhsContractingAxes, rhsBatchAxes                       []int
	batchSize, lhsCrossSize, rhsCrossSize, contractingSize int
}

// Shape is the buffer's shape.
func (b *Buffer) Shape() shapes.Shape { return b.shape }

// Flat is the buffer's flat data: a slice of the shape's Go type ([]float32 for Float32).
func (b *Buffer) Flat() any { return b.flat }

// OpType is the node's operation.
func (n *Node) OpType() backends.OpType { return n.opType }

// Shape is the node's output shape.
func (n *Node) Shape() shapes.Shape { return n.shape }

// NewBuffer returns a pooled buffer of the shape, with undefined contents.
func (b *Backend) NewBuffer(shape shapes.Shape) *Buffer { return getBufferForShape(b, shape) }

// Release returns buf, which the caller owns and no longer uses, to the backend's pool.
func (b *Backend) Release(buf *Buffer) { putBuffer(b, buf) }

// DotGeneralParams are the axes of a simplego DotGeneral node. Its output is [batch, lhsCross, rhsCross]
// (sizes multiplied out); the inputs keep their original layouts.
type DotGeneralParams struct {
	LHSContracting, LHSBatch, RHSContracting, RHSBatch     []int
	BatchSize, LHSCrossSize, RHSCrossSize, ContractingSize int
}

// DotGeneralParams returns the parameters of a DotGeneral node; ok is false when its data is not simplego's
// dotGeneralNodeData (checked by its type, recorded by checkAssumptions).
func (n *Node) DotGeneralParams() (p DotGeneralParams, ok bool) {
	d := (*dotGeneralNodeData)(n.dataOf(backends.OpTypeDotGeneral, dotGeneralDataType))
	if d == nil {
		return p, false
	}
	return DotGeneralParams{d.lhsContractingAxes, d.lhsBatchAxes, d.rhsContractingAxes, d.rhsBatchAxes,
		d.batchSize, d.lhsCrossSize, d.rhsCrossSize, d.contractingSize}, true
}

var (
	installMu sync.Mutex
	checkOnce sync.Once
	checkErr  error
	originals [backends.OpTypeLast]Executor
	replaced  [backends.OpTypeLast]bool

	// dotGeneralDataType is the type word of the interface Node.data holding a *simplego.dotGeneralNodeData.
	dotGeneralDataType unsafe.Pointer
)

// IsSimpleGo reports whether backend is GoMLX's pure-Go backend.
func IsSimpleGo(backend backends.Backend) bool {
	_, ok := backend.(*simplego.Backend)
	return ok
}

// ReplaceExecutors installs each executor of table in simplego's executor table, after checking (once per
// process) every assumption this file makes. It returns the executors they replace, which the new ones may call
// for cases they do not handle. On any failed check nothing is changed and the error says what differs.
// Call it before executing graphs; it is not safe to call while a simplego graph runs.
func ReplaceExecutors(table map[backends.OpType]Executor) (originalsOut map[backends.OpType]Executor, err error) {
	checkOnce.Do(func() { checkErr = checkAssumptions() })
	if checkErr != nil {
		return nil, checkErr
	}
	installMu.Lock()
	defer installMu.Unlock()
	originalsOut = make(map[backends.OpType]Executor, len(table))
	for op := range table {
		if op <= 0 || op >= backends.OpTypeLast {
			return nil, fmt.Errorf("gomlxinternals: op type %d out of range", op)
		}
		if !replaced[op] {
			if nodeExecutors[op] == nil {
				return nil, fmt.Errorf("gomlxinternals: simplego has no executor for %s to replace", op)
			}
			originals[op] = nodeExecutors[op]
		}
		originalsOut[op] = originals[op]
	}
	for op, ex := range table {
		nodeExecutors[op], replaced[op] = ex, true
	}
	return originalsOut, nil
}

// OriginalExecutor returns simplego's own executor of op (the one before any replacement), or nil.
func OriginalExecutor(op backends.OpType) Executor {
	installMu.Lock()
	defer installMu.Unlock()
	if op <= 0 || op >= backends.OpTypeLast {
		return nil
	}
	if replaced[op] {
		return originals[op]
	}
	return nodeExecutors[op]
}

// Executors returns the executors now in simplego's table, by op type (nil where none is registered).
func Executors() [backends.OpTypeLast]Executor {
	installMu.Lock()
	defer installMu.Unlock()
	return nodeExecutors
}

// RestoreExecutors puts simplego's own executors back for every op replaced so far.
func RestoreExecutors() {
	installMu.Lock()
	defer installMu.Unlock()
	for op, r := range replaced {
		if r {
			nodeExecutors[op], replaced[op] = originals[op], false
		}
	}
}

// IntsData returns the node's static []int parameter: the permutation of a Transpose, the broadcast axes of a
// BroadcastInDim, the reduced axes of a Reduce* op (simplego stores them as a plain []int in Node.data).
func (n *Node) IntsData() ([]int, bool) {
	ints, ok := n.data.([]int)
	return ints, ok
}
