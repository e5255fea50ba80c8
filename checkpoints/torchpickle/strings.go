package torchpickle

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String and bytes opcodes of the restricted unpickler, and the escapes of protocol-0 text strings.

// stepStrings handles string, bytes and container opcodes.
func (u *unpickler) stepStrings(op byte) error {
	switch op {
	case 'X', 0x8c, 0x8d: // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
		n := lengthPrefix(op)
		b, err := u.readCounted(n)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return errors.New("string is not valid UTF-8")
		}
		u.push(string(b))
	case 'T', 'U': // BINSTRING, SHORT_BINSTRING (Python 2 str)
		n := 4
		if op == 'U' {
			n = 1
		}
		b, err := u.readCounted(n)
		if err != nil {
			return err
		}
		u.push(string(b))
	case 'B', 'C', 0x8e, 0x96: // BINBYTES, SHORT_BINBYTES, BINBYTES8, BYTEARRAY8
		n := lengthPrefix(op)
		b, err := u.readCounted(n)
		if err != nil {
			return err
		}
		u.push(append([]byte(nil), b...))
	case 'S': // STRING (text repr)
		s, err := u.readLine()
		if err != nil {
			return err
		}
		v, err := unquotePy(s)
		if err != nil {
			return err
		}
		u.push(v)
	case 'V': // UNICODE (raw-unicode-escape)
		s, err := u.readLine()
		if err != nil {
			return err
		}
		v, err := rawUnicodeEscape(s)
		if err != nil {
			return err
		}
		u.push(v)
	default:
		return u.stepContainers(op)
	}
	return nil
}

// lengthPrefix is the size of the length prefix of the counted string and bytes opcodes.
func lengthPrefix(op byte) int {
	switch op {
	case 0x8c, 'C': // SHORT_BINUNICODE, SHORT_BINBYTES
		return 1
	case 'X', 'B': // BINUNICODE, BINBYTES
		return 4
	}
	return 8 // BINUNICODE8, BINBYTES8, BYTEARRAY8
}

// unquotePy decodes a Python 2 str repr as written by protocol 0 ('...' or "...").
func unquotePy(s string) (string, error) {
	if len(s) < 2 || (s[0] != '\'' && s[0] != '"') || s[len(s)-1] != s[0] {
		return "", errors.New("STRING opcode argument is not quoted")
	}
	return decodeEscapes(s[1:len(s)-1], false)
}

// rawUnicodeEscape decodes Python's raw-unicode-escape: \uXXXX and \UXXXXXXXX, other bytes are Latin-1.
func rawUnicodeEscape(s string) (string, error) { return decodeEscapes(s, true) }

func decodeEscapes(s string, raw bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteRune(rune(c))
			continue
		}
		next := s[i+1]
		width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[next]
		if raw && next != 'u' && next != 'U' {
			b.WriteByte('\\')
			continue
		}
		if width == 0 {
			simple := map[byte]byte{'\\': '\\', '\'': '\'', '"': '"', 'n': '\n', 't': '\t', 'r': '\r', '0': 0}
			r, ok := simple[next]
			if !ok {
				return "", fmt.Errorf("unsupported escape \\%c in string", next)
			}
			b.WriteByte(r)
			i++
			continue
		}
		if i+2+width > len(s) {
			return "", errors.New("truncated escape in string")
		}
		v, err := strconv.ParseUint(s[i+2:i+2+width], 16, 32)
		if err != nil || v > utf8.MaxRune {
			return "", fmt.Errorf("bad escape %q in string", s[i:i+2+width])
		}
		b.WriteRune(rune(v))
		i += 1 + width
	}
	return b.String(), nil
}
