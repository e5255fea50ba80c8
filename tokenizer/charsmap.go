package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// charsMap is sentencepiece's precompiled normalisation map (NormalizerSpec.precompiled_charsmap):
//
//	<uint32 LE: size of the trie in bytes><darts-clone double-array trie><replacement strings, each NUL-terminated>
//
// The trie maps UTF-8 byte strings (e.g. "ﬁ", "Ａ", "e\u0301") to the offset of their replacement in the string pool.
// Units of the darts-clone double array are uint32s:
//
//	bit 31: the unit is a value (leaf) unit, bits 0..30 hold the value
//	bit 8: the node has a leaf child; bits 0..7: the label of the edge that leads to the node
//	bits 10..31: offset to the children, shifted left by 8 when bit 9 is set
type charsMap struct {
	units []uint32
	pool  string
	// startsKey[b] is true when some key starts with byte b: most bytes of ordinary text need no trie walk.
	startsKey [256]bool
}

// asciiRules summarises the rules that start with an ASCII byte b, for the normaliser's fast path: single[b] is
// true when b alone is a key, and bit c of cont[b] is set when some key starts with the two ASCII bytes b, c.
func (c *charsMap) asciiRules() (single [128]bool, cont [128][2]uint64) {
	units := c.units
	for b := uint32(0); b < 128; b++ {
		pos := dartsOffset(units[0]) ^ b
		if pos >= uint32(len(units)) || dartsLabel(units[pos]) != b {
			continue
		}
		single[b] = units[pos]&dartsLeafBit != 0
		pos ^= dartsOffset(units[pos])
		for ch := uint32(0); ch < 128; ch++ {
			if p := pos ^ ch; p < uint32(len(units)) && dartsLabel(units[p]) == ch {
				cont[b][ch>>6] |= 1 << (ch & 63)
			}
		}
	}
	return single, cont
}

const (
	dartsValueBit = 1 << 31
	dartsLeafBit  = 1 << 8
)

func dartsOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }
func dartsLabel(u uint32) uint32  { return u & (dartsValueBit | 0xff) }

// newCharsMap decodes and validates a precompiled charsmap blob. An empty blob means "no rules" (nil map).
func newCharsMap(blob []byte) (*charsMap, error) {
	if len(blob) == 0 {
		return nil, nil
	}
	if len(blob) <= 4 {
		return nil, errors.New("precompiled charsmap: blob too short")
	}
	size := binary.LittleEndian.Uint32(blob)
	if uint64(size) >= uint64(len(blob)) {
		return nil, fmt.Errorf("precompiled charsmap: trie size %d exceeds the blob size %d", size, len(blob))
	}
	if size%4 != 0 || size == 0 {
		return nil, fmt.Errorf("precompiled charsmap: trie size %d is not a positive multiple of 4", size)
	}
	trie := blob[4 : 4+size]
	c := &charsMap{units: make([]uint32, size/4), pool: string(blob[4+size:])}
	for i := range c.units {
		c.units[i] = binary.LittleEndian.Uint32(trie[4*i:])
	}
	for _, u := range c.units {
		if u&dartsValueBit != 0 && int(u&^dartsValueBit) >= len(c.pool) {
			return nil, fmt.Errorf("precompiled charsmap: replacement offset %d outside the pool of %d bytes",
				u&^dartsValueBit, len(c.pool))
		}
	}
	for b := range c.startsKey {
		c.startsKey[b] = c.hasEdge(byte(b))
	}
	return c, nil
}

// longestPrefix returns the length of the longest key that is a prefix of s and the offset of its replacement in
// the pool (darts-clone commonPrefixSearch, keeping the longest result as sentencepiece does); n == 0 when no key
// matches.
func (c *charsMap) longestPrefix(s string) (n int, value uint32) {
	units := c.units
	pos := dartsOffset(units[0])
	for i := 0; i < len(s); i++ {
		b := uint32(s[i])
		pos ^= b
		if pos >= uint32(len(units)) {
			return n, value
		}
		u := units[pos]
		if dartsLabel(u) != b {
			return n, value
		}
		pos ^= dartsOffset(u)
		if u&dartsLeafBit != 0 {
			if pos >= uint32(len(units)) {
				return n, value
			}
			n, value = i+1, units[pos]&^dartsValueBit
		}
	}
	return n, value
}

// hasEdge reports whether some key starts with byte b.
func (c *charsMap) hasEdge(b byte) bool {
	pos := dartsOffset(c.units[0]) ^ uint32(b)
	return pos < uint32(len(c.units)) && dartsLabel(c.units[pos]) == uint32(b)
}

// replacement returns the NUL-terminated string at offset value of the pool.
func (c *charsMap) replacement(value uint32) string {
	s := c.pool[value:]
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}
