package gomlxinternals

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// simplegoPkg is the import path whose unexported types the mirrors stand for.
const simplegoPkg = "github.com/gomlx/gomlx/backends/simplego"

// checkAssumptions verifies, on a throw-away backend and graph, that simplego's Buffer, Node and
// dotGeneralNodeData have the layout of our mirrors and that the executor table holds a DotGeneral executor.
// It records the type word of dotGeneralNodeData for Node.DotGeneralParams.
func checkAssumptions() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gomlxinternals: probing simplego panicked: %v", r)
		}
		if err != nil {
			err = fmt.Errorf("%w (this code is pinned to GoMLX v0.26.0; see internal/gomlxinternals)", err)
		}
	}()
	if nodeExecutors[backends.OpTypeDotGeneral] == nil {
		return errors.New("gomlxinternals: simplego's executor table has no DotGeneral executor")
	}
	be, err := simplego.New("")
	if err != nil {
		return err
	}
	defer be.Finalize()
	f32 := shapes.Make(dtypes.Float32, 2, 2)
	buf, err := be.BufferFromFlatData(0, []float32{1, 2, 3, 4}, f32)
	if err != nil {
		return err
	}
	if err := sameLayout(reflect.TypeFor[Buffer](), reflect.TypeOf(buf), true); err != nil {
		return err
	}
	b := be.Builder("gomlxinternals_probe")
	x, err := b.Parameter("x", f32, nil)
	if err != nil {
		return err
	}
	if err := sameLayout(reflect.TypeFor[Node](), reflect.TypeOf(x), true); err != nil {
		return err
	}
	dot, err := b.DotGeneral(x, []int{1}, nil, x, []int{0}, nil)
	if err != nil {
		return err
	}
	reshape := (*Node)(reflect.ValueOf(dot).UnsafePointer())
	if reshape.opType != backends.OpTypeReshape || len(reshape.inputs) != 1 ||
		reshape.inputs[0].opType != backends.OpTypeDotGeneral {
		return errors.New("gomlxinternals: simplego's DotGeneral is no longer a DotGeneral node followed by a Reshape")
	}
	node := reshape.inputs[0]
	if err := sameLayout(reflect.TypeFor[dotGeneralNodeData](), reflect.TypeOf(node.data), false); err != nil {
		return err
	}
	dotGeneralDataType = (*[2]unsafe.Pointer)(unsafe.Pointer(&node.data))[0]
	p, _ := node.DotGeneralParams()
	if p.BatchSize != 1 || p.LHSCrossSize != 2 || p.RHSCrossSize != 2 || p.ContractingSize != 2 || p.LHSContracting[0] != 1 {
		return fmt.Errorf("gomlxinternals: simplego's DotGeneral parameters read back wrong: %+v", p)
	}
	return checkGatherScatter(b, x)
}

// checkGatherScatter probes a Gather and a ScatterSum node of builder b (x: a [2, 2] float32 parameter).
func checkGatherScatter(b backends.Builder, x backends.Op) error {
	idx, err := b.Parameter("idx", shapes.Make(dtypes.Int32, 3, 1), nil)
	if err != nil {
		return err
	}
	gather, err := b.Gather(x, idx, 1, []int{1}, []int{0}, []int{0}, []int{1, 2}, false)
	if err != nil {
		return err
	}
	node := (*Node)(reflect.ValueOf(gather).UnsafePointer())
	if err := sameLayout(reflect.TypeFor[gatherNodeData](), reflect.TypeOf(node.data), false); err != nil {
		return err
	}
	gatherDataType = (*[2]unsafe.Pointer)(unsafe.Pointer(&node.data))[0]
	if g, _ := node.GatherParams(); g.IndexVectorAxis != 1 || fmt.Sprint(g.SliceSizes) != "[1 2]" || fmt.Sprint(g.OffsetOutputAxes) != "[1]" {
		return fmt.Errorf("gomlxinternals: simplego's Gather parameters read back wrong: %+v", g)
	}
	scatter, err := b.ScatterSum(x, idx, gather, 1, []int{1}, []int{0}, []int{0}, false, false)
	if err != nil {
		return err
	}
	node = (*Node)(reflect.ValueOf(scatter).UnsafePointer())
	if err := sameLayout(reflect.TypeFor[scatterNodeData](), reflect.TypeOf(node.data), false); err != nil {
		return err
	}
	scatterDataType = (*[2]unsafe.Pointer)(unsafe.Pointer(&node.data))[0]
	if s, _ := node.ScatterParams(); s.IndexVectorAxis != 1 || fmt.Sprint(s.UpdateWindowAxes) != "[1]" || fmt.Sprint(s.ScatterAxesToOperandAxes) != "[0]" {
		return fmt.Errorf("gomlxinternals: simplego's ScatterSum parameters read back wrong: %+v", s)
	}
	return nil
}

// sameLayout compares mirror (a struct type of ours) with real (a pointer to simplego's struct): every mirror
// field must have the real field's name, offset and type (for simplego's own unexported types: the same kind and
// name). With whole, the structs must also have the same number of fields and size; otherwise mirror is a prefix.
func sameLayout(mirror, real reflect.Type, whole bool) error {
	if real.Kind() != reflect.Pointer || real.Elem().Kind() != reflect.Struct || real.Elem().PkgPath() != simplegoPkg {
		return fmt.Errorf("gomlxinternals: expected a pointer to a simplego struct for %s, got %s", mirror.Name(), real)
	}
	real = real.Elem()
	if whole && (real.NumField() != mirror.NumField() || real.Size() != mirror.Size()) {
		return fmt.Errorf("gomlxinternals: simplego.%s has %d fields (%d bytes), our mirror %d (%d bytes)",
			real.Name(), real.NumField(), real.Size(), mirror.NumField(), mirror.Size())
	}
	if real.NumField() < mirror.NumField() {
		return fmt.Errorf("gomlxinternals: simplego.%s has fewer fields than our mirror", real.Name())
	}
	for i := range mirror.NumField() {
		m, r := mirror.Field(i), real.Field(i)
		if m.Name != r.Name || m.Offset != r.Offset || !sameType(m.Type, r.Type) {
			return fmt.Errorf("gomlxinternals: simplego.%s field %d is %s %s at offset %d, our mirror has %s %s at %d",
				real.Name(), i, r.Name, r.Type, r.Offset, m.Name, m.Type, m.Offset)
		}
	}
	return nil
}

// sameType: identical types, or the same shape of type where simplego's unexported types stand (*Node for our
// *Node, unsafe.Pointer for *Builder).
func sameType(mirror, real reflect.Type) bool {
	if mirror == real {
		return true
	}
	if real.PkgPath() == simplegoPkg || (real.Kind() != reflect.Pointer && real.Kind() != reflect.Slice) {
		return false
	}
	if mirror.Kind() == reflect.UnsafePointer && real.Kind() == reflect.Pointer {
		return real.Elem().PkgPath() == simplegoPkg
	}
	if mirror.Kind() != real.Kind() {
		return false
	}
	me, re := mirror.Elem(), real.Elem()
	if re.PkgPath() == simplegoPkg {
		return me.PkgPath() == reflect.TypeFor[Node]().PkgPath() && me.Name() == re.Name()
	}
	return sameType(me, re)
}
