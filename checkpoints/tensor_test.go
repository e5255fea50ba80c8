package checkpoints

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestFloat16ToFloat32KnownBits(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want uint32 // float32 bits
	}{
		{0x0000, 0x00000000}, // +0
		{0x8000, 0x80000000}, // -0
		{0x3c00, 0x3f800000}, // 1
		{0xbc00, 0xbf800000}, // -1
		{0x4000, 0x40000000}, // 2
		{0x3555, 0x3eaaa000}, // 0.333251953125
		{0x7bff, 0x477fe000}, // 65504, largest finite
		{0x0400, 0x38800000}, // 2^-14, smallest normal
		{0x0001, 0x33800000}, // 2^-24, smallest subnormal
		{0x8001, 0xb3800000}, // -2^-24
		{0x03ff, 0x387fc000}, // largest subnormal 1023·2^-24
		{0x0200, 0x38000000}, // 2^-15
		{0x7c00, 0x7f800000}, // +Inf
		{0xfc00, 0xff800000}, // -Inf
		{0x7e00, 0x7fc00000}, // quiet NaN
		{0x7c01, 0x7f802000}, // signalling NaN payload kept
		{0xff55, 0xffeaa000}, // negative quiet NaN with payload
	} {
		if got := math.Float32bits(Float16ToFloat32(c.h)); got != c.want {
			t.Errorf("Float16ToFloat32(%#04x) = %#08x, want %#08x", c.h, got, c.want)
		}
	}
}

func TestFloat32ToFloat16KnownBits(t *testing.T) {
	for _, c := range []struct {
		f    float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},
		{65519.99, 0x7bff},                 // below the rounding midpoint
		{65520, 0x7c00},                    // the midpoint rounds to even: +Inf
		{1e6, 0x7c00},                      // overflow
		{-1e6, 0xfc00},                     // overflow
		{float32(math.Inf(1)), 0x7c00},     //
		{float32(math.Inf(-1)), 0xfc00},    //
		{1 + 1.0/2048, 0x3c00},             // tie between 1 and 1+2^-10: even (1)
		{1 + 3.0/2048, 0x3c02},             // tie between 1+2^-10 and 1+2^-9: even
		{1 + 1.0/2048 + 1.0/65536, 0x3c01}, // just above the tie
		{0x1p-14, 0x0400},                  // smallest normal
		{0x1p-24, 0x0001},                  // smallest subnormal
		{0x1p-25, 0x0000},                  // half the smallest subnormal: tie to even (0)
		{0x1.8p-24, 0x0002},                // 1.5·2^-24: tie to even (2)
		{0x1.0001p-25, 0x0001},             // just above half: rounds up
		{0x1p-26, 0x0000},                  // underflow
		{-0x1p-24, 0x8001},                 //
		{0x1.ffcp-15, 0x0400},              // largest subnormal + half ulp rounds up into the smallest normal
		{1e-45, 0x0000},                    // float32 subnormal
		{0.1, 0x2e66},                      //
	} {
		if got := Float32ToFloat16(c.f); got != c.want {
			t.Errorf("Float32ToFloat16(%g) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
	if h := Float32ToFloat16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("Float32ToFloat16(NaN) = %#04x, not a NaN", h)
	}
}

func TestBFloat16KnownBits(t *testing.T) {
	for _, c := range []struct {
		f    float32
		want uint16
	}{
		{0, 0x0000},
		{1, 0x3f80},
		{-1, 0xbf80},
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie: even
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie: even (up)
		{math.Float32frombits(0x3f808001), 0x3f81}, // above the tie
		{math.MaxFloat32, 0x7f80},                  // rounds to +Inf
		{float32(math.Inf(-1)), 0xff80},
		{math.Float32frombits(0x00000001), 0x0000}, // tiny subnormal
		{math.Float32frombits(0x00018000), 0x0002}, // subnormal tie to even
		{3.140625, 0x4049},
	} {
		if got := Float32ToBFloat16(c.f); got != c.want {
			t.Errorf("Float32ToBFloat16(%g = %#08x) = %#04x, want %#04x", c.f, math.Float32bits(c.f), got, c.want)
		}
	}
	if h := Float32ToBFloat16(math.Float32frombits(0x7f800001)); h&0x7f80 != 0x7f80 || h&0x7f == 0 {
		t.Errorf("signalling NaN became %#04x, not a NaN", h)
	}
	if got := math.Float32bits(BFloat16ToFloat32(0xc049)); got != 0xc0490000 {
		t.Errorf("BFloat16ToFloat32(0xc049) = %#08x", got)
	}
}

// TestHalfRoundTripAllPatterns converts every 16-bit pattern to float32 and back.
func TestHalfRoundTripAllPatterns(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		f := Float16ToFloat32(h)
		if isNaN16 := h&0x7c00 == 0x7c00 && h&0x3ff != 0; isNaN16 {
			if !math.IsNaN(float64(f)) || Float32ToFloat16(f)|0x0200 != h|0x0200 {
				t.Fatalf("F16 NaN %#04x → %g → %#04x", h, f, Float32ToFloat16(f))
			}
		} else if back := Float32ToFloat16(f); back != h {
			t.Fatalf("F16 %#04x → %g → %#04x", h, f, back)
		}
		b := BFloat16ToFloat32(h)
		if isNaN := h&0x7f80 == 0x7f80 && h&0x7f != 0; isNaN {
			if !math.IsNaN(float64(b)) || Float32ToBFloat16(b)|0x40 != h|0x40 {
				t.Fatalf("BF16 NaN %#04x → %#04x", h, Float32ToBFloat16(b))
			}
		} else if back := Float32ToBFloat16(b); back != h {
			t.Fatalf("BF16 %#04x → %g → %#04x", h, b, back)
		}
	}
}

