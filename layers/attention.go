package layers

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// AttentionConfig holds the architecture knobs of DeBERTa's disentangled self-attention.
type AttentionConfig struct {
	HiddenSize, NumHeads int
	// C2P and P2C select the position terms (config pos_att_type).
	C2P, P2C bool
	// RelativeAttention disables all position terms when false (plain scaled dot-product attention).
	RelativeAttention bool
	// ShareAttKey: position keys/queries reuse key_proj/query_proj (v3); otherwise pos_key_proj/pos_query_proj.
	ShareAttKey bool
	// PositionBuckets (<= 0: none), MaxRelativePositions (effective, > 0) and AttSpan (half the number of
	// rows of the relative-embedding table) define the relative-position indexing (see RelIndex).
	PositionBuckets, MaxRelativePositions, AttSpan int
	// AttentionDropout applies to the probabilities, PosDropout (hidden_dropout_prob) to the relative embeddings.
	AttentionDropout, PosDropout, InitStd float64
}

// ScaleFactor is 1 + #position terms: scores are scaled by 1/sqrt(headDim·ScaleFactor) (paper eq. 4 and HF).
func (c AttentionConfig) ScaleFactor() int {
	f := 1
	if c.RelativeAttention && c.C2P {
		f++
	}
	if c.RelativeAttention && c.P2C {
		f++
	}
	return f
}

// AttentionOutput is what DisentangledSelfAttention returns. Score-shaped nodes are head-major,
// [heads, batch, q, k] (the natural output layout of the batched matmuls, which saves a transpose per term);
// HeadMajorToHF converts them to HF's [batch, heads, q, k].
type AttentionOutput struct {
	// Context is the attended values, heads concatenated: [batch, queryLen, hidden].
	Context *Node
	// Probs are the attention probabilities (after the masked softmax, before dropout): [heads, batch, q, k].
	Probs *Node
	// C2C, C2P, P2C are the scaled score terms [heads, batch, q, k] (nil when the term is not used); their sum,
	// masked, is the softmax input.
	C2C, C2P, P2C *Node
}

// HeadMajorToHF transposes a [heads, batch, q, k] node to HF's [batch, heads, q, k] (nil stays nil).
func HeadMajorToHF(x *Node) *Node {
	if x == nil {
		return nil
	}
	return TransposeAllAxes(x, 1, 0, 2, 3)
}

// DisentangledSelfAttention is DeBERTa's attention (paper §3.1, eq. 2–4; HF DisentangledSelfAttention):
//
//	A[i,j] = s·( Q_i·K_j  +  Q_i·Kr[idx(i,j)]  +  K_j·Qr[idx(i,j)] ),   s = 1/sqrt(d_h·ScaleFactor)
//
// with Q, K, V projections of query / hidden ("query_proj", "key_proj", "value_proj"), Kr, Qr the projections
// of the relative embeddings (the same Linear layers when ShareAttKey, else "pos_key_proj", "pos_query_proj")
// and idx(i,j) = RelIndex(bucket(i−j)). Only the relative rows the sequence reaches are projected.
//
// hidden: [batch, keyLen, hidden] (keys and values); query: [batch, queryLen, hidden] or nil (= hidden; the
// Enhanced Mask Decoder passes other query states); mask: [batch, keyLen], 1 for real tokens; the pairwise
// mask mask_i·mask_j (queryLen == keyLen) or mask_j is applied with the dtype's lowest value before a float32
// softmax. rel: the (already layer-normed) relative embeddings [2·AttSpan, hidden], or nil when
// !RelativeAttention.
func DisentangledSelfAttention(ctx *context.Context, cfg AttentionConfig, hidden, query, mask, rel *Node) AttentionOutput {
	if query == nil {
		query = hidden
	}
	g := hidden.Graph()
	batch, keyLen, d := hidden.Shape().Dimensions[0], hidden.Shape().Dimensions[1], hidden.Shape().Dimensions[2]
	queryLen := query.Shape().Dimensions[1]
	heads := cfg.NumHeads
	if d != cfg.HiddenSize || d%heads != 0 {
		panic(fmt.Sprintf("DisentangledSelfAttention: hidden %s does not match hidden_size %d / %d heads", hidden.Shape(), cfg.HiddenSize, heads))
	}
	headDim := d / heads
	scale := 1 / math.Sqrt(float64(headDim*cfg.ScaleFactor()))
	split := func(x *Node) *Node { // [b, l, d] -> [b, l, heads, headDim]
		return Reshape(x, x.Shape().Dimensions[0], x.Shape().Dimensions[1], heads, headDim)
	}
	q := MulScalar(split(Linear(ctx.In("query_proj"), query, d, true, cfg.InitStd)), scale)
	k := split(Linear(ctx.In("key_proj"), hidden, d, true, cfg.InitStd))
	v := split(Linear(ctx.In("value_proj"), hidden, d, true, cfg.InitStd))

	var out AttentionOutput
	// Batched over (heads, batch), contracting headDim: [heads, batch, q, k].
	out.C2C = DotGeneral(q, []int{3}, []int{2, 0}, k, []int{3}, []int{2, 0})
	scores := out.C2C
	if cfg.RelativeAttention && (cfg.C2P || cfg.P2C) {
		out.C2P, out.P2C = relativeScores(ctx, cfg, q, k, rel, queryLen, keyLen, scale)
		for _, s := range []*Node{out.C2P, out.P2C} {
			if s != nil {
				scores = Add(scores, s)
			}
		}
	}
	pair := pairMask(mask, queryLen) // [1, b, q, k] bool
	scores = Where(BroadcastToDims(pair, heads, batch, queryLen, keyLen), scores, Scalar(g, scores.DType(), lowest(scores.DType())))
	out.Probs = Softmax(scores, -1)
	probs := Dropout(ctx, out.Probs, cfg.AttentionDropout)
	ctxt := DotGeneral(probs, []int{3}, []int{0, 1}, v, []int{1}, []int{2, 0}) // [heads, batch, q, headDim]
	out.Context = Reshape(TransposeAllAxes(ctxt, 1, 2, 0, 3), batch, queryLen, d)
	return out
}

