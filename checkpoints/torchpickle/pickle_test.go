package torchpickle

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// plainUnpickle runs the VM with no globals, persistent ids, REDUCE or BUILD allowed and converts the
// result to plain Go values (tuples and lists → []any, dicts → map[string]any).
func plainUnpickle(b []byte) (any, error) {
	refuse := errors.New("refused")
	u := &unpickler{
		data:           b,
		findGlobal:     func(m, n string) (any, error) { return nil, errors.New("global " + m + "." + n + " refused") },
		persistentLoad: func(any) (any, error) { return nil, refuse },
		reduce:         func(any, pickleTuple) (any, error) { return nil, refuse },
		build:          func(any, any) error { return refuse },
	}
	v, err := u.run()
	if err != nil {
		return nil, err
	}
	return toPlain(v), nil
}

func toPlain(v any) any {
	switch x := v.(type) {
	case pickleTuple:
		out := []any{}
		for _, e := range x {
			out = append(out, toPlain(e))
		}
		return out
	case *pickleList:
		return toPlain(pickleTuple(x.items))
	case *pickleDict:
		out := map[string]any{}
		for i, k := range x.keys {
			out[k.(string)] = toPlain(x.vals[i])
		}
		return out
	}
	return v
}

// TestUnpicklerProtocols decodes the same object pickled by CPython 3.11 with protocols 0 to 5:
// {'a': [1, -2, 3.5, 'xé\n', None, True, False, (1, 2), (), (7,), (1, 2, 3)], 'big': 2**40, 'neg': -2**40,
// 'n1': -1, 'k': 300, 'm': 70000, 's': ”, 'l': []}.
func TestUnpicklerProtocols(t *testing.T) {
	want := map[string]any{
		"a": []any{int64(1), int64(-2), 3.5, "xé\n", nil, true, false, []any{int64(1), int64(2)}, []any{},
			[]any{int64(7)}, []any{int64(1), int64(2), int64(3)}},
		"big": int64(1 << 40), "neg": int64(-1 << 40), "n1": int64(-1), "k": int64(300), "m": int64(70000),
		"s": "", "l": []any{},
	}
	for proto, h := range []string{
		"286470300a56610a70310a286c70320a49310a61492d320a6146332e350a615678e95c75303030610a70330a614e614930310a614930300a612849310a49320a7470340a612874612849370a7470350a612849310a49320a49330a7470360a6173566269670a70370a4c313039393531313632373737364c0a73566e65670a70380a4c2d313039393531313632373737364c0a73566e310a70390a492d310a73566b0a7031300a493330300a73566d0a7031310a4937303030300a7356730a7031320a560a7031330a73566c0a7031340a286c7031350a732e",
		"7d71002858010000006171015d7102284b014afeffffff47400c000000000000580400000078c3a90a71034e4930310a4930300a284b014b0274710429284b07747105284b014b024b0374710665580300000062696771074c313039393531313632373737364c0a58030000006e656771084c2d313039393531313632373737364c0a58020000006e3171094affffffff58010000006b710a4d2c0158010000006d710b4a70110100580100000073710c5800000000710d58010000006c710e5d710f752e",
		"80027d71002858010000006171015d7102284b014afeffffff47400c000000000000580400000078c3a90a71034e88894b014b02867104294b078571054b014b024b0387710665580300000062696771078a0600000000000158030000006e656771088a060000000000ff58020000006e3171094affffffff58010000006b710a4d2c0158010000006d710b4a70110100580100000073710c5800000000710d58010000006c710e5d710f752e",
		"80037d71002858010000006171015d7102284b014afeffffff47400c000000000000580400000078c3a90a71034e88894b014b02867104294b078571054b014b024b0387710665580300000062696771078a0600000000000158030000006e656771088a060000000000ff58020000006e3171094affffffff58010000006b710a4d2c0158010000006d710b4a70110100580100000073710c5800000000710d58010000006c710e5d710f752e",
		"8004957d000000000000007d94288c0161945d94284b014afeffffff47400c0000000000008c0478c3a90a944e88894b014b028694294b0785944b014b024b038794658c03626967948a060000000000018c036e6567948a060000000000ff8c026e31944affffffff8c016b944d2c018c016d944a701101008c0173948c00948c016c945d94752e",
		"8005957d000000000000007d94288c0161945d94284b014afeffffff47400c0000000000008c0478c3a90a944e88894b014b028694294b0785944b014b024b038794658c03626967948a060000000000018c036e6567948a060000000000ff8c026e31944affffffff8c016b944d2c018c016d944a701101008c0173948c00948c016c945d94752e",
	} {
		b, _ := hex.DecodeString(h)
		got, err := plainUnpickle(b)
		if err != nil {
			t.Fatalf("protocol %d: %v", proto, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("protocol %d:\n got %#v\nwant %#v", proto, got, want)
		}
	}
	// {'b': b'yz'} with protocol 3.
	b, _ := hex.DecodeString("80037d710058010000006271014302797a7102732e")
	if got, err := plainUnpickle(b); err != nil || !reflect.DeepEqual(got, map[string]any{"b": []byte("yz")}) {
		t.Errorf("bytes: %#v, %v", got, err)
	}
}

func TestUnpicklerErrors(t *testing.T) {
	for _, c := range []struct {
		name, pickle, want string
	}{
		{"empty", "", "unexpected end of pickle data"},
		{"no stop", "\x80\x02K\x01", "unexpected end of pickle data"},
		{"underflow", "\x80\x02.", "STOP: stack underflow"},
		{"pop below mark", "K\x01(\x85.", "stack underflow"},
		{"pop mark then underflow", "(0.", "STOP: stack underflow"},
		{"no mark", "K\x01t.", "no MARK on the stack"},
		{"memo miss", "h\x07.", "memo key 7 not found"},
		{"global", "cos\nsystem\n.", "global os.system refused"},
		{"newobj", "K\x01)\x81.", "unsupported pickle opcode 0x81"},
		{"inst", "(ios\nsystem\n.", "unsupported pickle opcode 0x69"},
		{"unknown op", "\xff.", "unknown pickle opcode 0xff"},
		{"proto", "\x80\x09.", "unsupported pickle protocol 9"},
		{"long string", "X\xff\xff\xff\x7fab.", "unexpected end of pickle data"},
		{"bad utf8", "X\x01\x00\x00\x00\xff.", "not valid UTF-8"},
		{"huge long", "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", "integer of 9 bytes is too large"},
		{"append to int", "K\x01K\x02a.", "APPEND to a int"},
		{"setitem on list", "]K\x01K\x02s.", "SETITEM on a list"},
		{"unhashable key", "}]K\x01s.", "unsupported dict key of type list"},
		{"odd dict", "(K\x01d.", "odd number of items"},
		{"reduce args", "K\x01K\x02R.", "REDUCE arguments are a int"},
		{"text int", "Iabc\n.", `integer "abc"`},
		{"stack global types", "K\x01K\x02\x93.", "STACK_GLOBAL needs two strings"},
		{"bad escape", "S'\\q'\n.", `unsupported escape \q`},
	} {
		_, err := plainUnpickle([]byte(c.pickle))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// Escapes of protocol-0 strings.
	if got, err := plainUnpickle([]byte("S'a\\'b\\x41\\n'\n.")); err != nil || got != "a'bA\n" {
		t.Errorf("STRING escapes: %q, %v", got, err)
	}
	if got, err := plainUnpickle([]byte("Va\\u00e9\\U0001F600\\x\n.")); err != nil || got != "aé😀\\x" {
		t.Errorf("UNICODE escapes: %q, %v", got, err)
	}
}
