package layers

import (
	"testing"

	"github.com/deberta-go/lab/internal/npy"
	"github.com/deberta-go/lab/internal/testutil"
)

// TestRelativePositionsMatchFixtures compares the bucket tables with upstream build_relative_position.
func TestRelativePositionsMatchFixtures(t *testing.T) {
	cases := []struct {
		fixture        string
		buckets, maxPs int
	}{
		{"tiny-v3", 16, 128},
		{"tiny-v3-long", 32, 512}, // length 300: far positions are log-bucketed.
		{"tiny-v2-style", -1, 64},
		{"official-tiny", 16, 128},
	}
	for _, c := range cases {
		golden, err := npy.Read(testutil.Fixture(c.fixture, "golden", "relative_pos.npy"))
		if err != nil {
			t.Fatal(err)
		}
		q, k := golden.Shape[0], golden.Shape[1]
		got := RelativePositions(q, k, c.buckets, c.maxPs)
		mismatches := 0
		for i := range q {
			for j := range k {
				if int64(got[i][j]) != golden.I64[i*k+j] {
					mismatches++
				}
			}
		}
		if mismatches > 0 {
			t.Errorf("%s: %d of %d relative positions differ from upstream", c.fixture, mismatches, q*k)
		}
	}
}

func TestBucketPositionProperties(t *testing.T) {
	for _, c := range []struct{ buckets, maxPos int }{{256, 512}, {32, 512}, {16, 128}} {
		mid := c.buckets / 2
		prev := BucketPosition(0, c.buckets, c.maxPos)
		for r := 1; r < 2*c.maxPos; r++ {
			b := BucketPosition(r, c.buckets, c.maxPos)
			if r <= mid && b != r {
				t.Errorf("buckets %d: bucket(%d) = %d, want identity near 0", c.buckets, r, b)
			}
			if b < prev {
				t.Errorf("buckets %d: bucket not monotone at %d", c.buckets, r)
			}
			if neg := BucketPosition(-r, c.buckets, c.maxPos); neg != -b {
				t.Errorf("buckets %d: bucket(-%d) = %d, want %d", c.buckets, r, neg, -b)
			}
			prev = b
		}
	}
	if got := BucketPosition(-7, 0, 512); got != -7 {
		t.Errorf("no buckets: bucket(-7) = %d", got)
	}
}

// TestReachableRows checks the trimmed row set reproduces RelIndex for every pair and is minimal.
func TestReachableRows(t *testing.T) {
	for _, c := range []struct{ q, k, buckets, maxPos, span int }{
		{128, 128, 256, 512, 256}, {300, 300, 32, 512, 32}, {16, 16, -1, 64, 64}, {5, 9, 16, 128, 16}, {100, 100, -1, 32, 32},
	} {
		rr := ReachableRows(c.q, c.k, c.buckets, c.maxPos, c.span)
		seen := map[int]bool{}
		for i := range c.q {
			for j := range c.k {
				want := RelIndex(BucketPosition(i-j, c.buckets, c.maxPos), c.span)
				if got := rr.Rows[rr.Pos[i][j]]; got != want {
					t.Fatalf("%+v: row(%d,%d) = %d, want %d", c, i, j, got, want)
				}
				seen[want] = true
			}
		}
		if len(seen) != len(rr.Rows) || len(rr.Rows) > 2*c.span || len(rr.Rows) > c.q+c.k-1 {
			t.Errorf("%+v: %d rows, %d used", c, len(rr.Rows), len(seen))
		}
	}
}
