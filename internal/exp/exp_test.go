package exp

import (
	"fmt"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func rnd(dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i%13) / 13
	}
	return tensors.FromFlatDataAndDimensions(x, dims...)
}

func TestOps(t *testing.T) {
	be, _ := backends.NewWithConfig("go:parallelism=-1")
	type c struct {
		name string
		fn   func(a, b *Node) *Node
		a, b *tensors.Tensor
		flop float64
	}
	B, L, H, D, U := 8, 128, 6, 64, 255
	cases := []c{
		{"dot 1024x384x384", func(a, b *Node) *Node { return Dot(a, b) }, rnd(1024, 384), rnd(384, 384), 2 * 1024 * 384 * 384},
		{"dot 255x384x384", func(a, b *Node) *Node { return Dot(a, b) }, rnd(255, 384), rnd(384, 384), 2 * 255 * 384 * 384},
		{"dot 1024x384x1536", func(a, b *Node) *Node { return Dot(a, b) }, rnd(1024, 384), rnd(384, 1536), 2 * 1024 * 384 * 1536},
		{"c2c bqhd,bkhd->bhqk", func(a, b *Node) *Node { return Einsum("bqhd,bkhd->bhqk", a, b) }, rnd(B, L, H, D), rnd(B, L, H, D), float64(2 * B * L * L * H * D)},
		{"c2c bhqd,bhkd->bhqk", func(a, b *Node) *Node { return Einsum("bhqd,bhkd->bhqk", a, b) }, rnd(B, H, L, D), rnd(B, H, L, D), float64(2 * B * L * L * H * D)},
		{"c2p bqhd,uhd->quhb", func(a, b *Node) *Node { return Einsum("bqhd,uhd->quhb", a, b) }, rnd(B, L, H, D), rnd(U, H, D), float64(2 * B * L * U * H * D)},
		{"c2p bqhd,uhd->hbqu", func(a, b *Node) *Node { return Einsum("bqhd,uhd->hbqu", a, b) }, rnd(B, L, H, D), rnd(U, H, D), float64(2 * B * L * U * H * D)},
		{"c2p hbqd,hud->hbqu", func(a, b *Node) *Node { return Einsum("hbqd,hud->hbqu", a, b) }, rnd(H, B, L, D), rnd(H, U, D), float64(2 * B * L * U * H * D)},
		{"pv bhqk,bkhd->bqhd", func(a, b *Node) *Node { return Einsum("bhqk,bkhd->bqhd", a, b) }, rnd(B, H, L, L), rnd(B, L, H, D), float64(2 * B * L * L * H * D)},
		{"pv bhqk,bhkd->bhqd", func(a, b *Node) *Node { return Einsum("bhqk,bhkd->bhqd", a, b) }, rnd(B, H, L, L), rnd(B, H, L, D), float64(2 * B * L * L * H * D)},
	}
	for _, cc := range cases {
		e := MustNewExec(be, cc.fn)
		e.MustExec(cc.a, cc.b)
		start := time.Now()
		const n = 5
		for range n {
			e.MustExec(cc.a, cc.b)
		}
		el := time.Since(start).Seconds() / n
		fmt.Printf("%-28s %8.2f ms  %6.2f GFLOP/s\n", cc.name, el*1000, cc.flop/el/1e9)
	}
}
