package pretrain

import (
	"errors"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// BatchSource yields training batches for Loop: Next returns the next batch and its number of real tokens;
// Position is the number of batches drawn so far (saved with the state, so that a resumed run skips to it).
type BatchSource interface {
	Next() (HostBatch, int, error)
	Position() int64
}

// LoopOptions are the settings of Loop.
type LoopOptions struct {
	// Last is the step after which Loop returns (> the trainer's Steps).
	Last int
	// RunDir is the run folder SaveState writes into; SaveEvery > 0 saves every SaveEvery steps. The state is
	// always saved after Last and when the run is stopped.
	RunDir    string
	SaveEvery int
	// Stopped, when set, is asked after every step: true ends the run at this step boundary, with the state saved.
	Stopped func() bool
	// OnStep, when set, is called after every step with its metrics, batch and real-token count; an error ends
	// the run (unsaved).
	OnStep func(m Metrics, hb HostBatch, tokens int) error
}

// LoopResult is how a Loop ended: the last step done, whether Stopped ended it, and the checkpoint saved last.
type LoopResult struct {
	Step    int
	Stopped bool
	Saved   string
}

// Loop trains tr on src up to step o.Last: the training loop of `deberta pretrain` and of the notebooks' live
// runs. After each step it calls OnStep, then saves the state (SaveState with src's position) when due, when
// the step is the last, or when Stopped says so; a stopped run returns at once with Stopped set.
func Loop(tr *Trainer, src BatchSource, o LoopOptions) (LoopResult, error) {
	if o.RunDir == "" {
		return LoopResult{}, errors.New("pretrain: Loop needs a run folder (LoopOptions.RunDir)")
	}
	res := LoopResult{Step: tr.Steps()}
	for tr.Steps() < o.Last {
		hb, tokens, err := src.Next()
		if err != nil {
			return res, err
		}
		m, err := tr.Step(hb)
		if err != nil {
			return res, err
		}
		res.Step = m.Step
		if o.OnStep != nil {
			if err := o.OnStep(m, hb, tokens); err != nil {
				return res, err
			}
		}
		res.Stopped = o.Stopped != nil && o.Stopped()
		if (o.SaveEvery > 0 && m.Step%o.SaveEvery == 0) || m.Step == o.Last || res.Stopped {
			if res.Saved, err = tr.SaveState(o.RunDir, src.Position()); err != nil {
				return res, err
			}
		}
		if res.Stopped {
			return res, nil
		}
	}
	return res, nil
}

// SliceSource is a BatchSource over batches built beforehand (e.g. by TextBatches), starting at Start; it fails
// when they run out. The real tokens of a batch are the ones of its Mask.
type SliceSource struct {
	Batches []HostBatch
	Start   int64
	pos     int64
}

// Next implements BatchSource.
func (s *SliceSource) Next() (HostBatch, int, error) {
	i := s.Start + s.pos
	if i >= int64(len(s.Batches)) {
		return HostBatch{}, 0, errors.New("pretrain: SliceSource ran out of batches")
	}
	mask, err := tensors.CopyFlatData[int32](s.Batches[i].Mask)
	if err != nil {
		return HostBatch{}, 0, err
	}
	s.pos++
	tokens := 0
	for _, x := range mask {
		tokens += int(x)
	}
	return s.Batches[i], tokens, nil
}

// Position implements BatchSource.
func (s *SliceSource) Position() int64 { return s.Start + s.pos }
