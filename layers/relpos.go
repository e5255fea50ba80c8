package layers

import "math"

// BucketPosition maps a relative position r = i − j (query minus key) to its log bucket, exactly as DeBERTa's
// make_log_bucket_position (float32 arithmetic, as upstream):
//
//	mid     = bucketSize/2
//	absPos  = (−mid < r < mid) ? mid−1 : |r|
//	logPos  = ceil( log(absPos/mid) / log((maxPosition−1)/mid) · (mid−1) ) + mid
//	bucket  = (absPos <= mid) ? r : sign(r)·logPos
//
// With bucketSize <= 0 there is no bucketing and the bucket is r itself.
func BucketPosition(r, bucketSize, maxPosition int) int {
	if bucketSize <= 0 {
		return r
	}
	mid := bucketSize / 2
	absPos := r
	if absPos < 0 {
		absPos = -absPos
	}
	if r > -mid && r < mid {
		absPos = mid - 1
	}
	if absPos <= mid {
		return r
	}
	logPos := float32(math.Ceil(float64(
		float32(math.Log(float64(float32(absPos)/float32(mid))))/
			float32(math.Log(float64(float32(maxPosition-1)/float32(mid))))*
			float32(mid-1)))) + float32(mid)
	if r < 0 {
		return -int(logPos)
	}
	return int(logPos)
}

// RelativePositions returns the [queryLen, keyLen] table of bucketed relative positions
// bucket(i − j), equal to HF's build_relative_position.
func RelativePositions(queryLen, keyLen, bucketSize, maxPosition int) [][]int {
	out := make([][]int, queryLen)
	for i := range out {
		out[i] = make([]int, keyLen)
		for j := range out[i] {
			out[i][j] = BucketPosition(i-j, bucketSize, maxPosition)
		}
	}
	return out
}

// RelIndex is the row of the relative-embedding table [2·attSpan, d] used for a bucketed relative position:
// clamp(bucket + attSpan, 0, 2·attSpan − 1). The same row serves c2p (query i, key j) and p2c.
func RelIndex(bucket, attSpan int) int {
	idx := bucket + attSpan
	if idx < 0 {
		return 0
	}
	if idx > 2*attSpan-1 {
		return 2*attSpan - 1
	}
	return idx
}

// RelativeRows describes which rows of the relative-embedding table a (queryLen × keyLen) attention reaches.
// Only those rows are projected (2L−1 of 2·attSpan for short sequences, at most 2·attSpan for long ones),
// which saves most of the c2p/p2c work when L is small compared to the bucket count.
type RelativeRows struct {
	// Rows are the distinct table rows reached, ascending: gather them from the table, [len(Rows), d].
	Rows []int
	// Pos[i][j] is the index into Rows of the row used by query i and key j.
	Pos [][]int
}

// ReachableRows computes the relative-embedding rows used by every (query, key) pair.
// Query i and key j are at absolute positions i and j (positions start at 0 for both).
func ReachableRows(queryLen, keyLen, bucketSize, maxPosition, attSpan int) RelativeRows {
	rowOf := make(map[int]int) // distance i-j -> table row
	used := make([]bool, 2*attSpan)
	for d := -(keyLen - 1); d <= queryLen-1; d++ {
		row := RelIndex(BucketPosition(d, bucketSize, maxPosition), attSpan)
		rowOf[d] = row
		used[row] = true
	}
	var rr RelativeRows
	posOfRow := make([]int, 2*attSpan)
	for row, u := range used {
		if u {
			posOfRow[row] = len(rr.Rows)
			rr.Rows = append(rr.Rows, row)
		}
	}
	rr.Pos = make([][]int, queryLen)
	for i := range rr.Pos {
		rr.Pos[i] = make([]int, keyLen)
		for j := range rr.Pos[i] {
			rr.Pos[i][j] = posOfRow[rowOf[i-j]]
		}
	}
	return rr
}
