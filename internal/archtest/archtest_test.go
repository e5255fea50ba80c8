package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// modulePath is our module; only imports inside it are checked.
const modulePath = "github.com/deberta-go/lab"

// internalGroup is the top-level folder of the shared helpers, importable by every package.
const internalGroup = "internal"

// anything marks a group that may import every package of ours.
const anything = "*"

// layer is one top-level package (folder) of the module: its level and the other top-level packages it may
// import, besides itself, its sub-packages and internal/... .
type layer struct {
	level     int
	mayImport []string
}

var (
	level0 = []string{"tokenizer", "layers", "losses", "plots", "cpukernels"}
	below2 = []string{"tokenizer", "layers", "losses", "plots", "cpukernels", "hub", "debertav3", "data", "optim", "checkpoints"}
)

// levels is the table of docs/architecture.md. Add new top-level packages here.
var levels = map[string]layer{
	"tokenizer":    {0, nil},
	"layers":       {0, nil},
	"losses":       {0, nil},
	"defaultmodel": {0, nil}, // the embedded pre-trained model (files only)
	"plots":        {0, nil}, // PNG figures (gonum/plot) for notebooks and reports.
	"cpukernels":   {0, nil}, // BLAS matmuls and fast kernels for the pure-Go backend.
	"hub":          {0, nil}, // HuggingFace hub client and cache (no model knowledge).

	"debertav3": {1, []string{"layers", "losses", "cpukernels"}},
	"optim":     {1, []string{"layers"}}, // AdamW, clipping, LR schedule (pretrain, finetune).
	"data":      {1, []string{"tokenizer"}},

	"checkpoints": {2, []string{"debertav3", "layers", "hub"}},
	"pretrain":    {2, below2},
	"finetune":    {2, below2},
	"pipeline":    {2, below2},
	"gohf":        {2, below2}, // go-huggingface interop: tokenizer registration, models from its hub.Repo

	"repro": {3, []string{anything}}, // the reproduction experiment's tables and figures (cmd, notebooks)
	"nbkit": {3, []string{anything}}, // notebook helpers: live displays, widgets, explorers
	"cmd":   {3, []string{anything}},

	internalGroup: {-1, level0}, // helpers: used by every level, so they stand on level 0 only.
}

// group returns the top-level folder of one of our import paths ("layers" for .../layers/foo), "" for the module
// root, and ok=false for paths outside the module.
func group(importPath string) (g string, ok bool) {
	if importPath == modulePath {
		return "", true
	}
	rest, found := strings.CutPrefix(importPath, modulePath+"/")
	if !found {
		return "", false
	}
	g, _, _ = strings.Cut(rest, "/")
	return g, true
}

// edge is one import of one of our packages; test is true when only its tests import it.
type edge struct {
	from, to string
	test     bool
}

// checkImports returns one message per import that breaks the level table (sorted, deduplicated), including
// one per package whose top-level folder is missing from the table.
func checkImports(edges []edge) []string {
	found := map[string]bool{}
	for _, e := range edges {
		from, ok := group(e.from)
		if !ok {
			continue
		}
		rule, known := levels[from]
		if !known {
			found[unknownMessage(e.from, from)] = true
			continue
		}
		to, ours := group(e.to)
		if !ours || to == from || to == internalGroup {
			continue
		}
		if _, known := levels[to]; !known {
			found[unknownMessage(e.to, to)] = true
			continue
		}
		if slices.Contains(rule.mayImport, anything) || slices.Contains(rule.mayImport, to) {
			continue
		}
		// Tests may also use packages of their own level (e.g. layers' gradient tests use losses): test imports
		// add no dependency to the library, and an import cycle would not compile anyway.
		if e.test && rule.level >= 0 && levels[to].level == rule.level {
			continue
		}
		kind := "imports"
		if e.test {
			kind = "imports (in its tests)"
		}
		who := fmt.Sprintf("%q (level %d)", from, rule.level)
		if from == internalGroup {
			who = "internal/... (helpers)"
		}
		allowed := "may import no package of ours except internal/..."
		if len(rule.mayImport) > 0 {
			allowed = "may import only " + strings.Join(rule.mayImport, ", ") + " and internal/..."
		}
		found[fmt.Sprintf("%s %s %s: %s %s", e.from, kind, e.to, who, allowed)] = true
	}
	msgs := make([]string, 0, len(found))
	for m := range found {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	return msgs
}

func unknownMessage(importPath, g string) string {
	if g == "" {
		g = "(module root)"
	}
	return fmt.Sprintf("package %s: top-level package %q is not in the level table: add it to the level table in "+
		"internal/archtest/archtest_test.go (and docs/architecture.md)", importPath, g)
}

// listedPackage holds the fields of `go list -json` we use.
type listedPackage struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
	Error                              *struct{ Err string }
}

