package tokenizer

// scratch holds the per-call buffers of an encoding; pooled so that steady-state encoding allocates only its
// result.
type scratch struct {
	norm  []byte
	align []int32
	best  []bestPath
	segs  []segment
}

// bestPath is the best segmentation of the normalised text up to (excluding) a byte position: its score, the start
// of its last piece and that piece's id.
type bestPath struct {
	score float32
	start int32 // -1 while no path ends here
	id    int32
}

// segment is one piece of the Viterbi result: an id and its byte range in the normalised text.
type segment struct {
	id         int32
	begin, end int32
}

func (sp *SentencePiece) getScratch() *scratch {
	if s, ok := sp.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

// oneCharLen is sentencepiece's OneCharLen: the length of a UTF-8 sequence judged by its first byte only.
func oneCharLen(b byte) int {
	return int("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x03\x04"[b>>4])
}

// viterbi fills s.segs with the best segmentation of s.norm: sentencepiece's unigram::Model::EncodeOptimized,
// including its arithmetic, so that ties and near-ties resolve identically:
//
//   - For each character start (in order), every vocabulary piece that is a prefix of the rest is a candidate for
//     the path ending where the piece ends. A piece's score is its log-probability; a USER_DEFINED piece scores
//     len(bytes)·max_score − 0.1 (max_score ≥ FLT_MIN, so about −0.1: user-defined symbols always win); UNUSED
//     pieces are never candidates. The candidate is computed in float64 (the C++ expression is double because of the 0.1
//     literal), compared in float64 with the stored float32 path score and stored as float32. The first best
//     candidate wins ties.
//   - When no piece covers exactly the first character, the unknown piece covers it with score min_score − 10,
//     computed in float32.
func (sp *SentencePiece) viterbi(s *scratch) {
	norm := s.norm
	size := len(norm)
	if cap(s.best) < size+1 {
		s.best = make([]bestPath, size+1)
	}
	best := s.best[:size+1]
	for i := range best {
		best[i] = bestPath{start: -1}
	}
	nodes := sp.vocab.nodes
	maxScore, unkScore, unkID := sp.max, sp.unk, sp.unkID
	for start := 0; start < size; {
		till := best[start].score
		mblen := min(oneCharLen(norm[start]), size-start)
		single := false
		node := int32(0)
		for k := start; k < size; k++ {
			t := nodes[node].base + int32(norm[k])
			if uint32(t) >= uint32(len(nodes)) || nodes[t].check != node {
				break
			}
			node = t
			id := nodes[t].value
			if id == noValue {
				continue
			}
			length := k + 1 - start
			score := float64(nodes[t].score)
			if id < 0 { // USER_DEFINED, see userDefinedValue
				id = pieceID(id)
				score = float64(float32(float32(length)*maxScore)) - 0.1
			}
			cand := score + float64(till)
			if tgt := &best[k+1]; tgt.start == -1 || cand > float64(tgt.score) {
				*tgt = bestPath{score: float32(cand), start: int32(start), id: id}
			}
			if length == mblen {
				single = true
			}
		}
		if !single {
			cand := float32(unkScore + till)
			if tgt := &best[start+mblen]; tgt.start == -1 || cand > tgt.score {
				*tgt = bestPath{score: cand, start: int32(start), id: unkID}
			}
		}
		start += mblen
	}
	segs := s.segs[:0]
	for end := size; end > 0; {
		b := best[end]
		segs = append(segs, segment{id: b.id, begin: b.start, end: int32(end)})
		end = int(b.start)
	}
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	s.segs = segs
}
