package data

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/deberta-go/lab/tokenizer"
)

var testSpecial = tokenizer.SpecialIDs{Pad: 0, CLS: 1, SEP: 2, Unk: 3, Mask: 1000}

// randomBatch returns size packed-like rows: [CLS] tokens [SEP] [PAD]..., with a random number of real tokens
// (at least minReal) and an inner [SEP] now and then.
func randomBatch(size, seqLen, minReal int, seed uint64) []int32 {
	rng := rand.New(rand.NewPCG(seed, 7))
	ids := make([]int32, size*seqLen)
	for r := range size {
		row := ids[r*seqLen : (r+1)*seqLen]
		n := minReal + rng.IntN(seqLen-2-minReal+1)
		row[0] = testSpecial.CLS
		for i := 1; i <= n; i++ {
			row[i] = 4 + rng.Int32N(996)
			if rng.IntN(40) == 0 {
				row[i] = testSpecial.SEP
			}
		}
		row[n+1] = testSpecial.SEP
	}
	return ids
}

func maskable(id int32) bool {
	return id != testSpecial.CLS && id != testSpecial.SEP && id != testSpecial.Pad && id != testSpecial.Mask
}

// checkMasked verifies the invariants every mask must satisfy and returns (masked, maskable) counts.
func checkMasked(t *testing.T, m *Masker, ids []int32, x *Masked) (nMasked, nMaskable int) {
	t.Helper()
	L, S := x.SeqLen, x.Slots
	for r := range x.Size {
		orig, got := ids[r*L:(r+1)*L], x.IDs[r*L:(r+1)*L]
		n := 0
		for _, id := range orig {
			if maskable(id) {
				n++
			}
		}
		nMaskable += n
		want := 0
		if n > 0 {
			want = min(S, max(1, int(math.Round(m.opts.Rate*float64(n)))))
		}
		used := map[int32]bool{}
		prev := int32(-1)
		for j := range S {
			s := r*S + j
			p, w := x.Positions[s], x.Weights[s]
			if j >= want {
				if w != 0 || p != 0 || x.Labels[s] != testSpecial.Pad {
					t.Fatalf("row %d slot %d unused but weight %g position %d label %d", r, j, w, p, x.Labels[s])
				}
				continue
			}
			if w != 1 {
				t.Fatalf("row %d slot %d: weight %g, want 1", r, j, w)
			}
			if p <= prev || used[p] {
				t.Fatalf("row %d: positions not strictly ascending: %v", r, x.Positions[r*S:(r+1)*S])
			}
			prev, used[p] = p, true
			if !maskable(orig[p]) {
				t.Fatalf("row %d: special token %d at %d selected", r, orig[p], p)
			}
			if x.Labels[s] != orig[p] {
				t.Fatalf("row %d: label %d, original %d", r, x.Labels[s], orig[p])
			}
			nMasked++
		}
		for i := range L {
			if !used[int32(i)] && got[i] != orig[i] {
				t.Fatalf("row %d: unselected position %d changed %d → %d", r, i, orig[i], got[i])
			}
			if !m.opts.BERT && used[int32(i)] && got[i] != testSpecial.Mask {
				t.Fatalf("row %d: selected position %d is %d, not [MASK]", r, i, got[i])
			}
		}
	}
	return nMasked, nMaskable
}

