package data

import (
	"reflect"
	"strings"
	"testing"
)

const (
	brownFixture = "testdata/labeled/brown"
	spamFixture  = "testdata/labeled/spam"
)

func TestBrownUniversalTag(t *testing.T) {
	for tag, want := range map[string]string{
		"at": "DET", "AT": "DET", "nn-tl": "NOUN", "nn-tl-hl": "NOUN", "np$": "NOUN", "nns$-hl": "NOUN",
		"nr": "NOUN", "pn": "NOUN", "vbd-hl": "VERB", "bedz*": "VERB", "md*": "VERB", "do*": "VERB",
		"hvz": "VERB", "ppss+md": "PRON", "pps+bez": "PRON", "nn+bez": "NOUN", "vb+ppo": "VERB",
		"dt+bez": "DET", "pp$": "DET", "wp$": "DET", "pp$$": "PRON", "ppo": "PRON", "wps": "PRON",
		"fw-nn": "X", "fw-in+nn-tl": "X", "fw-*": "X", "*": "ADV", "*-hl": "ADV", "ql": "ADV", "wrb": "ADV",
		"abn": "PRT", "abl": "PRT", "abx": "DET", "ap": "ADJ", "od": "ADJ", "jjt": "ADJ", "ex": "PRT",
		"uh": "PRT", "to": "PRT", "rp": "PRT", "cs": "ADP", "in-tl": "ADP", "cc": "CONJ", "cd": "NUM",
		"cd-tl": "NUM", ".": ".", ",": ".", ",-hl": ".", "--": ".", "``": ".", "''": ".", "'": ".", "(": ".",
		")-hl": ".", ":": ".", "nil": "X", "zz": "X",
	} {
		if got := BrownUniversalTag(tag); got != want {
			t.Errorf("BrownUniversalTag(%q) = %q, want %q", tag, got, want)
		}
	}
	for tag, want := range map[string]string{"NN-TL-HL": "nn", "ppss+md-nc": "ppss+md", "fw-nn-tl": "fw-nn",
		"pp$": "pp$", "-tl": "-tl", "*": "*"} {
		if got := BrownBaseTag(tag); got != want {
			t.Errorf("BrownBaseTag(%q) = %q, want %q", tag, got, want)
		}
	}
	known := map[string]bool{}
	for _, u := range UniversalTags() {
		known[u] = true
	}
	if len(known) != 12 {
		t.Fatalf("UniversalTags: %v", UniversalTags())
	}
	for base, u := range brownUniversal {
		if !known[u] {
			t.Errorf("brownUniversal[%q] = %q is not a universal tag", base, u)
		}
	}
}

func TestBrownPOS(t *testing.T) {
	got, err := BrownPOS(brownFixture, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d sentences, want 6", len(got))
	}
	want0 := TagExample{ID: "ca01/1", Group: "ca01", Words: []string{"The", "Grand", "Jury", "said", `"`, "no", `"`, "."},
		Tags: []string{"DET", "ADJ", "NOUN", "VERB", ".", "DET", ".", "."}}
	if !reflect.DeepEqual(got[0], want0) {
		t.Errorf("got  %#v\nwant %#v", got[0], want0)
	}
	if got[1].ID != "ca01/2" || got[1].Tags[3] != "PRON" || got[3].ID != "cb01/1" || got[3].Group != "cb01" {
		t.Errorf("got %#v / %#v", got[1], got[3])
	}
	if strings.Join(got[4].Tags, " ") != "PRT VERB ADJ X X ." {
		t.Errorf("cb01/2 tags %v", got[4].Tags)
	}
	base, err := BrownPOS(brownFixture, false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(base[0].Tags, " ") != "at jj nn vbd `` at '' ." || base[1].Tags[3] != "pps+md" {
		t.Errorf("base tags %v %v", base[0].Tags, base[1].Tags)
	}
	if _, err := BrownPOS(t.TempDir(), true); err == nil {
		t.Error("no error for an empty folder")
	}
}

func TestBrownGenre(t *testing.T) {
	got, err := BrownGenre(brownFixture, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []ClassExample{
		{ID: "ca01/1", Group: "ca01", Text: `The Grand Jury said "no". It said, it'll be fine.`, Labels: []string{"news"}},
		{ID: "ca01/3", Group: "ca01", Text: "Three dogs ran home.", Labels: []string{"news"}},
		{ID: "cb01/1", Group: "cb01", Text: "His view isn't ours. There were many bons mots.", Labels: []string{"editorial"}},
		{ID: "cr01/1", Group: "cr01", Text: "Oh, quite so!", Labels: []string{"humor"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if len(BrownGenres()) != 15 {
		t.Errorf("BrownGenres: %v", BrownGenres())
	}
	if _, err := BrownGenre(brownFixture, 0); err == nil {
		t.Error("no error for 0 sentences per example")
	}
}

func TestSpamAssassin(t *testing.T) {
	easy, err := SpamAssassin(spamFixture, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []ClassExample{
		{ID: "easy-ham-1/00001.aaaa", Text: "Hi Bob, the meeting is at noon.", Labels: []string{"ham"}},
		{ID: "easy-ham-2/00001.cccc", Text: "Café au lait costs two euros = cheap.", Labels: []string{"ham"}},
		{ID: "spam-1/00001.eeee", Text: "Buy cheap watches now!", Labels: []string{"spam"}},
		{ID: "spam-2/00001.ffff", Text: "Gagnez de l'argent très vite", Labels: []string{"spam"}},
	}
	for i := range want {
		want[i].Group = want[i].ID
	}
	if !reflect.DeepEqual(easy, want) {
		t.Errorf("got  %#v\nwant %#v", easy, want)
	}
	hard, err := SpamAssassin(spamFixture, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(hard) != 3 || hard[0].ID != "hard-ham-1/00001.dddd" || hard[0].Text != "Weekly newsletter Fish & chips" {
		t.Errorf("hard: %#v", hard)
	}
	if _, err := SpamAssassin(t.TempDir(), false); err == nil {
		t.Error("no error for an empty folder")
	}
	if !reflect.DeepEqual(SpamLabels(), []string{"ham", "spam"}) {
		t.Error(SpamLabels())
	}
}

func TestMessageText(t *testing.T) {
	for _, tc := range []struct{ name, msg, want string }{
		{"no headers end", "Subject: x", ""},
		{"empty", "", ""},
		{"nested multipart", "Content-Type: multipart/mixed; boundary=A\n\n--A\nContent-Type: multipart/alternative; boundary=AB\n\n" +
			"--AB\nContent-Type: text/html\n\n<p>html</p>\n--AB\nContent-Type: text/plain\n\nplain\n--AB--\n--A--\n", "plain"},
		{"unclosed multipart", "Content-Type: multipart/mixed; boundary=\"b\"\n\npreamble\n--b\n\nbody text\n", "body text"},
		{"malformed content type", "Content-Type: TEXT/PLAIN charset=US-ASCII\n\nhello", "hello"},
		{"html in plain", "Content-Type: text/plain\n\n<html><body>Hi <i>there</i></body></html>", "Hi there"},
		{"bad base64 kept", "Content-Transfer-Encoding: base64\n\nnot base64!", "not base64!"},
		{"boundary with spaces", "Content-Type: multipart/alternative; boundary=\"=Multi B\"\n\n--= Multi B\n\ntext\n--= Multi B--\n", "text"},
		{"multipart without boundary", "Content-Type: multipart/mixed\n\n--x\n\ntext\n", ""},
	} {
		if got := MessageText([]byte(tc.msg)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
