package data

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestReadCoNLL(t *testing.T) {
	content := "\ufeff-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\r\n\n" +
		"-DOCSTART- -X- O O\n\nNew\tNNP\tI-NP\tB-LOC\nNew York\tNNP\tI-NP\tI-LOC\n"
	got, err := ReadCoNLL(tableFile(t, "eng.train", content), 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []TagExample{
		{ID: "eng.train:3", Group: "eng.train#1", Words: []string{"EU", "rejects"}, Tags: []string{"B-ORG", "O"}},
		{ID: "eng.train:6", Group: "eng.train#1", Words: []string{"Peter"}, Tags: []string{"B-PER"}},
		{ID: "eng.train:10", Group: "eng.train#2", Words: []string{"New", "New York"}, Tags: []string{"B-LOC", "I-LOC"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}

	// Without -DOCSTART-, every sentence is its own group.
	got, err = ReadCoNLL(tableFile(t, "x.conll", "a DT\nb NN\n\n\n\nc VB\n"), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Group != "x.conll:1" || got[1].Group != "x.conll:6" || got[1].Tags[0] != "VB" {
		t.Errorf("got %#v", got)
	}

	for _, bad := range []struct{ content, want string }{
		{"a DT\nb\n", "x.conll:2: 1 columns, need column 1"},
		{"a\t\n", "x.conll:1: empty word or tag"},
	} {
		if _, err := ReadCoNLL(tableFile(t, "x.conll", bad.content), 0, 1); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: error %v, want %q", bad.content, err, bad.want)
		}
	}
	if _, err := ReadCoNLL(tableFile(t, "x.conll", "a b\n"), -1, 1); err == nil {
		t.Error("no error for a negative column")
	}
}

func TestSplitByGroup(t *testing.T) {
	type ex struct{ id, group string }
	var examples []ex
	for g := range 1000 {
		for i := range 1 + g%3 {
			examples = append(examples, ex{fmt.Sprintf("%d/%d", g, i), fmt.Sprintf("doc%d", g)})
		}
	}
	group := func(e ex) string { return e.group }
	train, dev, test := SplitByGroup(examples, group, 0.1, 0.2, 7)
	if len(train)+len(dev)+len(test) != len(examples) {
		t.Fatalf("%d+%d+%d != %d", len(train), len(dev), len(test), len(examples))
	}
	where := map[string]string{}
	groups := map[string]map[string]bool{SplitTrain: {}, SplitDev: {}, SplitTest: {}}
	for name, part := range map[string][]ex{SplitTrain: train, SplitDev: dev, SplitTest: test} {
		for _, e := range part {
			if w, ok := where[e.group]; ok && w != name {
				t.Fatalf("group %s in %s and %s", e.group, w, name)
			}
			where[e.group] = name
			groups[name][e.group] = true
			if AssignSplit(e.group, 0.1, 0.2, 7) != name {
				t.Fatalf("group %s: AssignSplit disagrees with SplitByGroup", e.group)
			}
		}
	}
	for name, frac := range map[string]float64{SplitTrain: 0.7, SplitDev: 0.1, SplitTest: 0.2} {
		n := float64(len(groups[name]))
		if sd := math.Sqrt(1000 * frac * (1 - frac)); math.Abs(n-1000*frac) > 4*sd {
			t.Errorf("%s: %v groups of 1000, want about %v", name, n, 1000*frac)
		}
	}
	// Deterministic, order-independent, seed-dependent.
	train2, _, _ := SplitByGroup(examples, group, 0.1, 0.2, 7)
	if !reflect.DeepEqual(train, train2) {
		t.Error("SplitByGroup is not deterministic")
	}
	if got := AssignSplit("doc1", 0.1, 0.2, 7); got != where["doc1"] {
		t.Errorf("AssignSplit(doc1) = %s, want %s", got, where["doc1"])
	}
	changed := 0
	for g := range where {
		if AssignSplit(g, 0.1, 0.2, 8) != where[g] {
			changed++
		}
	}
	if changed < 100 {
		t.Errorf("seed 8 changes only %d of 1000 groups", changed)
	}
	if tr, d, te := SplitByGroup(examples, group, 0, 0, 1); len(tr) != len(examples) || d != nil || te != nil {
		t.Error("fractions 0 must put everything into train")
	}
	if _, _, te := SplitByGroup(examples, group, 0, 1, 1); len(te) != len(examples) {
		t.Error("testFrac 1 must put everything into test")
	}
}
