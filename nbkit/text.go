package nbkit

import (
	"fmt"
	"html"
	"sort"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/deberta-go/lab/pipeline"
	"github.com/deberta-go/lab/plots"
	"github.com/deberta-go/lab/tokenizer"
)

// TokenTable tokenises text (special tokens added) and returns an HTML table of its tokens: position, piece, id,
// byte offsets, word id and the text each covers (a piece starting with ▁ covers the space before it).
func TokenTable(tok *tokenizer.Tokenizer, text string) (string, error) {
	e, err := tok.Encode(text, tokenizer.EncodeOptions{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("<table><tr><th>#</th><th>piece</th><th>id</th><th>bytes</th><th>word</th><th>text</th></tr>\n")
	for i, id := range e.InputIDs {
		o := e.Offsets[i]
		fmt.Fprintf(&b, "<tr><td>%d</td><td><code>%s</code></td><td>%d</td><td>%d–%d</td><td>%d</td><td>%s</td></tr>\n",
			i, html.EscapeString(e.Tokens[i]), id, o.Start, o.End, e.WordIDs[i], html.EscapeString(fmt.Sprintf("%q", text[o.Start:o.End])))
	}
	b.WriteString("</table>")
	return b.String(), nil
}

// tokenColors are the backgrounds Highlight cycles through.
var tokenColors = []string{"#cfe8ff", "#ffe0b3", "#d4f4dd", "#f6d5ea"}

// Highlight tokenises text and returns HTML showing the text with each token's span boxed in alternating
// colours (hover: piece → id), then its tokens and ids. Special tokens, and the further byte pieces of a
// character already shown, have no span.
func Highlight(tok *tokenizer.Tokenizer, text string) (string, error) {
	enc, err := tok.Encode(text, tokenizer.EncodeOptions{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("<div style='font-family:monospace;margin:8px 0'>")
	prevEnd, k := 0, 0
	for i, off := range enc.Offsets {
		if enc.SpecialTokensMask[i] == 1 || off.End <= prevEnd {
			continue
		}
		if off.Start > prevEnd {
			b.WriteString(html.EscapeString(text[prevEnd:off.Start]))
		}
		fmt.Fprintf(&b, "<span title='%s → %d' style='background:%s;border:1px solid #888;margin:0 1px;padding:0 2px'>%s</span>",
			html.EscapeString(enc.Tokens[i]), enc.InputIDs[i], tokenColors[k%len(tokenColors)], html.EscapeString(text[off.Start:off.End]))
		prevEnd, k = off.End, k+1
	}
	b.WriteString("</div>")
	fmt.Fprintf(&b, "<pre>%s</pre>", html.EscapeString(fmt.Sprintf("tokens: %q\nids:    %v", enc.Tokens, enc.InputIDs)))
	return b.String(), nil
}

// DetectionStrips runs replaced-token detection on texts and returns one PNG per text, each token coloured by its
// P(replaced), and a line naming the top most suspicious tokens of each text.
func DetectionStrips(p *pipeline.Pipeline, texts []string, top int) ([][]byte, string, error) {
	res, err := p.Detect(texts)
	if err != nil {
		return nil, "", err
	}
	var pngs [][]byte
	var b strings.Builder
	for i, text := range texts {
		var tokens []string
		var scores []float64
		for _, s := range res[i] {
			tokens = append(tokens, strings.ReplaceAll(s.Token, "▁", "·")) // the font has no ▁
			scores = append(scores, s.Score)
		}
		png, err := plots.TokenStrip(fmt.Sprintf("P(replaced) — %q", text), tokens, scores, 0, 1, plots.Size{Width: 7 * vg.Inch})
		if err != nil {
			return nil, "", err
		}
		pngs = append(pngs, png)
		sorted := append([]pipeline.TokenScore(nil), res[i]...)
		sort.SliceStable(sorted, func(a, b int) bool { return sorted[a].Score > sorted[b].Score })
		for _, s := range sorted[:min(top, len(sorted))] {
			fmt.Fprintf(&b, "text %d, most suspicious: %-10q P(replaced) = %.3f (bytes %d–%d)\n", i, s.Token, s.Score, s.Start, s.End)
		}
	}
	return pngs, b.String(), nil
}

// FillMaskTable runs fill-mask on texts and returns a Markdown table of the topK candidates of every [MASK].
func FillMaskTable(p *pipeline.Pipeline, texts []string, topK int) (string, error) {
	res, err := p.FillMask(texts, topK)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, text := range texts {
		for _, m := range res[i] {
			fmt.Fprintf(&b, "**%s** (token %d)\n\n| rank | token | id | probability | sequence |\n|---:|---|---:|---:|---|\n", text, m.Position)
			for r, c := range m.Candidates {
				fmt.Fprintf(&b, "| %d | `%s` | %d | %.4f | %s |\n", r+1, c.Token, c.TokenID, c.Score, c.Sequence)
			}
			b.WriteString("\n")
		}
	}
	return b.String(), nil
}

// ZeroShotTable runs zero-shot classification of texts over labels (default template), single- and
// multi-label, and returns a Markdown table of the rankings.
func ZeroShotTable(p *pipeline.Pipeline, texts, labels []string) (string, error) {
	var b strings.Builder
	for _, multi := range []bool{false, true} {
		res, err := p.ZeroShot(texts, labels, "", multi)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "**multi-label: %v**\n\n| text | ranking |\n|---|---|\n", multi)
		for i, text := range texts {
			var parts []string
			for _, s := range res[i] {
				parts = append(parts, fmt.Sprintf("%s %.3f", s.Label, s.Score))
			}
			fmt.Fprintf(&b, "| %s | %s |\n", text, strings.Join(parts, " · "))
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}