func TestMaskRateAndInvariants(t *testing.T) {
	for _, windowed := range []bool{false, true} {
		const size, L = 400, 128
		m, err := newMasker(testSpecial, 1000, L, MaskOptions{Rate: 0.15, Windowed: windowed, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if m.Slots() != 19 {
			t.Fatalf("slots = %d, want round(0.15·128) = 19", m.Slots())
		}
		ids := randomBatch(size, L, 1, 11)
		x, err := m.Mask(ids, size)
		if err != nil {
			t.Fatal(err)
		}
		nm, n := checkMasked(t, m, ids, x)
		if rate := float64(nm) / float64(n); math.Abs(rate-0.15) > 0.01 {
			t.Errorf("windowed=%v: masked %.4f of maskable tokens, want 0.15", windowed, rate)
		}
	}
}

func TestMaskNoMaskableTokens(t *testing.T) {
	m, _ := newMasker(testSpecial, 1000, 8, DefaultMaskOptions())
	ids := []int32{1, 2, 0, 0, 0, 0, 0, 0}
	x, err := m.Mask(ids, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x.IDs, ids) || slices.ContainsFunc(x.Weights, func(w float32) bool { return w != 0 }) {
		t.Errorf("masked %v weights %v", x.IDs, x.Weights)
	}
	if _, err := m.Mask(ids[:7], 1); err == nil {
		t.Error("no error for a wrong length")
	}
}

func TestMaskDeterministic(t *testing.T) {
	ids := randomBatch(16, 64, 10, 5)
	run := func(seed uint64) *Masked {
		m, _ := newMasker(testSpecial, 1000, 64, MaskOptions{Rate: 0.15, BERT: true, Seed: seed})
		x, err := m.Mask(ids, 16)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b, c := run(42), run(42), run(43)
	if !slices.Equal(a.IDs, b.IDs) || !slices.Equal(a.Positions, b.Positions) {
		t.Error("same seed, different masks")
	}
	if slices.Equal(a.Positions, c.Positions) {
		t.Error("different seeds, same positions")
	}
}

func TestMaskBERTProportions(t *testing.T) {
	const size, L = 500, 128
	m, _ := newMasker(testSpecial, 1000, L, MaskOptions{Rate: 0.15, BERT: true, Seed: 9})
	ids := randomBatch(size, L, 100, 13)
	x, err := m.Mask(ids, size)
	if err != nil {
		t.Fatal(err)
	}
	checkMasked(t, m, ids, x)
	var nMask, nKeep, nRand, total int
	for s, w := range x.Weights {
		if w == 0 {
			continue
		}
		total++
		r := s / x.Slots
		got := x.IDs[r*L+int(x.Positions[s])]
		switch {
		case got == testSpecial.Mask:
			nMask++
		case got == x.Labels[s]:
			nKeep++ // a random draw equal to the original also lands here (p ≈ 1/1000)
		default:
			nRand++
			if !maskable(got) {
				t.Fatalf("random replacement %d is special", got)
			}
		}
	}
	for _, c := range []struct {
		name string
		n    int
		want float64
	}{{"mask", nMask, 0.8}, {"random", nRand, 0.1}, {"keep", nKeep, 0.1}} {
		if f := float64(c.n) / float64(total); math.Abs(f-c.want) > 0.02 {
			t.Errorf("%s: %.3f of %d, want %.2f", c.name, f, total, c.want)
		}
	}
}

func TestMaskWindowedOnePerWindow(t *testing.T) {
	const size, L = 200, 96
	m, _ := newMasker(testSpecial, 1000, L, MaskOptions{Rate: 0.15, Windowed: true, Seed: 4})
	ids := randomBatch(size, L, 1, 17)
	x, err := m.Mask(ids, size)
	if err != nil {
		t.Fatal(err)
	}
	for r := range size {
		var cand []int
		for i, id := range ids[r*L : (r+1)*L] {
			if maskable(id) {
				cand = append(cand, i)
			}
		}
		n := len(cand)
		k := 0
		for j := range x.Slots {
			if x.Weights[r*x.Slots+j] == 1 {
				k++
			}
		}
		perWindow := make([]int, k)
		for j := range k {
			p := int(x.Positions[r*x.Slots+j])
			idx := slices.Index(cand, p)
			w := 0
			for w+1 < k && (w+1)*n/k <= idx {
				w++
			}
			perWindow[w]++
		}
		for w, c := range perWindow {
			if c != 1 {
				t.Fatalf("row %d: window %d of %d has %d masks", r, w, k, c)
			}
		}
	}
}

func TestMaskOptionsErrors(t *testing.T) {
	for _, o := range []MaskOptions{{Rate: 0}, {Rate: 1.5}, {Rate: 0.15, Slots: 100}} {
		if _, err := newMasker(testSpecial, 1000, 10, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
