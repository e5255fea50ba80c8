package torchpickle

import (
	"errors"
	"fmt"
)

// The meaning given to the pickle of a PyTorch state dict (`data.pkl`): only the globals below are
// accepted; any other global is an error naming it.

// torchGlobal is an allowed callable global.
type torchGlobal string

const (
	globalOrderedDict       torchGlobal = "collections.OrderedDict"
	globalRebuildTensor     torchGlobal = "torch._utils._rebuild_tensor"
	globalRebuildTensorV2   torchGlobal = "torch._utils._rebuild_tensor_v2"
	globalRebuildParameter  torchGlobal = "torch._utils._rebuild_parameter"
	globalRebuildParamState torchGlobal = "torch._utils._rebuild_parameter_with_state"
	maxTorchDims                        = 64
	maxTorchStorageElements             = MaxElements
)

// MaxElements bounds the element count of any storage, view or offset (2^50), so that no arithmetic on
// them overflows an int64.
const MaxElements = int64(1) << 50

// NumElements is the product of a shape's dimensions, refused when negative or beyond MaxElements.
func NumElements(shape []int) (int64, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension in shape %v", shape)
		}
		if d != 0 && n > MaxElements/int64(d) {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n *= int64(d)
	}
	return n, nil
}

// torchStorageType is a `torch.<X>Storage` class used in persistent ids; it names the element dtype.
type torchStorageType struct{ DType string }

var torchStorageDTypes = map[string]string{
	"FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16", "DoubleStorage": "F64",
	"LongStorage": "I64", "IntStorage": "I32", "ShortStorage": "I16", "CharStorage": "I8",
	"ByteStorage": "U8", "BoolStorage": "BOOL",
}

// Storage is a storage referenced by a persistent id ('storage', type, key, location, numel): DType is the
// element type (F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL), Key names its bytes in the archive.
type Storage struct {
	DType string
	Key   string
	Numel int64
}

// TensorRef is a tensor view on a storage, as rebuilt by _rebuild_tensor_v2.
type TensorRef struct {
	Storage *Storage
	Offset  int64 // in elements
	Size    []int
	Stride  []int64 // in elements
}

// Entry is one (key, tensor) of the state dict, in pickle order.
type Entry struct {
	Name string
	Ref  *TensorRef
}

// ParseStateDict runs the restricted unpickler on data.pkl (zip format) and returns the state dict entries.
// Storages with the same key are shared (tied weights); their dtype must agree.
func ParseStateDict(data []byte) ([]Entry, error) {
	entries, _, err := parseStateDict(newTorchUnpickler(data, map[string]*Storage{}))
	return entries, err
}

// newTorchUnpickler is an unpickler that gives torch meaning to globals, persistent ids, REDUCE and BUILD;
// the storages met are collected in storages.
func newTorchUnpickler(data []byte, storages map[string]*Storage) *unpickler {
	return &unpickler{
		data:       data,
		findGlobal: findTorchGlobal,
		persistentLoad: func(pid any) (any, error) {
			return loadTorchStorage(pid, storages)
		},
		reduce: reduceTorch,
		build:  buildTorch,
	}
}

// parseStateDict runs u on one pickle and returns its entries, and where the pickle ended.
func parseStateDict(u *unpickler) ([]Entry, int, error) {
	v, err := u.run()
	if err != nil {
		return nil, 0, err
	}
	d, ok := v.(*pickleDict)
	if !ok {
		return nil, 0, fmt.Errorf("top-level object is a %s, not a state dict", pickleTypeName(v))
	}
	entries := make([]Entry, 0, len(d.keys))
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, 0, fmt.Errorf("state dict key #%d is a %s, not a string", i, pickleTypeName(k))
		}
		ref, ok := d.vals[i].(*TensorRef)
		if !ok {
			return nil, 0, fmt.Errorf("state dict entry %q is a %s, not a tensor (nested checkpoints are not supported)",
				name, pickleTypeName(d.vals[i]))
		}
		entries = append(entries, Entry{Name: name, Ref: ref})
	}
	return entries, u.pos, nil
}

func findTorchGlobal(module, name string) (any, error) {
	full := module + "." + name
	switch torchGlobal(full) {
	case globalOrderedDict, globalRebuildTensor, globalRebuildTensorV2, globalRebuildParameter, globalRebuildParamState:
		return torchGlobal(full), nil
	}
	if module == "torch" {
		if dt, ok := torchStorageDTypes[name]; ok {
			return torchStorageType{DType: dt}, nil
		}
	}
	return nil, fmt.Errorf("forbidden pickle global %q (only OrderedDict, torch._utils._rebuild_tensor*/_rebuild_parameter* and torch.*Storage are allowed)", full)
}

