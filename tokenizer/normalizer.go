package tokenizer

import (
	"bytes"
	"unicode/utf8"
)

// spaceSymbol (U+2581 LOWER ONE EIGHTH BLOCK, "▁") replaces spaces in normalised text when escape_whitespaces is
// on (the default), so that pieces can carry word boundaries.
const spaceSymbol = "\u2581"

// normalizer is sentencepiece's Normalizer (normalizer.cc) for one NormalizerSpec:
//
//  1. The input is consumed rule by rule (normalizePrefix): a user-defined symbol is copied verbatim (longest
//     match); otherwise the longest key of the precompiled charsmap is replaced by its normalised form; otherwise one
//     UTF-8 character is copied, and each byte of invalid UTF-8 becomes U+FFFD.
//  2. With remove_extra_whitespaces, leading spaces are dropped, runs of spaces collapse into one and trailing
//     spaces are dropped (space = " " after the charsmap, so tabs and newlines count when the rules map them to " ").
//  3. With add_dummy_prefix, "▁" is prepended (appended with treat_whitespace_as_suffix); with
//     escape_whitespaces every " " is written as "▁".
//
// Alongside it records align: align[i] is the byte offset in the original text of the rule that produced normalised
// byte i, and align[len(normalised)] is where the consumed input ends. Token offsets come from this alignment.
type normalizer struct {
	charsMap  *charsMap    // nil when the spec has no rules
	user      *doubleArray // user-defined symbols, nil when there are none
	userFirst [256]bool    // userFirst[b]: some user-defined symbol starts with byte b
	// Fast path for ASCII: a byte b with !slow[b] followed by the end of the input or by an ASCII byte c whose bit
	// in cont[b] is clear starts no rule and is copied as is. slow marks non-ASCII bytes, the space, first bytes of
	// user-defined symbols and single-byte charsmap keys.
	slow [256]bool
	cont [128][2]uint64

	addDummyPrefix, removeExtraWhitespaces, escapeWhitespaces, treatWhitespaceAsSuffix bool
}

func newNormalizer(spec *NormalizerSpec, user []string, treatWhitespaceAsSuffix bool) (*normalizer, error) {
	cm, err := newCharsMap(spec.PrecompiledCharsmap)
	if err != nil {
		return nil, err
	}
	n := &normalizer{
		charsMap: cm, addDummyPrefix: spec.AddDummyPrefix, removeExtraWhitespaces: spec.RemoveExtraWhitespaces,
		escapeWhitespaces: spec.EscapeWhitespaces, treatWhitespaceAsSuffix: treatWhitespaceAsSuffix,
	}
	if len(user) > 0 {
		values := make([]int32, len(user))
		for i, u := range user {
			n.userFirst[u[0]] = true
			values[i] = int32(i)
		}
		n.user = buildDoubleArray(user, values, nil)
	}
	var single [128]bool
	if cm != nil {
		single, n.cont = cm.asciiRules()
	}
	for b := range n.slow {
		n.slow[b] = b >= utf8.RuneSelf || b == ' ' || n.userFirst[b] || single[b]
	}
	return n, nil
}

// plain reports whether in (non-empty) starts with an ASCII character that begins no rule (see slow and cont).
func (n *normalizer) plain(in string) bool {
	b := in[0]
	if n.slow[b] {
		return false
	}
	if len(in) == 1 {
		return true
	}
	c := in[1]
	return c < utf8.RuneSelf && n.cont[b][c>>6]&(1<<(c&63)) == 0
}

// normalizePrefix returns the normalised form of the first rule of s (non-empty) and the number of bytes it
// consumes (sentencepiece Normalizer::NormalizePrefix).
func (n *normalizer) normalizePrefix(s string) (string, int) {
	if n.user != nil && n.userFirst[s[0]] {
		if m := n.user.longestPrefix(s); m > 0 {
			return s[:m], m
		}
	}
	if n.charsMap != nil && n.charsMap.startsKey[s[0]] {
		if m, v := n.charsMap.longestPrefix(s); m > 0 {
			return n.charsMap.replacement(v), m
		}
	}
	if s[0] < utf8.RuneSelf {
		return s[:1], 1
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 {
		return "\uFFFD", 1
	}
	return s[:size], size
}

// normalize appends the normalised form of in to out[:0] and its alignment to align[:0] (see normalizer). For an
// input that normalises to nothing, align is empty or holds the single end offset.
func (n *normalizer) normalize(in string, out []byte, align []int32) ([]byte, []int32) {
	out, align = out[:0], align[:0]
	consumed := 0
	if n.removeExtraWhitespaces {
		for len(in) > 0 {
			p, l := n.normalizePrefix(in)
			if p != " " {
				break
			}
			in, consumed = in[l:], consumed+l
		}
	}
	if len(in) == 0 {
		return out, align
	}
	addSpace := func() {
		if n.escapeWhitespaces {
			out = append(out, spaceSymbol...)
			align = append(align, int32(consumed), int32(consumed), int32(consumed))
		} else {
			out = append(out, ' ')
			align = append(align, int32(consumed))
		}
	}
	if !n.treatWhitespaceAsSuffix && n.addDummyPrefix {
		addSpace()
	}
	prevSpace := n.removeExtraWhitespaces
	for len(in) > 0 {
		if n.plain(in) {
			// Fast path: an ASCII character without rules (the bulk of English text).
			out, align = append(out, in[0]), append(align, int32(consumed))
			in, consumed, prevSpace = in[1:], consumed+1, false
			continue
		}
		p, l := n.normalizePrefix(in)
		for prevSpace && len(p) > 0 && p[0] == ' ' {
			p = p[1:]
		}
		if len(p) > 0 {
			for i := 0; i < len(p); i++ {
				if p[i] == ' ' && n.escapeWhitespaces {
					out = append(out, spaceSymbol...)
					align = append(align, int32(consumed), int32(consumed), int32(consumed))
				} else {
					out, align = append(out, p[i]), append(align, int32(consumed))
				}
			}
			prevSpace = p[len(p)-1] == ' '
		}
		in, consumed = in[l:], consumed+l
		if !n.removeExtraWhitespaces {
			prevSpace = false
		}
	}
	if n.removeExtraWhitespaces {
		space := []byte(" ")
		if n.escapeWhitespaces {
			space = []byte(spaceSymbol)
		}
		for bytes.HasSuffix(out, space) {
			l := len(out) - len(space)
			consumed = int(align[l])
			out, align = out[:l], align[:l]
		}
	}
	if n.treatWhitespaceAsSuffix && n.addDummyPrefix {
		addSpace()
	}
	return out, append(align, int32(consumed))
}
