package data

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"

	"github.com/deberta-go/lab/tokenizer"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Sequences is a stream of packed token sequences, each a fresh []int32 of the packing length.
type Sequences = iter.Seq2[[]int32, error]

// Pack tokenises documents with the SentencePiece model of tok (raw text: "[MASK]" in a text is not special)
// and packs them into sequences of exactly seqLen ids `[CLS] t1 … t(seqLen-2) [SEP]`, as in the official
// pre-training data: documents are concatenated, each followed by [SEP], and the stream is cut into windows
// of seqLen-2 tokens regardless of document boundaries (a window never starts with the separator [SEP]). The
// last, shorter window is padded with [PAD] unless dropLast. Memory holds one document's ids at a time.
func Pack(tok *tokenizer.Tokenizer, docs Docs, seqLen int, dropLast bool) Sequences {
	return func(yield func([]int32, error) bool) {
		if seqLen < 3 {
			yield(nil, fmt.Errorf("data: Pack: sequence length %d must be at least 3", seqLen))
			return
		}
		sp, sid := tok.SentencePiece(), tok.SpecialIDs()
		body := seqLen - 2
		buf := make([]int32, 0, 2*body)
		emit := func(content []int32) bool {
			seq := make([]int32, seqLen)
			seq[0] = sid.CLS
			n := copy(seq[1:], content)
			seq[1+n] = sid.SEP
			for i := 2 + n; i < seqLen; i++ {
				seq[i] = sid.Pad
			}
			return yield(seq, nil)
		}
		for doc, err := range docs {
			if err != nil {
				yield(nil, err)
				return
			}
			ids := sp.EncodeIDs(doc.Text)
			if len(ids) == 0 {
				continue
			}
			ids = append(ids, sid.SEP)
			for len(ids) > 0 {
				if len(buf) == 0 && ids[0] == sid.SEP {
					ids = ids[1:]
					continue
				}
				k := min(body-len(buf), len(ids))
				buf = append(buf, ids[:k]...)
				ids = ids[k:]
				if len(buf) == body {
					if !emit(buf) {
						return
					}
					buf = buf[:0]
				}
			}
		}
		if len(buf) > 0 && !dropLast {
			if buf[len(buf)-1] == sid.SEP { // the closing [SEP] is added by emit
				buf = buf[:len(buf)-1]
			}
			emit(buf)
		}
	}
}

// IsValidation reports whether the document with this ID belongs to the validation split: the first 8 bytes of
// sha256(seed as 8 little-endian bytes ‖ id), as a big-endian number mapped to [0, 1), are below fraction. The split is by document, stable across runs and
// independent of the order of documents.
func IsValidation(id string, fraction float64, seed uint64) bool {
	h := sha256.New()
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	h.Write(s[:])
	h.Write([]byte(id))
	u := binary.BigEndian.Uint64(h.Sum(nil)[:8])
	return float64(u>>11)/(1<<53) < fraction
}

// Split keeps the documents of one split: validation=true keeps those for which IsValidation holds.
func Split(docs Docs, fraction float64, seed uint64, validation bool) Docs {
	return func(yield func(Document, error) bool) {
		for d, err := range docs {
			if err != nil {
				yield(d, err)
				return
			}
			if IsValidation(d.ID, fraction, seed) == validation && !yield(d, nil) {
				return
			}
		}
	}
}

// Shuffle shuffles a stream with a buffer of bufferSize items (memory bound), deterministically for a seed: the
// buffer is filled, then each new item replaces a uniformly drawn buffered item that is yielded; at the end the
// buffer is yielded in random order. bufferSize ≥ the stream's length gives a uniform permutation.
func Shuffle[T any](seq iter.Seq2[T, error], bufferSize int, seed uint64) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		rng := rand.New(rand.NewPCG(seed, 0x5eed5eed5eed5eed))
		bufferSize = max(bufferSize, 1)
		buf := make([]T, 0, bufferSize)
		for x, err := range seq {
			if err != nil {
				yield(x, err)
				return
			}
			if len(buf) < bufferSize {
				buf = append(buf, x)
				continue
			}
			i := rng.IntN(len(buf))
			out := buf[i]
			buf[i] = x
			if !yield(out, nil) {
				return
			}
		}
		rng.Shuffle(len(buf), func(i, j int) { buf[i], buf[j] = buf[j], buf[i] })
		for _, x := range buf {
			if !yield(x, nil) {
				return
			}
		}
	}
}

// Batch is a [Size, SeqLen] batch of packed sequences, row-major on the host.
type Batch struct {
	Size, SeqLen int
	// Rows is the number of real rows; rows Rows..Size-1 of a last, partial batch are all [PAD] with mask 0.
	Rows int
	IDs  []int32 // token ids
	Mask []int32 // attention mask: 1 for tokens, 0 for [PAD]
}

// Tensors returns the ids and the attention mask as int32 tensors of shape [Size, SeqLen].
func (b *Batch) Tensors() (ids, mask *tensors.Tensor) {
	return tensors.FromFlatDataAndDimensions(b.IDs, b.Size, b.SeqLen),
		tensors.FromFlatDataAndDimensions(b.Mask, b.Size, b.SeqLen)
}

// Batcher groups a stream of packed sequences into batches of a static shape.
type Batcher struct {
	next             func() ([]int32, error, bool)
	stop             func()
	size, seqLen     int
	pad              int32
	dropLast, closed bool
}

// NewBatcher makes batches of batchSize sequences of length seqLen from seqs. With dropLast a last partial batch
// is dropped, else it is filled with [PAD] rows (Batch.Rows tells how many are real). Call Close when done
// before the end.
func NewBatcher(seqs Sequences, batchSize, seqLen int, pad int32, dropLast bool) (*Batcher, error) {
	if batchSize <= 0 || seqLen <= 0 {
		return nil, fmt.Errorf("data: NewBatcher: batch size %d and sequence length %d must be positive",
			batchSize, seqLen)
	}
	next, stop := iter.Pull2(seqs)
	return &Batcher{next: next, stop: stop, size: batchSize, seqLen: seqLen, pad: pad, dropLast: dropLast}, nil
}

// Next returns the next batch, or io.EOF after the last one.
func (b *Batcher) Next() (*Batch, error) {
	if b.closed {
		return nil, io.EOF
	}
	batch := &Batch{Size: b.size, SeqLen: b.seqLen, IDs: make([]int32, b.size*b.seqLen),
		Mask: make([]int32, b.size*b.seqLen)}
	for batch.Rows < b.size {
		seq, err, ok := b.next()
		if !ok {
			break
		}
		if err != nil {
			b.Close()
			return nil, err
		}
		if len(seq) != b.seqLen {
			b.Close()
			return nil, fmt.Errorf("data: Batcher: sequence of length %d, want %d", len(seq), b.seqLen)
		}
		copy(batch.IDs[batch.Rows*b.seqLen:], seq)
		batch.Rows++
	}
	if batch.Rows == 0 || (batch.Rows < b.size && b.dropLast) {
		b.Close()
		return nil, io.EOF
	}
	for i, id := range batch.IDs {
		if i >= batch.Rows*b.seqLen {
			batch.IDs[i] = b.pad
		} else if id != b.pad {
			batch.Mask[i] = 1
		}
	}
	return batch, nil
}

// Close stops the underlying stream; Next then returns io.EOF.
func (b *Batcher) Close() {
	if !b.closed {
		b.closed = true
		b.stop()
	}
}