func loadTorchStorage(pid any, storages map[string]*Storage) (any, error) {
	t, ok := pid.(pickleTuple)
	if !ok || (len(t) != 5 && len(t) != 6) {
		return nil, errors.New("persistent id is not a tuple ('storage', type, key, location, numel[, view])")
	}
	if len(t) == 6 && t[5] != nil { // the legacy format's view_metadata, None since torch 1.x
		return nil, errors.New("legacy storage views (view_metadata) are not supported")
	}
	if tag, _ := t[0].(string); tag != "storage" {
		return nil, errors.New("persistent id does not start with 'storage'")
	}
	st, ok := t[1].(torchStorageType)
	if !ok {
		return nil, fmt.Errorf("persistent id storage type is a %s, not a torch storage class", pickleTypeName(t[1]))
	}
	key, ok1 := t[2].(string)
	_, ok2 := t[3].(string)
	numel, ok3 := t[4].(int64)
	if !ok1 || !ok2 || !ok3 {
		return nil, errors.New("persistent id needs a string key, a string location and an int numel")
	}
	if numel < 0 || numel > maxTorchStorageElements {
		return nil, fmt.Errorf("storage %q: invalid numel %d", key, numel)
	}
	if s, ok := storages[key]; ok {
		if s.DType != st.DType || s.Numel != numel {
			return nil, fmt.Errorf("storage %q used as %s[%d] and as %s[%d]", key, s.DType, s.Numel, st.DType, numel)
		}
		return s, nil
	}
	s := &Storage{DType: st.DType, Key: key, Numel: numel}
	storages[key] = s
	return s, nil
}

func reduceTorch(callable any, args pickleTuple) (any, error) {
	g, ok := callable.(torchGlobal)
	if !ok {
		return nil, fmt.Errorf("REDUCE on a %s, which is not an allowed callable", pickleTypeName(callable))
	}
	switch g {
	case globalOrderedDict:
		if len(args) != 0 {
			return nil, errors.New("OrderedDict() with arguments is not supported")
		}
		return newPickleDict(), nil
	case globalRebuildTensor:
		if len(args) != 4 {
			return nil, fmt.Errorf("%s takes 4 arguments, got %d", g, len(args))
		}
		return rebuildTensor(args)
	case globalRebuildTensorV2:
		if len(args) != 6 && len(args) != 7 {
			return nil, fmt.Errorf("%s takes 6 or 7 arguments, got %d", g, len(args))
		}
		return rebuildTensor(args[:4])
	case globalRebuildParameter, globalRebuildParamState:
		if n := map[torchGlobal]int{globalRebuildParameter: 3, globalRebuildParamState: 4}[g]; len(args) != n {
			return nil, fmt.Errorf("%s takes %d arguments, got %d", g, n, len(args))
		}
		if _, ok := args[0].(*TensorRef); !ok {
			return nil, fmt.Errorf("%s of a %s, not a tensor", g, pickleTypeName(args[0]))
		}
		return args[0], nil
	}
	return nil, fmt.Errorf("REDUCE on %s is not supported", g)
}

// rebuildTensor checks (storage, storage_offset, size, stride) and returns the view.
func rebuildTensor(args pickleTuple) (*TensorRef, error) {
	s, ok := args[0].(*Storage)
	if !ok {
		return nil, fmt.Errorf("tensor storage is a %s, not a storage", pickleTypeName(args[0]))
	}
	offset, ok := args[1].(int64)
	if !ok || offset < 0 {
		return nil, fmt.Errorf("storage %q: invalid storage offset", s.Key)
	}
	size, ok1 := args[2].(pickleTuple)
	stride, ok2 := args[3].(pickleTuple)
	if !ok1 || !ok2 || len(size) != len(stride) || len(size) > maxTorchDims {
		return nil, fmt.Errorf("storage %q: size and stride must be tuples of the same length (≤ %d)", s.Key, maxTorchDims)
	}
	ref := &TensorRef{Storage: s, Offset: offset, Size: make([]int, len(size)), Stride: make([]int64, len(size))}
	for i := range size {
		d, ok1 := size[i].(int64)
		st, ok2 := stride[i].(int64)
		if !ok1 || !ok2 || d < 0 || st < 0 || d > MaxElements || st > MaxElements {
			return nil, fmt.Errorf("storage %q: invalid size/stride at dimension %d", s.Key, i)
		}
		ref.Size[i], ref.Stride[i] = int(d), st
	}
	if err := ref.Check(); err != nil {
		return nil, fmt.Errorf("storage %q: %w", s.Key, err)
	}
	return ref, nil
}

// check verifies the view lies inside its storage.
func (r *TensorRef) Check() error {
	n, err := NumElements(r.Size)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	last := r.Offset // index of the last element of the view
	for i, d := range r.Size {
		if r.Stride[i] != 0 && int64(d-1) > MaxElements/r.Stride[i] {
			return fmt.Errorf("view size %v stride %v overflows", r.Size, r.Stride)
		}
		last += int64(d-1) * r.Stride[i]
		if last > MaxElements {
			return fmt.Errorf("view size %v stride %v overflows", r.Size, r.Stride)
		}
	}
	if last >= r.Storage.Numel {
		return fmt.Errorf("view (offset %d, size %v, stride %v) reaches element %d of a storage of %d elements",
			r.Offset, r.Size, r.Stride, last, r.Storage.Numel)
	}
	return nil
}

// contiguous tells whether the view is row-major contiguous (dimensions of size 1 may have any stride).
func (r *TensorRef) Contiguous() bool {
	want := int64(1)
	for i := len(r.Size) - 1; i >= 0; i-- {
		if r.Size[i] != 1 && r.Stride[i] != want {
			return false
		}
		want *= int64(r.Size[i])
	}
	return true
}

// buildTorch accepts BUILD on dicts (the state dict's `_metadata` attribute) and tensors; the state is
// dropped.
func buildTorch(obj, _ any) error {
	switch obj.(type) {
	case *pickleDict, *TensorRef:
		return nil
	}
	return fmt.Errorf("BUILD on a %s is not supported", pickleTypeName(obj))
}
