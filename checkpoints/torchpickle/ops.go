package torchpickle

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// step executes one opcode (STOP is handled by run).
func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		v, err := u.readUint(1)
		if err != nil {
			return err
		}
		if v > 5 {
			return fmt.Errorf("unsupported pickle protocol %d", v)
		}
	case 0x95: // FRAME: the frame length is only a hint
		_, err := u.readUint(8)
		return err
	case '(': // MARK
		u.marks = append(u.marks, len(u.stack))
	case '0': // POP
		base := 0
		if len(u.marks) > 0 {
			base = u.marks[len(u.marks)-1]
		}
		if len(u.stack) > base {
			u.stack = u.stack[:len(u.stack)-1]
			return nil
		}
		_, err := u.popMark()
		return err
	case '1': // POP_MARK
		_, err := u.popMark()
		return err
	case '2': // DUP
		v, err := u.top()
		if err != nil {
			return err
		}
		u.push(v)
	case 'N':
		u.push(nil)
	case 0x88:
		u.push(true)
	case 0x89:
		u.push(false)
	case 'J', 'K', 'M': // BININT, BININT1, BININT2
		return u.opBinInt(op)
	case 'I', 'L': // INT, LONG (text)
		return u.opTextInt(op)
	case 0x8a, 0x8b: // LONG1, LONG4
		n := 1
		if op == 0x8b {
			n = 4
		}
		b, err := u.readCounted(n)
		if err != nil {
			return err
		}
		if u.bigInts && len(b) > 8 {
			u.push(bigInt(b))
			return nil
		}
		v, err := decodeLong(b)
		if err != nil {
			return err
		}
		u.push(v)
	case 'F': // FLOAT (text)
		s, err := u.readLine()
		if err != nil {
			return err
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("FLOAT: %w", err)
		}
		u.push(v)
	case 'G': // BINFLOAT
		b, err := u.read(8)
		if err != nil {
			return err
		}
		u.push(float64FromBigEndian(b))
	default:
		return u.stepStrings(op)
	}
	return nil
}

func (u *unpickler) opBinInt(op byte) error {
	switch op {
	case 'J':
		v, err := u.readUint(4)
		if err != nil {
			return err
		}
		u.push(int64(int32(uint32(v))))
	case 'K':
		v, err := u.readUint(1)
		if err != nil {
			return err
		}
		u.push(int64(v))
	case 'M':
		v, err := u.readUint(2)
		if err != nil {
			return err
		}
		u.push(int64(v))
	}
	return nil
}

func (u *unpickler) opTextInt(op byte) error {
	s, err := u.readLine()
	if err != nil {
		return err
	}
	if op == 'I' && (s == "00" || s == "01") {
		u.push(s == "01")
		return nil
	}
	if op == 'L' {
		s = strings.TrimSuffix(s, "L")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("integer %q: %w", s, err)
	}
	u.push(v)
	return nil
}

