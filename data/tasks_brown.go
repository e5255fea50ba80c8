package data

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// UniversalTags returns the 12 tags of the universal part-of-speech tagset (Petrov, Das and McDonald 2012) in
// a fixed order.
func UniversalTags() []string {
	return []string{"NOUN", "VERB", "ADJ", "ADV", "PRON", "DET", "ADP", "NUM", "CONJ", "PRT", ".", "X"}
}

// BrownGenres returns the 15 Brown genres of cats.txt in corpus order (categories a to r).
func BrownGenres() []string {
	return []string{"news", "editorial", "reviews", "religion", "hobbies", "lore", "belles_lettres", "government",
		"learned", "fiction", "mystery", "science_fiction", "adventure", "romance", "humor"}
}

// brownUniversal maps Brown tags (lower case, after BrownBaseTag and the first part of a compound; looked up
// as they are, then without a final "$" or "*") to universal tags. It follows NLTK's en-brown.map (Slav
// Petrov's universal-pos-tags), checked against NLTK's universal tag counts for the whole corpus: pre-qualifier
// and pre-quantifier abl, abn → PRT; abx and the possessive determiners pp$, wp$ → DET (pp$$, "mine", stays
// PRON); post-determiner ap and ordinal od → ADJ; subordinating conjunction cs → ADP; existential "there" ex
// and interjection uh → PRT; nominal pronoun pn → NOUN; qualifiers ql, qlp, wql and rn → ADV; nil → X.
var brownUniversal = map[string]string{
	"abl": "PRT", "abn": "PRT", "abx": "DET", "ap": "ADJ", "at": "DET",
	"be": "VERB", "bed": "VERB", "bedz": "VERB", "beg": "VERB", "bem": "VERB", "ben": "VERB", "ber": "VERB",
	"bez": "VERB", "cc": "CONJ", "cd": "NUM", "cs": "ADP", "do": "VERB", "dod": "VERB", "doz": "VERB",
	"dt": "DET", "dti": "DET", "dts": "DET", "dtx": "DET", "ex": "PRT", "fw": "X",
	"hv": "VERB", "hvd": "VERB", "hvg": "VERB", "hvn": "VERB", "hvz": "VERB", "in": "ADP",
	"jj": "ADJ", "jjr": "ADJ", "jjs": "ADJ", "jjt": "ADJ", "md": "VERB",
	"nn": "NOUN", "nns": "NOUN", "np": "NOUN", "nps": "NOUN", "nr": "NOUN", "nrs": "NOUN", "od": "ADJ",
	"pn": "NOUN", "pp$": "DET", "pp$$": "PRON", "wp$": "DET", "pp": "PRON", "ppl": "PRON", "ppls": "PRON", "ppo": "PRON", "pps": "PRON", "ppss": "PRON",
	"ql": "ADV", "qlp": "ADV", "rb": "ADV", "rbr": "ADV", "rbt": "ADV", "rn": "ADV", "rp": "PRT", "to": "PRT",
	"uh": "PRT", "vb": "VERB", "vbd": "VERB", "vbg": "VERB", "vbn": "VERB", "vbz": "VERB",
	"wdt": "DET", "wp": "PRON", "wpo": "PRON", "wps": "PRON", "wql": "ADV", "wrb": "ADV", "nil": "X",
}

// BrownBaseTag strips the Brown tag modifiers -tl (title), -hl (headline) and -nc (cited word), in any order
// and number, and lower-cases the tag: "NN-TL-HL" → "nn". Compounds ("ppss+md"), "fw-" prefixes, "$" and "*"
// are kept.
func BrownBaseTag(tag string) string {
	t := strings.ToLower(tag)
	for {
		s := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "-tl"), "-hl"), "-nc")
		if s == t || s == "" {
			return t
		}
		t = s
	}
}

// BrownUniversalTag maps a Brown tag to the universal tagset (UniversalTags) following NLTK's brown→universal
// mapping: modifiers are stripped (BrownBaseTag); foreign words ("fw-…") are X; the negator "*" is ADV; a tag
// made of punctuation only (. , : ( ) -- ' and the quote tags of two backquotes or two apostrophes) is ".";
// a compound ("ppss+md" I'll, "nn+bez") takes its first part; then the table brownUniversal decides, with a
// final "$" (possessive: nn$, np$) or "*" (negated verb: bez*, md*, do*) dropped when the tag itself is not
// in it; unknown tags are X.
//
// On the whole corpus this gives NOUN 275 652, VERB 182 751, . 147 565, ADP 144 766, DET 137 261, ADJ 83 731,
// ADV 56 287, PRON 51 444, CONJ 38 151, PRT 27 322, NUM 14 879, X 1 383 tokens. NLTK's counts differ only for
// about 2 500 tokens: NLTK maps most contraction compounds with a pronoun, determiner or noun head (pps+bez
// "it's", ppss+md "I'll", dt+bez "that's", nn+bez) and a few possessives (ap$, cd$, jj$) to PRT, where the
// first-part rule gives PRON, DET, NOUN, ADJ or NUM.
func BrownUniversalTag(tag string) string {
	t := BrownBaseTag(tag)
	if strings.HasPrefix(t, "fw-") || t == "fw" {
		return "X"
	}
	if t == "*" {
		return "ADV"
	}
	if t != "" && strings.Trim(t, ".,:;!?()-`'\"") == "" {
		return "."
	}
	if i := strings.IndexByte(t, '+'); i > 0 {
		t = t[:i]
	}
	if u, ok := brownUniversal[t]; ok {
		return u
	}
	if u, ok := brownUniversal[strings.TrimRight(t, "$*")]; ok {
		return u
	}
	return "X"
}

