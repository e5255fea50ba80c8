package torchpickle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A small, restricted pickle virtual machine: it executes no code. Globals are resolved by a callback
// that only knows an allow-list, REDUCE and BUILD are dispatched to callbacks, and opcodes that create
// arbitrary objects (INST, OBJ, NEWOBJ, EXT*) are refused. Every read is bounds-checked and nothing
// recurses, so arbitrary input yields an error, never a panic.
//
// Python values map to: None → nil, bool → bool, int → int64 (larger ints are an error), float → float64,
// str → string, bytes → []byte, tuple → pickleTuple, list → *pickleList, dict → *pickleDict.

type pickleTuple []any

type pickleList struct{ items []any }

// pickleDict is an insertion-ordered dict with hashable scalar keys (string, int64, bool, float64, nil).
type pickleDict struct {
	keys  []any
	vals  []any
	index map[any]int
}

func newPickleDict() *pickleDict { return &pickleDict{index: map[any]int{}} }

func (d *pickleDict) set(k, v any) error {
	switch k.(type) {
	case string, int64, bool, float64, nil:
	default:
		return fmt.Errorf("unsupported dict key of type %s", pickleTypeName(k))
	}
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return nil
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// unpickler holds the machine state and the callbacks that give meaning to globals.
type unpickler struct {
	data  []byte
	pos   int
	stack []any
	marks []int // stack heights at each MARK
	memo  map[uint64]any
	// bigInts lets LONG1/LONG4 of more than 8 bytes through as a bigInt (the legacy magic number).
	bigInts bool

	findGlobal     func(module, name string) (any, error)
	persistentLoad func(pid any) (any, error)
	reduce         func(callable any, args pickleTuple) (any, error)
	build          func(obj, state any) error
}

var errPickleTruncated = errors.New("unexpected end of pickle data")

// bigInt is an integer too large for int64, as its little-endian two's complement bytes.
type bigInt string

// run executes the pickle starting at pos and returns the value left by STOP; pos is then just after it,
// where the next pickle of a stream begins.
func (u *unpickler) run() (any, error) {
	u.memo = map[uint64]any{}
	u.stack, u.marks = u.stack[:0], u.marks[:0]
	for {
		if u.pos >= len(u.data) {
			return nil, errPickleTruncated
		}
		op := u.data[u.pos]
		at := u.pos
		u.pos++
		if op == '.' { // STOP
			v, err := u.pop()
			if err != nil {
				return nil, fmt.Errorf("pickle offset %d: STOP: %w", at, err)
			}
			return v, nil
		}
		if err := u.step(op); err != nil {
			return nil, fmt.Errorf("pickle offset %d (opcode 0x%02x): %w", at, op, err)
		}
	}
}

// --- stack helpers ---

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= base {
		return nil, errors.New("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	base := 0
	if len(u.marks) > 0 {
		base = u.marks[len(u.marks)-1]
	}
	if len(u.stack) <= base {
		return nil, errors.New("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark removes and returns everything above the topmost mark, and the mark itself.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, errors.New("no MARK on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// --- input helpers ---

func (u *unpickler) read(n uint64) ([]byte, error) {
	if n > uint64(len(u.data)-u.pos) {
		return nil, errPickleTruncated
	}
	b := u.data[u.pos : u.pos+int(n)]
	u.pos += int(n)
	return b, nil
}

func (u *unpickler) readUint(n int) (uint64, error) {
	b, err := u.read(uint64(n))
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// readLine returns the bytes up to (excluding) the next '\n'.
func (u *unpickler) readLine() (string, error) {
	for i := u.pos; i < len(u.data); i++ {
		if u.data[i] == '\n' {
			s := string(u.data[u.pos:i])
			u.pos = i + 1
			return s, nil
		}
	}
	return "", errPickleTruncated
}

// readCounted reads a length prefix of n bytes and then that many bytes.
func (u *unpickler) readCounted(n int) ([]byte, error) {
	l, err := u.readUint(n)
	if err != nil {
		return nil, err
	}
	return u.read(l)
}

// --- memo ---

func (u *unpickler) memoPut(i uint64) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	u.memo[i] = v
	return nil
}

func (u *unpickler) memoGet(i uint64) error {
	v, ok := u.memo[i]
	if !ok {
		return fmt.Errorf("memo key %d not found", i)
	}
	u.push(v)
	return nil
}

// decodeLong decodes a little-endian two's complement integer of up to 8 bytes.
func decodeLong(b []byte) (int64, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if len(b) > 8 {
		return 0, fmt.Errorf("integer of %d bytes is too large", len(b))
	}
	var buf [8]byte
	if b[len(b)-1]&0x80 != 0 {
		buf = [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	copy(buf[:], b)
	return int64(binary.LittleEndian.Uint64(buf[:])), nil
}

func float64FromBigEndian(b []byte) float64 {
	return math.Float64frombits(binary.BigEndian.Uint64(b))
}

// pickleTypeName names the Python-ish type of a value for error messages (values are never printed:
// they may be cyclic).
func pickleTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []byte:
		return "bytes"
	case pickleTuple:
		return "tuple"
	case *pickleList:
		return "list"
	case *pickleDict:
		return "dict"
	default:
		return fmt.Sprintf("%T", v)
	}
}
