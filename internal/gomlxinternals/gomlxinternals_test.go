package gomlxinternals

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestAssumptions fails loudly when a GoMLX upgrade breaks anything this package relies on: the layouts of
// simplego's Buffer, Node and dotGeneralNodeData, the executor table, and graph.Node's parameter fields.
func TestAssumptions(t *testing.T) {
	if err := checkAssumptions(); err != nil {
		t.Fatalf("GoMLX internals changed: %v", err)
	}
	if v := gomlxVersion(t); v != VerifiedGoMLX {
		t.Fatalf("built with GoMLX %s, but this package was verified against %s: re-read simplego's Node, Buffer, "+
			"dotGeneralNodeData, gatherNode, scatterNode, nodeExecutors and graph.Node's nodeInputs* types, then update "+
			"VerifiedGoMLX", v, VerifiedGoMLX)
	}
	be, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	g := graph.NewGraph(be, "axes")
	lhs := graph.Parameter(g, "lhs", shapes.Make(dtypes.Float32, 2, 3, 4, 5))
	rhs := graph.Parameter(g, "rhs", shapes.Make(dtypes.Float32, 5, 6, 2, 4))
	ax := DotGeneralAxesOf(graph.DotGeneral(lhs, []int{-1, 2}, []int{0}, rhs, []int{0, 3}, []int{2}))
	if fmt.Sprint(ax) != "{[3 2] [0] [0 3] [2]}" {
		t.Fatalf("DotGeneral axes read by reflection: %v", ax)
	}
	operand := graph.Parameter(g, "operand", shapes.Make(dtypes.Float32, 4, 5))
	idx := graph.Parameter(g, "idx", shapes.Make(dtypes.Int32, 3, 1))
	p := GatherParamsOf(graph.Gather(operand, idx))
	if p.IndexVectorAxis != 1 || !slices.Equal(p.StartIndexMap, []int{0}) || !slices.Equal(p.SliceSizes, []int{1, 5}) {
		t.Fatalf("Gather parameters read by reflection: %+v", p)
	}
}

// gomlxVersion reads the GoMLX version required by the module's go.mod.
func gomlxVersion(t *testing.T) string {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "github.com/gomlx/gomlx" {
			return f[1]
		}
	}
	t.Fatal("go.mod does not require github.com/gomlx/gomlx")
	return ""
}

// TestReplaceExecutors runs a graph through a replaced DotGeneral executor that records the parameters it sees
// and delegates to the original, then restores the table.
func TestReplaceExecutors(t *testing.T) {
	var seen []DotGeneralParams
	var orig map[backends.OpType]Executor
	wrapper := func(b *Backend, n *Node, in []*Buffer, owned []bool) (*Buffer, error) {
		p, ok := n.DotGeneralParams()
		if !ok {
			t.Errorf("DotGeneralParams not readable on %s", n.OpType())
		}
		if in[0].Shape().DType != dtypes.Float32 || len(in[0].Flat().([]float32)) != in[0].Shape().Size() {
			t.Errorf("input buffer unreadable: %s", in[0].Shape())
		}
		seen = append(seen, p)
		return orig[backends.OpTypeDotGeneral](b, n, in, owned)
	}
	var err error
	orig, err = ReplaceExecutors(map[backends.OpType]Executor{backends.OpTypeDotGeneral: wrapper})
	if err != nil {
		t.Fatal(err)
	}
	defer RestoreExecutors()
	be, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	exec, err := graph.NewExec(be, func(x, y *graph.Node) *graph.Node {
		return graph.DotGeneral(x, []int{2}, []int{0}, y, []int{2}, []int{0})
	})
	if err != nil {
		t.Fatal(err)
	}
	out := exec.MustExec([][][]float32{{{1, 2}, {3, 4}}}, [][][]float32{{{1, 0}, {0, 1}, {1, 1}}})[0]
	if got := fmt.Sprint(out.Value()); got != "[[[1 2 3] [3 4 7]]]" {
		t.Fatalf("result through the replaced executor: %s", got)
	}
	want := "[{LHSContracting:[2] LHSBatch:[0] RHSContracting:[2] RHSBatch:[0] BatchSize:1 LHSCrossSize:2 RHSCrossSize:3 ContractingSize:2}]"
	if got := fmt.Sprintf("%+v", seen); got != want {
		t.Fatalf("parameters seen by the executor:\n got %s\nwant %s", got, want)
	}
}
