package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ClassExample is one example of sequence classification or regression.
type ClassExample struct {
	// ID is stable and unique within a source (e.g. "ca01/12", "spam-1/00001.7848dde101aa985090474a91ec93fcf0").
	ID string
	// Group is the split unit (a document, a message): examples with the same Group always land in the same
	// split (SplitByGroup).
	Group string
	// Text is the (first) text; Pair the second text of a pair task, "" for single-text tasks.
	Text, Pair string
	// Labels holds exactly one label for single-label tasks, any number for multi-label tasks; nil for
	// regression.
	Labels []string
	// Value is the regression target (TableOptions.Regression).
	Value float64
}

// TagExample is one sentence for token classification: one tag per word.
type TagExample struct {
	// ID is stable and unique within a source; Group is the split unit (a document).
	ID, Group string
	// Words and Tags have the same length.
	Words, Tags []string
}

// docStart marks the start of a document in CoNLL files.
const docStart = "-DOCSTART-"

// ReadCoNLL reads word/tag files: one token per line, wordCol and tagCol (0-based) its columns, blank lines
// between sentences, and lines starting with "-DOCSTART-" start a new group (document). A line that holds a
// tab is split on tabs (so words may contain spaces), any other line on runs of spaces. Each sentence gets
// ID "<basename>:<line of its first token>"; its Group is "<basename>#<N>" for the N-th -DOCSTART- section
// (0 before the first), or the sentence's own ID when the file has no -DOCSTART- line at all, so that a file
// without document marks is split by sentence. Errors name the file and line: a row with too few columns, an
// empty word or tag.
func ReadCoNLL(path string, wordCol, tagCol int) ([]TagExample, error) {
	if wordCol < 0 || tagCol < 0 {
		return nil, fmt.Errorf("data: %s: negative column (word %d, tag %d)", path, wordCol, tagCol)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	base := filepath.Base(path)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var (
		out     []TagExample
		cur     TagExample
		line    int
		docs    int
		hasMark bool
	)
	flush := func() {
		if len(cur.Words) > 0 {
			out = append(out, cur)
		}
		cur = TagExample{}
	}
	need := max(wordCol, tagCol) + 1
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			flush()
			continue
		}
		if strings.HasPrefix(text, docStart) {
			flush()
			docs++
			hasMark = true
			continue
		}
		var cols []string
		if strings.Contains(text, "\t") {
			cols = strings.Split(text, "\t")
			for i := range cols {
				cols[i] = strings.TrimSpace(cols[i])
			}
		} else {
			cols = strings.Fields(text)
		}
		if len(cols) < need {
			return nil, fmt.Errorf("data: %s:%d: %d columns, need column %d", path, line, len(cols), need-1)
		}
		word, tag := cols[wordCol], cols[tagCol]
		if word == "" || tag == "" {
			return nil, fmt.Errorf("data: %s:%d: empty word or tag", path, line)
		}
		if len(cur.Words) == 0 {
			cur.ID = fmt.Sprintf("%s:%d", base, line)
			cur.Group = fmt.Sprintf("%s#%d", base, docs)
		}
		cur.Words = append(cur.Words, word)
		cur.Tags = append(cur.Tags, tag)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("data: %s:%d: %w", path, line+1, err)
	}
	flush()
	if !hasMark {
		for i := range out {
			out[i].Group = out[i].ID
		}
	}
	return out, nil
}