// relativeScores returns the scaled c2p and p2c terms [heads, batch, q, k] (nil for a term not configured).
// q is already scaled by s; k is not.
func relativeScores(ctx *context.Context, cfg AttentionConfig, q, k, rel *Node, queryLen, keyLen int, scale float64) (c2p, p2c *Node) {
	g := q.Graph()
	d := cfg.HiddenSize
	heads, headDim := cfg.NumHeads, d/cfg.NumHeads
	rr := ReachableRows(queryLen, keyLen, cfg.PositionBuckets, cfg.MaxRelativePositions, cfg.AttSpan)
	rows := make([]int32, len(rr.Rows))
	for i, r := range rr.Rows {
		rows[i] = int32(r)
	}
	numRows := len(rows)
	relRows := Gather(rel, Reshape(Const(g, rows), numRows, 1)) // [U, d]
	relRows = Dropout(ctx, relRows, cfg.PosDropout)
	project := func(shared, separate string) *Node {
		name := shared
		if !cfg.ShareAttKey {
			name = separate
		}
		return Reshape(Linear(ctx.In(name), relRows, d, true, cfg.InitStd), numRows, heads, headDim)
	}
	if cfg.C2P {
		kr := project("key_proj", "pos_key_proj")
		full := DotGeneral(q, []int{3}, []int{2}, kr, []int{2}, []int{1}) // [heads, b, q, U]: c2p for every reachable row
		c2p = gatherRelative(full, rr.Pos, func(i, j int) int { return i })
	}
	if cfg.P2C {
		qr := MulScalar(project("query_proj", "pos_query_proj"), scale)
		full := DotGeneral(k, []int{3}, []int{2}, qr, []int{2}, []int{1}) // [heads, b, k, U]: p2c for every reachable row
		p2c = gatherRelative(full, rr.Pos, func(i, j int) int { return j })
	}
	return c2p, p2c
}

// gatherRelative picks, for every (query i, key j), the score full[·, ·, owner(i,j), pos[i][j]] where full is
// [heads, batch, n, U] and owner is i (c2p) or j (p2c), and returns it as [heads, batch, q, k]: one strided gather
// straight from the matmul's output layout, no transposes.
func gatherRelative(full *Node, pos [][]int, owner func(i, j int) int) *Node {
	dims := full.Shape().Dimensions
	heads, batch, n, numRows := dims[0], dims[1], dims[2], dims[3]
	queryLen, keyLen := len(pos), len(pos[0])
	idx := make([]int32, 0, queryLen*keyLen)
	for i := range queryLen {
		for j := range keyLen {
			idx = append(idx, int32(owner(i, j)*numRows+pos[i][j]))
		}
	}
	flat := Reshape(full, heads*batch, n*numRows)
	indices := Reshape(Const(full.Graph(), idx), queryLen, keyLen, 1)
	// Slices of [heads·batch, 1] at column idx(i,j); the slice axis goes first in the output: [heads·batch, q, k].
	picked := BackendGather(flat, indices, 2, []int{0}, []int{1}, []int{1}, []int{heads * batch, 1}, false)
	return Reshape(picked, heads, batch, queryLen, keyLen)
}

// pairMask turns a [batch, keyLen] mask into the boolean [1, batch, queryLen, keyLen] attention mask:
// mask_i·mask_j for self-attention (queryLen == keyLen), mask_j otherwise.
func pairMask(mask *Node, queryLen int) *Node {
	m := GreaterThan(ConvertDType(mask, dtypes.Float32), ScalarZero(mask.Graph(), dtypes.Float32)) // [b, k]
	batch, keyLen := m.Shape().Dimensions[0], m.Shape().Dimensions[1]
	keys := BroadcastToDims(Reshape(m, 1, batch, 1, keyLen), 1, batch, queryLen, keyLen)
	if queryLen != keyLen {
		return keys
	}
	queries := BroadcastToDims(Reshape(m, 1, batch, queryLen, 1), 1, batch, queryLen, keyLen)
	return LogicalAnd(keys, queries)
}

// lowest is the most negative finite value of a float dtype (torch.finfo(dtype).min), used for masked scores.
func lowest(dt dtypes.DType) float64 {
	switch dt {
	case dtypes.Float64:
		return -math.MaxFloat64
	case dtypes.Float16:
		return -65504
	case dtypes.BFloat16:
		return -3.3895313892515355e38
	}
	return -math.MaxFloat32
}