// TestFloat32ToFloat16Nearest checks, on random float32 values, that the result is the nearest half
// (ties to even) by comparing with its neighbours in float64 arithmetic.
func TestFloat32ToFloat16Nearest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) || math.Abs(float64(f)) >= 65520 {
			continue
		}
		h := Float32ToFloat16(f)
		got := float64(Float16ToFloat32(h))
		err := math.Abs(got - float64(f))
		for _, nb := range []uint16{h + 1, h - 1} {
			if nb&0x7fff > 0x7bff || (h&0x7fff == 0 && nb&0x7fff != 1) {
				continue // beyond finite range, or across zero
			}
			e := math.Abs(float64(Float16ToFloat32(nb)) - float64(f))
			if e < err || (e == err && h&1 == 1) {
				t.Fatalf("Float32ToFloat16(%g) = %#04x (err %g), but %#04x is closer or even (err %g)", f, h, err, nb, e)
			}
		}
	}
}

func TestFloat64ToFloat32(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, c := range []struct {
		x    float64
		want float32
	}{
		{0.1, 0.1},
		{1 + 0x1p-24, 1},             // tie: even
		{1 + 0x1.8p-23, 1 + 0x1p-22}, // tie: even (up)
		{math.MaxFloat32 + 0x1p102, math.MaxFloat32}, // below the midpoint
		{math.MaxFloat32 + 0x1p103, inf},             // the midpoint: Inf
		{-1e300, -inf},                               //
		{math.Inf(-1), -inf},                         //
		{0x1p-150, 0},                                // half the smallest subnormal: even (0)
		{0x1.8p-149, 0x1p-148},                       // subnormal tie: even
	} {
		if got := Float64ToFloat32(c.x); math.Float32bits(got) != math.Float32bits(c.want) {
			t.Errorf("Float64ToFloat32(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if !math.IsNaN(float64(Float64ToFloat32(math.NaN()))) {
		t.Error("NaN not kept")
	}
}

func TestNewTensorDTypes(t *testing.T) {
	le := binary.LittleEndian
	u16 := func(vs ...uint16) []byte {
		b := make([]byte, 2*len(vs))
		for i, v := range vs {
			le.PutUint16(b[2*i:], v)
		}
		return b
	}
	f64 := make([]byte, 16)
	le.PutUint64(f64, math.Float64bits(0.1))
	le.PutUint64(f64[8:], math.Float64bits(-1e300))
	f32be := []byte{0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0}
	for _, c := range []struct {
		dtype     string
		raw       []byte
		bigEndian bool
		wantF     []float32
		wantI     []int64
	}{
		{"F32", []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}, false, []float32{1, -2}, nil},
		{"F32", f32be, true, []float32{1, -2}, nil},
		{"F16", u16(0x3c00, 0xc000), false, []float32{1, -2}, nil},
		{"F16", []byte{0x3c, 0x00, 0xc0, 0x00}, true, []float32{1, -2}, nil},
		{"BF16", u16(0x3f80, 0xc000), false, []float32{1, -2}, nil},
		{"F64", f64, false, []float32{0.1, float32(math.Inf(-1))}, nil},
		{"I64", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0, 0, 0, 0, 0}, false, nil, []int64{-1, 7}},
		{"I32", []byte{0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0}, false, nil, []int64{-2, 3}},
		{"I16", u16(0xffff, 5), false, nil, []int64{-1, 5}},
		{"U16", u16(0xffff, 5), false, nil, []int64{65535, 5}},
		{"I8", []byte{0xff, 4}, false, nil, []int64{-1, 4}},
		{"U8", []byte{0xff, 4}, false, nil, []int64{255, 4}},
		{"BOOL", []byte{1, 0}, false, nil, []int64{1, 0}},
		{"U32", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, false, nil, []int64{4294967295, 0}},
	} {
		tn, err := newTensor("x", c.dtype, []int{2}, c.raw, c.bigEndian)
		if err != nil {
			t.Fatalf("%s: %v", c.dtype, err)
		}
		if tn.DType != c.dtype || (c.wantF != nil) != tn.IsFloat() {
			t.Errorf("%s: got dtype %s IsFloat %v", c.dtype, tn.DType, tn.IsFloat())
		}
		for i := range c.wantF {
			if tn.Data[i] != c.wantF[i] {
				t.Errorf("%s big=%v: Data = %v, want %v", c.dtype, c.bigEndian, tn.Data, c.wantF)
			}
		}
		for i := range c.wantI {
			if tn.Int64[i] != c.wantI[i] {
				t.Errorf("%s: Int64 = %v, want %v", c.dtype, tn.Int64, c.wantI)
			}
		}
	}
}