func (u *unpickler) stepContainers(op byte) error {
	switch op {
	case ')':
		u.push(pickleTuple{})
	case ']':
		u.push(&pickleList{})
	case '}':
		u.push(newPickleDict())
	case 't': // TUPLE
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(pickleTuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1..3
		n := int(op - 0x84)
		items := make(pickleTuple, n)
		for i := n - 1; i >= 0; i-- {
			v, err := u.pop()
			if err != nil {
				return err
			}
			items[i] = v
		}
		u.push(items)
	case 'l': // LIST
		items, err := u.popMark()
		if err != nil {
			return err
		}
		u.push(&pickleList{items: items})
	case 'a', 'e': // APPEND, APPENDS
		return u.opAppend(op)
	case 'd': // DICT
		items, err := u.popMark()
		if err != nil {
			return err
		}
		d := newPickleDict()
		if err := setPairs(d, items); err != nil {
			return err
		}
		u.push(d)
	case 's', 'u': // SETITEM, SETITEMS
		return u.opSetItems(op)
	default:
		return u.stepMemoAndCalls(op)
	}
	return nil
}

func (u *unpickler) opAppend(op byte) error {
	var items []any
	if op == 'a' {
		v, err := u.pop()
		if err != nil {
			return err
		}
		items = []any{v}
	} else {
		var err error
		if items, err = u.popMark(); err != nil {
			return err
		}
	}
	t, err := u.top()
	if err != nil {
		return err
	}
	l, ok := t.(*pickleList)
	if !ok {
		return fmt.Errorf("APPEND to a %s, not a list", pickleTypeName(t))
	}
	l.items = append(l.items, items...)
	return nil
}

func (u *unpickler) opSetItems(op byte) error {
	var items []any
	if op == 's' {
		v, err := u.pop()
		if err != nil {
			return err
		}
		k, err := u.pop()
		if err != nil {
			return err
		}
		items = []any{k, v}
	} else {
		var err error
		if items, err = u.popMark(); err != nil {
			return err
		}
	}
	t, err := u.top()
	if err != nil {
		return err
	}
	d, ok := t.(*pickleDict)
	if !ok {
		return fmt.Errorf("SETITEM on a %s, not a dict", pickleTypeName(t))
	}
	return setPairs(d, items)
}

func setPairs(d *pickleDict, items []any) error {
	if len(items)%2 != 0 {
		return fmt.Errorf("odd number of items (%d) for dict", len(items))
	}
	for i := 0; i < len(items); i += 2 {
		if err := d.set(items[i], items[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (u *unpickler) stepMemoAndCalls(op byte) error {
	switch op {
	case 'q', 'r': // BINPUT, LONG_BINPUT
		n := 1
		if op == 'r' {
			n = 4
		}
		i, err := u.readUint(n)
		if err != nil {
			return err
		}
		return u.memoPut(i)
	case 'h', 'j': // BINGET, LONG_BINGET
		n := 1
		if op == 'j' {
			n = 4
		}
		i, err := u.readUint(n)
		if err != nil {
			return err
		}
		return u.memoGet(i)
	case 'p', 'g': // PUT, GET (text)
		s, err := u.readLine()
		if err != nil {
			return err
		}
		i, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return fmt.Errorf("memo key %q: %w", s, err)
		}
		if op == 'p' {
			return u.memoPut(i)
		}
		return u.memoGet(i)
	case 0x94: // MEMOIZE
		return u.memoPut(uint64(len(u.memo)))
	case 'c': // GLOBAL
		module, err := u.readLine()
		if err != nil {
			return err
		}
		name, err := u.readLine()
		if err != nil {
			return err
		}
		return u.pushGlobal(module, name)
	case 0x93: // STACK_GLOBAL
		name, err1 := u.pop()
		module, err2 := u.pop()
		if err := errors.Join(err1, err2); err != nil {
			return err
		}
		ms, ok1 := module.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return errors.New("STACK_GLOBAL needs two strings")
		}
		return u.pushGlobal(ms, ns)
	case 'P', 'Q': // PERSID, BINPERSID
		return u.opPersistent(op)
	case 'R': // REDUCE
		return u.opReduce()
	case 'b': // BUILD
		state, err := u.pop()
		if err != nil {
			return err
		}
		obj, err := u.top()
		if err != nil {
			return err
		}
		return u.build(obj, state)
	case 'i', 'o', 0x81, 0x92, 0x82, 0x83, 0x84, 0x8f, 0x90, 0x91, 0x97, 0x98:
		return fmt.Errorf("unsupported pickle opcode 0x%02x (object construction, extensions, sets and buffers are refused)", op)
	default:
		return fmt.Errorf("unknown pickle opcode 0x%02x", op)
	}
}

func (u *unpickler) pushGlobal(module, name string) error {
	g, err := u.findGlobal(module, name)
	if err != nil {
		return err
	}
	u.push(g)
	return nil
}

func (u *unpickler) opPersistent(op byte) error {
	var pid any
	if op == 'P' {
		s, err := u.readLine()
		if err != nil {
			return err
		}
		pid = s
	} else {
		var err error
		if pid, err = u.pop(); err != nil {
			return err
		}
	}
	v, err := u.persistentLoad(pid)
	if err != nil {
		return err
	}
	u.push(v)
	return nil
}

func (u *unpickler) opReduce() error {
	args, err := u.pop()
	if err != nil {
		return err
	}
	callable, err := u.pop()
	if err != nil {
		return err
	}
	t, ok := args.(pickleTuple)
	if !ok {
		return fmt.Errorf("REDUCE arguments are a %s, not a tuple", pickleTypeName(args))
	}
	v, err := u.reduce(callable, t)
	if err != nil {
		return err
	}
	u.push(v)
	return nil
}
