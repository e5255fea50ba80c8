package data

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
)

// NextLabels returns the labels of BrownNextSentence in a fixed order.
func NextLabels() []string { return []string{"next", "other"} }

// minNextWords is the number of words (tokens whose tag is not punctuation) a sentence needs to be used by
// BrownNextSentence.
const minNextWords = 3

// nextDoc is one Brown document for BrownNextSentence: its sentences in order, "" for a sentence that is too
// short.
type nextDoc struct {
	name  string
	sents []string
	kept  []int // indices of the non-empty sentences
}

// BrownNextSentence reads sentence-pair examples from the fetched Brown corpus: does B follow A in the same
// document? Sentences are plain text (BrownSentence); one with fewer than 3 words (punctuation tokens not
// counted: "Yes.", "Oh, quite!") is left out and breaks the pairs around it. Each document is cut into
// non-overlapping pairs of consecutive sentences (1-2, 3-4, …; after a short sentence the pairing restarts at
// the next one), and the pairs alternate, from a first one chosen by a hash of (seed, document):
//   - {Text: A, Pair: B, Labels: ["next"]}, B the sentence after A;
//   - {Text: A, Pair: C, Labels: ["other"]}, B dropped and C a sentence drawn (by a PCG seeded with seed and the
//     example's ID) from another document with the same splitOf value, so no split sees text of another split.
//
// splitOf (nil: one pool) names a document's split; a split with only one document is an error.
// ID "<doc>/<number of A from 1>", Group the document, in file order; the result depends only on the files
// and seed. The real corpus (2 483 of its 57 340 sentences short) gives 26 705 pairs, 13 353 next and 13 352
// other; with the split of LoadTask (seed 1, 10 % dev, 10 % test) train / dev / test hold 10 436 / 1 706 / 1 211
// next and 10 443 / 1 706 / 1 203 other. A+B is at most 128 tokens of the built-in tokenizer for 97.4 % of the
// pairs and at most 160 for 99.5 % (median 58, longest 380).
func BrownNextSentence(dir string, seed uint64, splitOf func(doc string) string) ([]ClassExample, error) {
	files, err := brownDocs(dir)
	if err != nil {
		return nil, err
	}
	if splitOf == nil {
		splitOf = func(string) string { return "" }
	}
	docs := make([]nextDoc, len(files))
	pools := map[string][]int{} // split → indices of documents with sentences
	for i, f := range files {
		if docs[i], err = readNextDoc(f); err != nil {
			return nil, err
		}
		if len(docs[i].kept) > 0 {
			s := splitOf(docs[i].name)
			pools[s] = append(pools[s], i)
		}
	}
	var out []ClassExample
	for i, d := range docs {
		positive := groupUnit("next:"+d.name, seed) < 0.5
		for a := 0; a+1 < len(d.sents); a++ {
			if d.sents[a] == "" || d.sents[a+1] == "" {
				continue
			}
			e := ClassExample{ID: fmt.Sprintf("%s/%d", d.name, a+1), Group: d.name, Text: d.sents[a],
				Pair: d.sents[a+1], Labels: []string{"next"}}
			if !positive {
				if e.Pair, err = otherSentence(docs, pools[splitOf(d.name)], i, e.ID, seed); err != nil {
					return nil, err
				}
				e.Labels = []string{"other"}
			}
			out = append(out, e)
			positive = !positive
			a++
		}
	}
	return out, nil
}

// readNextDoc reads one Brown file's sentences, short ones as "".
func readNextDoc(path string) (nextDoc, error) {
	d := nextDoc{name: filepath.Base(path)}
	err := brownLines(path, func(n int, line string) error {
		_, tags, err := BrownTokens(line)
		if err != nil {
			return err
		}
		words := 0
		for _, t := range tags {
			if BrownUniversalTag(t) != "." {
				words++
			}
		}
		s := ""
		if words >= minNextWords {
			if s, err = BrownSentence(line); err != nil {
				return err
			}
			d.kept = append(d.kept, len(d.sents))
		}
		d.sents = append(d.sents, s)
		return nil
	})
	return d, err
}

// otherSentence draws a kept sentence of a document of pool other than docs[self], seeded by (seed, id).
func otherSentence(docs []nextDoc, pool []int, self int, id string, seed uint64) (string, error) {
	if len(pool) < 2 {
		return "", fmt.Errorf("data: BrownNextSentence: %s is the only document of its split with sentences; "+
			"negative pairs need another one (use larger dev/test fractions)", docs[self].name)
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	j := r.IntN(len(pool) - 1)
	if pool[j] >= self { // skip self: pool is sorted and holds self
		j++
	}
	o := docs[pool[j]]
	return o.sents[o.kept[r.IntN(len(o.kept))]], nil
}