func TestNewTensorErrors(t *testing.T) {
	for _, c := range []struct {
		dtype string
		shape []int
		raw   []byte
		want  string
	}{
		{"F32", []int{2}, make([]byte, 7), "7 bytes for 2 elements of F32 (want 8)"},
		{"Q8", []int{1}, make([]byte, 1), `unknown dtype "Q8"`},
		{"F8_E4M3", []int{1}, make([]byte, 1), "dtype F8_E4M3 is not supported"},
		{"BOOL", []int{1}, []byte{2}, "BOOL byte 2 is neither 0 nor 1"},
		{"U64", []int{1}, []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, "does not fit in int64"},
		{"F32", []int{-1}, nil, "negative dimension"},
		{"F32", []int{1 << 30, 1 << 30}, nil, "too many elements"},
	} {
		_, err := newTensor("x", c.dtype, c.shape, c.raw, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("newTensor(%s, %v): error %v, want it to contain %q", c.dtype, c.shape, err, c.want)
		}
	}
}

func TestSortedTensorsAndString(t *testing.T) {
	m := map[string]*Tensor{"b": {Name: "b"}, "a": {Name: "a", DType: "F16", Shape: []int{2, 3}}}
	s := SortedTensors(m)
	if s[0].Name != "a" || s[1].Name != "b" {
		t.Fatalf("SortedTensors order: %v", s)
	}
	if got := s[0].String(); got != "a F16[2 3]" {
		t.Errorf("String() = %q", got)
	}
	if n := (&Tensor{Shape: []int{2, 3, 4}}).NumElements(); n != 24 {
		t.Errorf("NumElements = %d", n)
	}
	if sz, ok := DTypeSize("BF16"); !ok || sz != 2 {
		t.Errorf("DTypeSize(BF16) = %d, %v", sz, ok)
	}
}
