package data

import (
	"bufio"
	"context"
	"io"
	"strings"
)

// PretrainCorpora are the corpora of the default pre-training text (Brown and SpamAssassin are held out for
// downstream tasks, see shared/data/README.md).
var PretrainCorpora = []string{"sotu", "moby-dick", "opticks"}

// Default split of the pre-training documents: the fraction of documents in validation and the hash seed.
const (
	DefaultValidationFraction = 0.05
	DefaultSplitSeed          = 1
)

// PretrainDocs fetches (if needed) the PretrainCorpora into cacheDir ("" for DefaultCacheDir) and streams their
// documents one corpus after the other.
func PretrainDocs(ctx context.Context, cacheDir string, progress io.Writer) (Docs, error) {
	var all []Docs
	for _, name := range PretrainCorpora {
		dir, err := Fetch(ctx, name, cacheDir, progress)
		if err != nil {
			return nil, err
		}
		docs, err := CorpusDocs(name, dir)
		if err != nil {
			return nil, err
		}
		all = append(all, docs)
	}
	return Concat(all...), nil
}

// WriteLines writes documents as plain text for the SentencePiece trainer (which reads one sentence per line
// and skips lines over its max_sentence_length, 4192 bytes by default): one line per non-blank line of a
// document, lines longer than maxBytes cut after a sentence end (". ", "? ", "! ") or else at a space (or hard)
// so no line exceeds maxBytes. It returns the number of lines written.
func WriteLines(w io.Writer, docs Docs, maxBytes int) (int, error) {
	bw := bufio.NewWriter(w)
	n := 0
	for d, err := range docs {
		if err != nil {
			return n, err
		}
		for line := range strings.Lines(d.Text) {
			line = strings.TrimSpace(line)
			for line != "" {
				cut := cutPoint(line, maxBytes)
				if _, err := bw.WriteString(strings.TrimSpace(line[:cut]) + "\n"); err != nil {
					return n, err
				}
				n++
				line = strings.TrimSpace(line[cut:])
			}
		}
	}
	return n, bw.Flush()
}

// cutPoint returns the length of the first piece of s of at most maxBytes bytes.
func cutPoint(s string, maxBytes int) int {
	if len(s) <= maxBytes || maxBytes <= 0 {
		return len(s)
	}
	head := s[:maxBytes+1]
	if i := max(strings.LastIndex(head, ". "), strings.LastIndex(head, "? "), strings.LastIndex(head, "! ")); i > 0 {
		return i + 1
	}
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		return i
	}
	// No space: cut at a UTF-8 boundary.
	i := maxBytes
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	if i == 0 {
		return maxBytes
	}
	return i
}
