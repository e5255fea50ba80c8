package data

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// jsonFiles yields one document per JSON file (the object's text field), ID = prefix + base name without
// extension.
func jsonFiles(files []string, prefix string, yield func(Document, error) bool) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %w", err))
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			yield(Document{}, fmt.Errorf("data: %s: %w", f, err))
			return
		}
		text, err := stringField(obj, "text")
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %s: %w", f, err))
			return
		}
		id := prefix + strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if !yield(Document{ID: id, Text: text}, nil) {
			return
		}
	}
}

// SOTU reads the fetched State of the Union corpus (dir as returned by Fetch): one document per speech,
// package/data/<year>_<name>.json's "text", ID "sotu/<year>_<name>", in file name (= chronological) order.
func SOTU(dir string) Docs {
	return func(yield func(Document, error) bool) {
		files, err := filepath.Glob(filepath.Join(dir, "package", "data", "[0-9]*.json"))
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("data: no speeches in %s (fetch sotu first)", dir)
		}
		if err != nil {
			yield(Document{}, err)
			return
		}
		sort.Strings(files)
		jsonFiles(files, "sotu/", yield)
	}
}

// MobyDick reads the fetched Moby-Dick corpus: one document per part in book order (package/data/file_list.json:
// etymology, extracts, chapters 1-135, epilogue; the table of contents is left out), ID "moby-dick/<part>".
func MobyDick(dir string) Docs {
	return func(yield func(Document, error) bool) {
		dataDir := filepath.Join(dir, "package", "data")
		listFile := filepath.Join(dataDir, "file_list.json")
		b, err := os.ReadFile(listFile)
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %w (fetch moby-dick first)", err))
			return
		}
		var list []string
		if err := json.Unmarshal(b, &list); err != nil {
			yield(Document{}, fmt.Errorf("data: %s: %w", listFile, err))
			return
		}
		var files []string
		for _, name := range list {
			base := strings.TrimSuffix(name, filepath.Ext(name))
			if base == "contents" {
				continue
			}
			files = append(files, filepath.Join(dataDir, base+".json"))
		}
		jsonFiles(files, "moby-dick/", yield)
	}
}

// Opticks reads the fetched Opticks folder: one document per paragraph.
func Opticks(dir string) Docs {
	return renameIDs(TextFiles([]string{filepath.Join(dir, OpticksFile)}, TextOptions{Paragraphs: true}),
		filepath.Join(dir, OpticksFile), "opticks/"+OpticksFile)
}

// renameIDs replaces the prefix old of every ID by repl, so IDs do not depend on the cache folder.
func renameIDs(docs Docs, old, repl string) Docs {
	return func(yield func(Document, error) bool) {
		for d, err := range docs {
			d.ID = strings.Replace(d.ID, old, repl, 1)
			if !yield(d, err) || err != nil {
				return
			}
		}
	}
}

var brownFile = regexp.MustCompile(`^c[a-r][0-9][0-9]$`)

// Brown reads the fetched Brown corpus as plain text: one document per file (package/c[a-r]NN, ID
// "brown/caNN"), one sentence per line, rebuilt from its `word/tag` tokens by BrownSentence.
func Brown(dir string) Docs {
	return func(yield func(Document, error) bool) {
		pkg := filepath.Join(dir, "package")
		entries, err := os.ReadDir(pkg)
		if err != nil {
			yield(Document{}, fmt.Errorf("data: %w (fetch brown first)", err))
			return
		}
		for _, e := range entries { // ReadDir sorts by name
			if !brownFile.MatchString(e.Name()) {
				continue
			}
			doc, err := readBrownFile(filepath.Join(pkg, e.Name()))
			if err != nil {
				yield(Document{}, err)
				return
			}
			if !yield(doc, nil) {
				return
			}
		}
	}
}

func readBrownFile(path string) (Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return Document{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	var text strings.Builder
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		s, err := BrownSentence(sc.Text())
		if err != nil {
			return Document{}, fmt.Errorf("data: %s:%d: %w", path, line, err)
		}
		text.WriteString(s)
		text.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return Document{}, fmt.Errorf("data: %s:%d: %w", path, line+1, err)
	}
	return Document{ID: "brown/" + filepath.Base(path), Text: text.String()}, nil
}

// BrownTokens splits one Brown line into words and tags ("The/at jury/nn" → [The jury], [at nn]); the tag is
// after the last "/".
func BrownTokens(line string) (words, tags []string, err error) {
	for _, tok := range strings.Fields(line) {
		i := strings.LastIndexByte(tok, '/')
		if i <= 0 || i == len(tok)-1 {
			return nil, nil, fmt.Errorf("token %q is not word/tag", tok)
		}
		words = append(words, tok[:i])
		tags = append(tags, tok[i+1:])
	}
	return words, tags, nil
}

// BrownSentence turns one Brown line of `word/tag` tokens into plain text: words joined by spaces, the Brown
// opening and closing quote tokens (two backquotes, two apostrophes) become a double quote, and no space goes
// before , . ; : ! ? ) ' or after ( and an opening quote.
func BrownSentence(line string) (string, error) {
	words, _, err := BrownTokens(line)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	noSpace := true // no space before the next word
	for _, w := range words {
		switch w {
		case "``":
			if !noSpace {
				b.WriteByte(' ')
			}
			b.WriteByte('"')
			noSpace = true
			continue
		case "''":
			b.WriteByte('"')
			noSpace = false
			continue
		}
		if !noSpace && !closesTight(w) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		noSpace = w == "("
	}
	return b.String(), nil
}

func closesTight(w string) bool {
	switch w {
	case ",", ".", ";", ":", "!", "?", ")", "'", "'s", "n't":
		return true
	}
	return false
}

// CorpusDocs returns the documents of a fetched corpus by name (dir as returned by Fetch): sotu, moby-dick,
// opticks and brown.
func CorpusDocs(name, dir string) (Docs, error) {
	switch name {
	case "sotu":
		return SOTU(dir), nil
	case "moby-dick":
		return MobyDick(dir), nil
	case "opticks":
		return Opticks(dir), nil
	case "brown":
		return Brown(dir), nil
	}
	return nil, errors.New("data: no document reader for corpus " + name)
}
