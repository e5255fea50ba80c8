package pretrain

import (
	"strings"
	"testing"
)

func TestLoopNeedsRunDir(t *testing.T) {
	if _, err := Loop(nil, &SliceSource{}, LoopOptions{Last: 1}); err == nil || !strings.Contains(err.Error(), "RunDir") {
		t.Errorf("Loop without a run folder: %v", err)
	}
}

func TestSliceSource(t *testing.T) {
	b := NewHostBatch([][]int32{{5, 6, 0}}, [][]int32{{5, 6, 0}}, [][]int32{{1}}, [][]float32{{1}}, [][]int32{{1, 1, 0}})
	s := &SliceSource{Batches: []HostBatch{b, b}, Start: 1}
	if _, tokens, err := s.Next(); err != nil || tokens != 2 || s.Position() != 2 {
		t.Fatalf("Next: %d tokens, position %d, %v; want 2 tokens, position 2", tokens, s.Position(), err)
	}
	if _, _, err := s.Next(); err == nil {
		t.Error("Next after the last batch succeeded")
	}
}
