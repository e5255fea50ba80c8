package nbkit

import (
	"strings"
	"testing"

	"github.com/deberta-go/lab/tokenizer"
)

func TestTokenTable(t *testing.T) {
	tok := builtin(t).Tokenizer
	text := "Hello <world> & more."
	enc, err := tok.Encode(text, tokenizer.EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	table, err := TokenTable(tok, text)
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(table, "<tr>") - 1; rows != len(enc.InputIDs) {
		t.Errorf("TokenTable has %d token rows, want %d", rows, len(enc.InputIDs))
	}
	shown, err := Highlight(tok, text)
	if err != nil {
		t.Fatal(err)
	}
	if spans := strings.Count(shown, "<span"); spans == 0 || spans > len(enc.InputIDs)-2 {
		t.Errorf("Highlight has %d spans for %d tokens (2 special)", spans, len(enc.InputIDs))
	}
	for name, html := range map[string]string{"TokenTable": table, "Highlight": shown} {
		if strings.Contains(html, "<world>") || !strings.Contains(html, "&lt;") {
			t.Errorf("%s does not escape the text: %s", name, html)
		}
	}
}
