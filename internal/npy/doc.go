// Package npy reads and writes NumPy .npy files (format versions 1, 2 and 3), enough for test goldens:
// little-endian float32/float64 arrays are read as float32, int32/int64/uint8/int8/bool arrays as int64,
// C order only. WriteFloat32 and WriteInt64 write files numpy.load reads.
//
//	a, err := npy.Read("testdata/cls_logits.npy")
//	// a.DType == "<f4", a.Shape == []int{3, 3}, a.F32 holds the 9 values.
package npy
