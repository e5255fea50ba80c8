package data

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
)

// Document is one unit of text: the split into train and validation is by ID, so an ID must be stable.
type Document struct {
	ID   string
	Text string
}

// Docs is a stream of documents. A reader yields (doc, nil) per document and stops after yielding one error
// (a zero Document and an error naming the file and, where there is one, the line). Memory stays bounded by the
// largest document: nothing reads a whole corpus.
type Docs = iter.Seq2[Document, error]

// maxLine is the longest line the line-based readers accept.
const maxLine = 64 << 20

// TextOptions selects how TextFiles cuts files into documents.
type TextOptions struct {
	// Paragraphs makes every blank-line-separated paragraph a document (ID "path#N", N from 1) instead of every
	// file.
	Paragraphs bool
	// Ext, when not empty, keeps only files with one of these extensions (".txt") inside folders.
	Ext []string
}

// TextFiles reads plain UTF-8 text files and folders (walked recursively in lexical order; names starting with
// "." are skipped). Each file (or paragraph) is one document with its path as ID.
func TextFiles(paths []string, opts TextOptions) Docs {
	return func(yield func(Document, error) bool) {
		for _, p := range paths {
			files, err := listFiles(p, opts.Ext)
			if err != nil {
				yield(Document{}, err)
				return
			}
			for _, f := range files {
				if !textFile(f, opts.Paragraphs, yield) {
					return
				}
			}
		}
	}
}

// listFiles returns p itself if it is a file, else the files below it.
func listFiles(p string, exts []string) ([]string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	if !fi.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != p && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() && (len(exts) == 0 || hasExt(path, exts)) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: %w", err)
	}
	return files, nil
}

func hasExt(path string, exts []string) bool {
	for _, e := range exts {
		if strings.EqualFold(filepath.Ext(path), e) {
			return true
		}
	}
	return false
}

// textFile yields the documents of one file; it returns false when the consumer stopped or on error.
func textFile(path string, paragraphs bool, yield func(Document, error) bool) bool {
	if !paragraphs {
		b, err := os.ReadFile(path)
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %w", err))
			return false
		}
		return yield(Document{ID: path, Text: string(b)}, nil)
	}
	f, err := os.Open(path)
	if err != nil {
		yield(Document{}, fmt.Errorf("data: %w", err))
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var para strings.Builder
	n, line := 0, 0
	flush := func() bool {
		if para.Len() == 0 {
			return true
		}
		n++
		doc := Document{ID: fmt.Sprintf("%s#%d", path, n), Text: para.String()}
		para.Reset()
		return yield(doc, nil)
	}
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			if !flush() {
				return false
			}
			continue
		}
		if para.Len() > 0 {
			para.WriteByte('\n')
		}
		para.WriteString(text)
	}
	if err := sc.Err(); err != nil {
		yield(Document{}, fmt.Errorf("data: %s:%d: %w", path, line+1, err))
		return false
	}
	return flush()
}

// JSONL reads a file with one JSON object per line; the string field textField is the document's text and
// idField (if not empty) its ID, else the ID is "path:line". Blank lines are skipped; a line that is not an
// object or lacks the field is an error naming file and line.
func JSONL(path, textField, idField string) Docs {
	return func(yield func(Document, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %w", err))
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), maxLine)
		line := 0
		for sc.Scan() {
			line++
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
				yield(Document{}, fmt.Errorf("data: %s:%d: %w", path, line, err))
				return
			}
			text, err := stringField(obj, textField)
			if err != nil {
				yield(Document{}, fmt.Errorf("data: %s:%d: %w", path, line, err))
				return
			}
			id := fmt.Sprintf("%s:%d", path, line)
			if idField != "" {
				raw, ok := obj[idField]
				if !ok {
					yield(Document{}, fmt.Errorf("data: %s:%d: no field %q", path, line, idField))
					return
				}
				var s string
				if json.Unmarshal(raw, &s) != nil {
					s = string(raw) // numeric ids
				}
				id = s
			}
			if !yield(Document{ID: id, Text: text}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(Document{}, fmt.Errorf("data: %s:%d: %w", path, line+1, err))
		}
	}
}

func stringField(obj map[string]json.RawMessage, field string) (string, error) {
	raw, ok := obj[field]
	if !ok {
		return "", fmt.Errorf("no field %q", field)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q is not a string: %w", field, err)
	}
	return s, nil
}

// Concat streams the documents of several sources one after the other.
func Concat(sources ...Docs) Docs {
	return func(yield func(Document, error) bool) {
		for _, s := range sources {
			for d, err := range s {
				if !yield(d, err) || err != nil {
					return
				}
			}
		}
	}
}
