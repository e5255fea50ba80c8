package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func FuzzSafeRel(f *testing.F) {
	for _, s := range []string{"package/a.txt", "../x", "/abs", "a/../../b", "a/./b/", ".", "", `a\..\..\b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		rel, err := safeRel(name)
		if err != nil {
			return
		}
		dest := filepath.Join("/dest", "root")
		target := filepath.Join(dest, rel)
		if !strings.HasPrefix(target, dest+string(filepath.Separator)) {
			t.Fatalf("safeRel(%q) = %q escapes to %q", name, rel, target)
		}
	})
}

func FuzzBrownSentence(f *testing.F) {
	for _, s := range []string{"\tThe/at jury/nn ./.", "``/`` a/b ''/'' (/( x/y )/)", "a/", "/b", "a//b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		s, err := BrownSentence(line)
		if err != nil {
			return
		}
		words, _, _ := BrownTokens(line)
		if len(words) > 0 && s == "" {
			t.Fatalf("BrownSentence(%q) is empty", line)
		}
	})
}