// moduleEdges lists the imports of all packages of the module with `go list -e -json`; packages that do not
// compile are still listed (compiling is go vet's and go test's business, not ours).
func moduleEdges(t *testing.T) []edge {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go command not found on PATH: %v", err)
	}
	gomod, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == "/dev/null" {
		t.Fatalf("cannot find the module's go.mod (go env GOMOD=%q): %v", gomod, err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports,Error",
		modulePath+"/...")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
	}
	var edges []edge
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decoding the output of %s: %v", cmd, err)
		}
		if p.Error != nil {
			t.Logf("note: %s: %s (its imports are still checked)", p.ImportPath, p.Error.Err)
		}
		// A package with no imports of ours is still checked against the table.
		edges = append(edges, edge{from: p.ImportPath, to: p.ImportPath})
		for _, imp := range p.Imports {
			edges = append(edges, edge{from: p.ImportPath, to: imp})
		}
		for _, imp := range append(slices.Clone(p.TestImports), p.XTestImports...) {
			edges = append(edges, edge{from: p.ImportPath, to: imp, test: true})
		}
	}
	if len(edges) == 0 {
		t.Fatalf("%s listed no packages", cmd)
	}
	return edges
}

// TestModuleImportsFollowLevels is the real check on this repository.
func TestModuleImportsFollowLevels(t *testing.T) {
	edges := moduleEdges(t)
	for _, msg := range checkImports(edges) {
		t.Error(msg)
	}
}

// TestCheckImports proves the checker reports what it must and accepts what it may.
func TestCheckImports(t *testing.T) {
	p := func(s string) string { return modulePath + "/" + s }
	for _, tc := range []struct {
		name  string
		edges []edge
		want  []string // substrings, one per expected message, in sorted message order
	}{
		{"allowed edges", []edge{
			{from: p("debertav3"), to: p("layers")},
			{from: p("debertav3"), to: p("losses")},
			{from: p("data"), to: p("tokenizer")},
			{from: p("checkpoints"), to: p("debertav3")},
			{from: p("pipeline"), to: p("checkpoints")},
			{from: p("pretrain"), to: p("data")},
			{from: p("cmd/deberta"), to: p("pipeline")},
			{from: p("cmd/deberta"), to: p("internal/npy")},
			{from: p("layers"), to: p("internal/testutil"), test: true},
			{from: p("layers/attention"), to: p("layers")},
			{from: p("internal/testutil"), to: p("layers")},
			{from: p("internal/testutil"), to: p("internal/npy")},
			{from: p("tokenizer"), to: "github.com/gomlx/gomlx/pkg/core/graph"},
			{from: "github.com/other/module", to: p("cmd/deberta")},
		}, nil},
		{"level 0 importing level 2", []edge{{from: p("layers"), to: p("checkpoints")}},
			[]string{`layers imports ` + p("checkpoints") + `: "layers" (level 0) may import no package of ours`}},
		{"upward import in a test", []edge{{from: p("tokenizer"), to: p("debertav3"), test: true}},
			[]string{"tokenizer imports (in its tests) " + p("debertav3")}},
		{"same level not listed", []edge{{from: p("debertav3"), to: p("data")}},
			[]string{`"debertav3" (level 1) may import only layers, losses, cpukernels and internal/...`}},
		{"checkpoints not importing pipeline", []edge{{from: p("checkpoints/torchpickle"), to: p("pipeline")}},
			[]string{p("checkpoints/torchpickle") + " imports " + p("pipeline")}},
		{"internal importing level 1", []edge{{from: p("internal/testutil"), to: p("debertav3")}},
			[]string{`internal/... (helpers) may import only tokenizer, layers, losses, plots, cpukernels and internal/...`}},
		{"unknown package", []edge{{from: p("foo/bar"), to: p("foo/bar")}},
			[]string{`top-level package "foo" is not in the level table: add it to the level table`}},
		{"import of an unknown package", []edge{{from: p("cmd/deberta"), to: p("misc")}},
			[]string{`top-level package "misc" is not in the level table`}},
		{"module root package", []edge{{from: modulePath, to: p("layers")}},
			[]string{`"(module root)" is not in the level table`}},
		{"two violations; a same-level test import is allowed", []edge{
			{from: p("losses"), to: p("layers")},
			{from: p("layers"), to: p("losses")},
			{from: p("layers"), to: p("losses"), test: true},
			{from: p("data"), to: p("debertav3"), test: true},
		}, []string{p("layers") + " imports " + p("losses"), p("losses") + " imports " + p("layers")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkImports(tc.edges)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestLevelTable checks the table itself: imports point to known packages of the same or a lower level, and
// the allowed imports have no cycle.
func TestLevelTable(t *testing.T) {
	for name, l := range levels {
		for _, to := range l.mayImport {
			if to == anything {
				continue
			}
			target, ok := levels[to]
			if !ok {
				t.Errorf("%s may import %q, which is not in the table", name, to)
			} else if target.level > l.level && name != internalGroup {
				t.Errorf("%s (level %d) may import %s of the higher level %d", name, l.level, to, target.level)
			} else if name == internalGroup && target.level != 0 {
				t.Errorf("internal may import only level-0 packages, not %s", to)
			}
		}
	}
	// Depth-first search for a cycle among the explicit allowances.
	state := map[string]int{} // 0 unvisited, 1 on the stack, 2 done
	var visit func(n string, path []string)
	visit = func(n string, path []string) {
		switch state[n] {
		case 1:
			t.Errorf("cycle in the level table: %s", strings.Join(append(path, n), " → "))
			return
		case 2:
			return
		}
		state[n] = 1
		for _, to := range levels[n].mayImport {
			if to != anything {
				visit(to, append(path, n))
			}
		}
		state[n] = 2
	}
	for name := range levels {
		visit(name, nil)
	}
}
