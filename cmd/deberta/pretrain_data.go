package main

import (
	gocontext "context"
	"errors"
	"io"
	"os"

	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

// batchSource yields masked batches forever: the training split of the corpus, packed into sequences, shuffled
// (seeded per epoch), batched and masked (seeded); it restarts the corpus at its end. position counts the
// batches drawn, so a resumed run can skip to the same place.
type batchSource struct {
	f        *pretrainFlags
	tok      *tokenizer.Tokenizer
	masker   *data.Masker
	batcher  *data.Batcher
	epoch    int
	position int64
	pending  *data.Batch // read ahead by ready
}

func newBatchSource(f *pretrainFlags, tok *tokenizer.Tokenizer) (*batchSource, error) {
	opts := data.DefaultMaskOptions()
	opts.Seed = uint64(f.seed)
	masker, err := data.NewMasker(tok, f.seq, opts)
	if err != nil {
		return nil, err
	}
	return &batchSource{f: f, tok: tok, masker: masker}, nil
}

func (s *batchSource) docs() (data.Docs, error) {
	if len(s.f.corpus) > 0 {
		return data.TextFiles(s.f.corpus, data.TextOptions{Paragraphs: true}), nil
	}
	return data.PretrainDocs(gocontext.Background(), "", os.Stderr)
}

// ready reads the next batch ahead (next returns it), so that a corpus without training sequences fails before
// anything is written.
func (s *batchSource) ready() error {
	if s.pending != nil {
		return nil
	}
	b, err := s.nextBatch()
	s.pending = b
	return err
}

func (s *batchSource) nextBatch() (*data.Batch, error) {
	if b := s.pending; b != nil {
		s.pending = nil
		return b, nil
	}
	for attempt := 0; attempt < 2; attempt++ {
		if s.batcher == nil {
			docs, err := s.docs()
			if err != nil {
				return nil, err
			}
			train := data.Split(docs, data.DefaultValidationFraction, data.DefaultSplitSeed, false)
			seqs := data.Shuffle(data.Pack(s.tok, train, s.f.seq, false), 4096, uint64(s.f.seed)+uint64(s.epoch))
			if s.batcher, err = data.NewBatcher(seqs, s.f.batch, s.f.seq, s.tok.SpecialIDs().Pad, false); err != nil {
				return nil, err
			}
		}
		b, err := s.batcher.Next()
		if err == nil {
			return b, nil
		}
		s.batcher.Close()
		s.batcher = nil
		if !errors.Is(err, io.EOF) {
			return nil, err
		}
		s.epoch++
	}
	return nil, errors.New("the corpus yields no training sequences (too small, or all of it in the validation split)")
}

// Next returns the next masked batch and its number of real tokens (pretrain.BatchSource).
func (s *batchSource) Next() (pretrain.HostBatch, int, error) {
	b, err := s.nextBatch()
	if err != nil {
		return pretrain.HostBatch{}, 0, err
	}
	m, err := s.masker.MaskBatch(b)
	if err != nil {
		return pretrain.HostBatch{}, 0, err
	}
	s.position++
	tokens := 0
	for _, x := range b.Mask {
		tokens += int(x)
	}
	return pretrain.NewTextBatch(b, m, s.tok.SpecialIDs()), tokens, nil
}

// Position is the number of batches drawn (pretrain.BatchSource).
func (s *batchSource) Position() int64 { return s.position }

// skip draws n batches (masking them too, to advance the masker's generator as the original run did).
func (s *batchSource) skip(n int64) error {
	for range n {
		if _, _, err := s.Next(); err != nil {
			return err
		}
	}
	return nil
}

func (s *batchSource) close() {
	if s.batcher != nil {
		s.batcher.Close()
	}
}
