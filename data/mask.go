package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/deberta-go/lab/tokenizer"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// MaskOptions configures Masker. The zero value is not valid: start from DefaultMaskOptions.
type MaskOptions struct {
	// Rate is the fraction of non-special tokens masked (0.15).
	Rate float64
	// Slots is the static number of masked positions per sequence; 0 means round(Rate·seqLen).
	Slots int
	// BERT replaces a selected token by [MASK] 80%, a random token 10% and keeps it 10% of the time; false
	// (official RTD) always uses [MASK].
	BERT bool
	// Windowed places one masked position in each of k equal windows of the maskable positions (k = number to
	// mask, windows of about 1/Rate ≈ 6-7 tokens), as the official code; false draws the positions uniformly.
	Windowed bool
	// Seed seeds the PCG generator: the same seed and inputs give the same masks.
	Seed uint64
}

// DefaultMaskOptions is the official RTD setting: 15%, always [MASK], uniform positions.
func DefaultMaskOptions() MaskOptions { return MaskOptions{Rate: 0.15, Seed: 1} }

// Masker draws ELECTRA-style masks of a static shape. It is not safe for concurrent use (it owns its generator).
type Masker struct {
	opts     MaskOptions
	seqLen   int
	slots    int
	special  map[int32]bool
	mask     int32
	pad      int32
	vocab    int32 // random replacements are drawn in [0, vocab) minus special ids
	rng      *rand.Rand
	cand     []int
	selected []int
}

// NewMasker makes a Masker for sequences of length seqLen from the special ids of tok; random replacements of
// the BERT variant are drawn among the SentencePiece pieces that are not special tokens.
func NewMasker(tok *tokenizer.Tokenizer, seqLen int, opts MaskOptions) (*Masker, error) {
	return newMasker(tok.SpecialIDs(), int32(tok.SentencePiece().NumPieces()), seqLen, opts)
}

func newMasker(sid tokenizer.SpecialIDs, vocab int32, seqLen int, opts MaskOptions) (*Masker, error) {
	if opts.Rate <= 0 || opts.Rate > 1 {
		return nil, fmt.Errorf("data: mask rate %g must be in (0, 1]", opts.Rate)
	}
	if seqLen <= 0 {
		return nil, fmt.Errorf("data: sequence length %d must be positive", seqLen)
	}
	slots := opts.Slots
	if slots == 0 {
		slots = max(1, int(math.Round(opts.Rate*float64(seqLen))))
	}
	if slots < 0 || slots > seqLen {
		return nil, fmt.Errorf("data: %d mask slots for sequences of length %d", slots, seqLen)
	}
	special := map[int32]bool{sid.CLS: true, sid.SEP: true, sid.Pad: true, sid.Mask: true}
	return &Masker{opts: opts, seqLen: seqLen, slots: slots, special: special, mask: sid.Mask, pad: sid.Pad,
		vocab: vocab, rng: rand.New(rand.NewPCG(opts.Seed, 0x6d61736b))}, nil
}

// Slots returns the number of masked positions per sequence (the static second dimension of the outputs).
func (m *Masker) Slots() int { return m.slots }

// Masked is the masked batch, row-major on the host.
type Masked struct {
	Size, SeqLen, Slots int
	IDs                 []int32   // [Size, SeqLen] the input with the selected tokens replaced
	Positions           []int32   // [Size, Slots] selected positions, ascending; unused slots point at 0
	Labels              []int32   // [Size, Slots] the original ids at Positions ([PAD] in unused slots)
	Weights             []float32 // [Size, Slots] 1 for a used slot, 0 for an unused one
}

// Tensors returns ids [Size, SeqLen], positions, labels [Size, Slots] (int32) and weights [Size, Slots]
// (float32).
func (x *Masked) Tensors() (ids, positions, labels, weights *tensors.Tensor) {
	return tensors.FromFlatDataAndDimensions(x.IDs, x.Size, x.SeqLen),
		tensors.FromFlatDataAndDimensions(x.Positions, x.Size, x.Slots),
		tensors.FromFlatDataAndDimensions(x.Labels, x.Size, x.Slots),
		tensors.FromFlatDataAndDimensions(x.Weights, x.Size, x.Slots)
}

// MaskBatch masks a batch.
func (m *Masker) MaskBatch(b *Batch) (*Masked, error) { return m.Mask(b.IDs, b.Size) }

// Mask masks size sequences of the masker's length stored row-major in ids (not modified). In each sequence
// the maskable positions are the tokens other than [CLS], [SEP], [PAD] and [MASK] ([UNK] is maskable); of n
// such positions k = min(Slots, max(1, round(Rate·n))) are selected (none if n = 0).
func (m *Masker) Mask(ids []int32, size int) (*Masked, error) {
	if len(ids) != size*m.seqLen {
		return nil, fmt.Errorf("data: Mask: %d ids for %d sequences of length %d", len(ids), size, m.seqLen)
	}
	out := &Masked{Size: size, SeqLen: m.seqLen, Slots: m.slots, IDs: slices.Clone(ids),
		Positions: make([]int32, size*m.slots), Labels: make([]int32, size*m.slots),
		Weights: make([]float32, size*m.slots)}
	for r := range size {
		row := out.IDs[r*m.seqLen : (r+1)*m.seqLen]
		sel := m.selectPositions(row)
		for j, p := range sel {
			s := r*m.slots + j
			out.Positions[s] = int32(p)
			out.Labels[s] = row[p]
			out.Weights[s] = 1
			row[p] = m.replacement(row[p])
		}
		for j := len(sel); j < m.slots; j++ {
			out.Labels[r*m.slots+j] = m.pad
		}
	}
	return out, nil
}

// selectPositions returns the positions to mask in one sequence, ascending.
func (m *Masker) selectPositions(row []int32) []int {
	m.cand = m.cand[:0]
	for i, id := range row {
		if !m.special[id] {
			m.cand = append(m.cand, i)
		}
	}
	n := len(m.cand)
	if n == 0 {
		return nil
	}
	k := min(m.slots, max(1, int(math.Round(m.opts.Rate*float64(n)))))
	m.selected = m.selected[:0]
	if m.opts.Windowed {
		for j := range k {
			lo, hi := j*n/k, (j+1)*n/k
			m.selected = append(m.selected, m.cand[lo+m.rng.IntN(hi-lo)])
		}
		return m.selected
	}
	for j := range k { // partial Fisher-Yates
		i := j + m.rng.IntN(n-j)
		m.cand[j], m.cand[i] = m.cand[i], m.cand[j]
	}
	m.selected = append(m.selected, m.cand[:k]...)
	slices.Sort(m.selected)
	return m.selected
}

// replacement returns what replaces a selected token.
func (m *Masker) replacement(id int32) int32 {
	if !m.opts.BERT {
		return m.mask
	}
	switch u := m.rng.Float64(); {
	case u < 0.8:
		return m.mask
	case u < 0.9:
		for {
			r := m.rng.Int32N(m.vocab)
			if !m.special[r] {
				return r
			}
		}
	default:
		return id
	}
}