// brownDocs lists the Brown files of dir/package (c[a-r]NN) in name order.
func brownDocs(dir string) ([]string, error) {
	pkg := filepath.Join(dir, "package")
	entries, err := os.ReadDir(pkg)
	if err != nil {
		return nil, fmt.Errorf("data: %w (fetch brown first)", err)
	}
	var files []string
	for _, e := range entries {
		if brownFile.MatchString(e.Name()) {
			files = append(files, filepath.Join(pkg, e.Name()))
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("data: no Brown files in %s (fetch brown first)", pkg)
	}
	return files, nil
}

// brownLines calls fn with every non-blank line (one sentence) of a Brown file and its 1-based sentence number.
func brownLines(path string, fn func(n int, line string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	line, n := 0, 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		n++
		if err := fn(n, sc.Text()); err != nil {
			return fmt.Errorf("data: %s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("data: %s:%d: %w", path, line+1, err)
	}
	return nil
}

// BrownPOS reads part-of-speech tagging examples from the fetched Brown corpus (dir as Fetch returns it): one
// example per sentence (non-blank line), ID "<doc>/<sentence number from 1>" ("ca01/12"), Group the document
// ("ca01"), in file order. The Brown opening and closing quote tokens (two backquotes, two apostrophes)
// become the word `"` as in BrownSentence (their tags are kept). universal=true maps tags by
// BrownUniversalTag to UniversalTags(); universal=false keeps BrownBaseTag (lower case, -tl/-hl/-nc removed;
// 232 distinct tags, compounds and fw- tags included). The real corpus gives 57 340 sentences, 1 161 192
// tokens, in 500 documents.
func BrownPOS(dir string, universal bool) ([]TagExample, error) {
	files, err := brownDocs(dir)
	if err != nil {
		return nil, err
	}
	var out []TagExample
	for _, f := range files {
		doc := filepath.Base(f)
		err := brownLines(f, func(n int, line string) error {
			words, tags, err := BrownTokens(line)
			if err != nil {
				return err
			}
			for i := range words {
				if words[i] == "``" || words[i] == "''" {
					words[i] = `"`
				}
				if universal {
					tags[i] = BrownUniversalTag(tags[i])
				} else {
					tags[i] = BrownBaseTag(tags[i])
				}
			}
			out = append(out, TagExample{ID: fmt.Sprintf("%s/%d", doc, n), Group: doc, Words: words, Tags: tags})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BrownCategories reads package/cats.txt of the fetched Brown corpus: document id → genre.
func BrownCategories(dir string) (map[string]string, error) {
	path := filepath.Join(dir, "package", "cats.txt")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: %w (fetch brown first)", err)
	}
	known := map[string]bool{}
	for _, g := range BrownGenres() {
		known[g] = true
	}
	cats := map[string]string{}
	for i, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) != 2 || !known[f[1]] {
			return nil, fmt.Errorf("data: %s:%d: want \"<doc> <genre>\" with one of the 15 genres, got %q", path, i+1, l)
		}
		cats[f[0]] = f[1]
	}
	return cats, nil
}

// BrownGenre reads genre classification examples from the fetched Brown corpus: passages of
// sentencesPerExample consecutive sentences of one document (plain text by BrownSentence, sentences joined by
// a space; the last passage of a document may be shorter), Labels = the document's genre from cats.txt (one
// of BrownGenres), ID "<doc>/<number of the passage's first sentence>" ("ca01/6" for the second passage of 5),
// Group the document. With 5 sentences per passage the real corpus gives 11 672 passages, from 192
// (science_fiction) and 214 (humor) to 1 473 (belles_lettres) and 1 580 (learned) per genre.
func BrownGenre(dir string, sentencesPerExample int) ([]ClassExample, error) {
	if sentencesPerExample < 1 {
		return nil, fmt.Errorf("data: BrownGenre: sentencesPerExample %d < 1", sentencesPerExample)
	}
	cats, err := BrownCategories(dir)
	if err != nil {
		return nil, err
	}
	files, err := brownDocs(dir)
	if err != nil {
		return nil, err
	}
	var out []ClassExample
	for _, f := range files {
		doc := filepath.Base(f)
		genre, ok := cats[doc]
		if !ok {
			return nil, fmt.Errorf("data: %s: document %s is not in cats.txt", f, doc)
		}
		var sents []string
		first := 0
		emit := func() {
			if len(sents) > 0 {
				out = append(out, ClassExample{ID: fmt.Sprintf("%s/%d", doc, first), Group: doc,
					Text: strings.Join(sents, " "), Labels: []string{genre}})
			}
			sents = sents[:0]
		}
		err := brownLines(f, func(n int, line string) error {
			s, err := BrownSentence(line)
			if err != nil {
				return err
			}
			if len(sents) == 0 {
				first = n
			}
			sents = append(sents, s)
			if len(sents) == sentencesPerExample {
				emit()
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		emit()
	}
	return out, nil
}
