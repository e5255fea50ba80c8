package tokenizer

import "sort"

// doubleArray is a static byte trie in double-array form: the child of node s for byte b is t = base(s) + b,
// valid iff nodes[t].check == s. It maps the vocabulary to ids for the Viterbi search (one array access per
// input byte, no allocation) and holds the user-defined symbols for the greedy prefix matcher. Node 0 is the root.
type doubleArray struct {
	nodes []daNode
}

type daNode struct {
	base  int32   // children of this node live at base+b
	check int32   // parent node; -1 marks a free slot
	value int32   // value of the key that ends at this node, noValue if none
	score float32 // score of that key (vocabulary only), kept here to save a cache miss in the Viterbi search
}

// noValue marks nodes where no key ends. Values are otherwise arbitrary (the vocabulary stores negative ones).
const noValue = -1

// child returns the child of node s along byte b, or -1.
func (d *doubleArray) child(s int32, b byte) int32 {
	t := d.nodes[s].base + int32(b)
	if uint32(t) < uint32(len(d.nodes)) && d.nodes[t].check == s {
		return t
	}
	return -1
}

// exact returns the value stored for key, or noValue.
func (d *doubleArray) exact(key string) int32 {
	s := int32(0)
	for i := 0; i < len(key); i++ {
		if s = d.child(s, key[i]); s < 0 {
			return noValue
		}
	}
	return d.nodes[s].value
}

// longestPrefix returns the length of the longest key that is a prefix of s (0 if none).
func (d *doubleArray) longestPrefix(s string) int {
	n, node := 0, int32(0)
	for i := 0; i < len(s); i++ {
		if node = d.child(node, s[i]); node < 0 {
			break
		}
		if d.nodes[node].value != noValue {
			n = i + 1
		}
	}
	return n
}

// buildDoubleArray builds the trie of distinct non-empty keys; values[i] (not noValue) and scores[i] (if scores
// is not nil) are stored for keys[i].
func buildDoubleArray(keys []string, values []int32, scores []float32) *doubleArray {
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
	sorted := make([]string, len(keys))
	vals := make([]int32, len(keys))
	scs := make([]float32, len(keys))
	for i, o := range order {
		sorted[i], vals[i] = keys[o], values[o]
		if scores != nil {
			scs[i] = scores[o]
		}
	}
	b := &daBuilder{keys: sorted, values: vals, scores: scs, head: -1}
	b.grow(256)
	b.take(0)
	b.nodes[0].check = 0
	b.place(0, 0, len(sorted), 0)
	return &doubleArray{nodes: b.nodes}
}

// daBuilder places trie nodes into the array. Free slots form a doubly-linked list (next/prev) so that finding a
// base for a node only visits free slots.
type daBuilder struct {
	keys   []string
	values []int32
	scores []float32
	nodes  []daNode
	next   []int32 // free-list links, valid for free slots only
	prev   []int32
	head   int32 // first free slot, or -1
}

// grow appends n free slots.
func (b *daBuilder) grow(n int) {
	for i := 0; i < n; i++ {
		s := int32(len(b.nodes))
		b.nodes = append(b.nodes, daNode{check: -1, value: noValue})
		b.next = append(b.next, -1)
		b.prev = append(b.prev, -1)
		if b.head < 0 {
			b.head = s
			b.next[s], b.prev[s] = s, s
			continue
		}
		last := b.prev[b.head]
		b.next[last], b.prev[s] = s, last
		b.next[s], b.prev[b.head] = b.head, s
	}
}

// take removes slot s from the free list.
func (b *daBuilder) take(s int32) {
	if b.next[s] == s {
		b.head = -1
	} else {
		b.next[b.prev[s]], b.prev[b.next[s]] = b.next[s], b.prev[s]
		if b.head == s {
			b.head = b.next[s]
		}
	}
	b.nodes[s].check = 0 // caller sets the real parent
}

// place fills node with the keys[lo:hi], which share their first depth bytes.
func (b *daBuilder) place(node int32, lo, hi, depth int) {
	if lo < hi && len(b.keys[lo]) == depth {
		b.nodes[node].value, b.nodes[node].score = b.values[lo], b.scores[lo]
		lo++
	}
	if lo == hi {
		return
	}
	type childRange struct {
		label  byte
		lo, hi int
	}
	var children []childRange
	for i := lo; i < hi; {
		c := b.keys[i][depth]
		j := i + 1
		for j < hi && b.keys[j][depth] == c {
			j++
		}
		children = append(children, childRange{c, i, j})
		i = j
	}
	base := b.findBase(children[0].label, func(base int32) bool {
		for _, ch := range children {
			if b.nodes[base+int32(ch.label)].check != -1 {
				return false
			}
		}
		return true
	}, int32(children[len(children)-1].label))
	b.nodes[node].base = base
	for _, ch := range children {
		t := base + int32(ch.label)
		b.take(t)
		b.nodes[t].check = node
	}
	for _, ch := range children {
		b.place(base+int32(ch.label), ch.lo, ch.hi, depth+1)
	}
}

// findBase returns the first base >= 1 such that fits(base), trying the free slots in list order for the first
// label. maxLabel is the largest label, so that the array can be grown before fits is called.
func (b *daBuilder) findBase(first byte, fits func(base int32) bool, maxLabel int32) int32 {
	if b.head >= 0 {
		for s := b.head; ; {
			base := s - int32(first)
			if base >= 1 {
				if need := int(base+maxLabel) + 1 - len(b.nodes); need > 0 {
					b.grow(need)
				}
				if fits(base) {
					return base
				}
			}
			if s = b.next[s]; s == b.head {
				break
			}
		}
	}
	base := int32(len(b.nodes)) - int32(first)
	if base < 1 {
		base = 1
	}
	b.grow(int(base+maxLabel) + 1 - len(b.nodes))
	return base
}
