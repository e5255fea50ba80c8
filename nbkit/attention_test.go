package nbkit

import (
	"bytes"
	"strings"
	"testing"

	"github.com/deberta-go/lab/pipeline"
)

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

func TestAttentionFigures(t *testing.T) {
	d, err := builtin(t).Dissect("The cat sat on the mat.")
	if err != nil {
		t.Fatal(err)
	}
	l, h := len(d.Attention)-1, len(d.Attention[0])-1
	for name, f := range map[string]func(*pipeline.Dissection, int, int) ([]byte, error){
		"AttentionMap": AttentionMap, "TermSplit": TermSplit,
	} {
		png, err := f(d, l, h)
		if err != nil || !bytes.HasPrefix(png, pngMagic) {
			t.Errorf("%s(%d, %d): %d bytes, %v; want a PNG", name, l, h, len(png), err)
		}
		for _, bad := range [][2]int{{-1, 0}, {l + 1, 0}, {0, h + 1}} {
			if _, err := f(d, bad[0], bad[1]); err == nil || !strings.Contains(err.Error(), "out of range") {
				t.Errorf("%s(%d, %d): error %v, want out of range", name, bad[0], bad[1], err)
			}
		}
	}
	page, err := HeadHTML(d, 0, 0)
	if err != nil || strings.Count(page, "data:image/png;base64,") != 2 {
		t.Errorf("HeadHTML: %v, %d images", err, strings.Count(page, "data:image/png"))
	}
	bars, positions, err := Overview(d)
	if err != nil || !bytes.HasPrefix(positions, pngMagic) || (bars != nil && !bytes.HasPrefix(bars, pngMagic)) {
		t.Errorf("Overview: %v", err)
	}
	if _, err := AttentionMap(&pipeline.Dissection{}, 0, 0); err == nil {
		t.Error("AttentionMap of an empty dissection: no error")
	}
}

func TestExploreAttentionErrors(t *testing.T) {
	if err := ExploreAttention(builtin(t), nil); err == nil {
		t.Error("ExploreAttention without sentences: no error")
	}
	plain, err := Load("", pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExploreAttention(plain, []string{"A sentence."}); err == nil {
		t.Error("ExploreAttention on a model without attentions: no error")
	}
	if err := ExploreAttention(builtin(t), []string{"A sentence."}); err != nil {
		t.Errorf("ExploreAttention outside a notebook: %v", err)
	}
}

func TestHeadMapsAndScoreBars(t *testing.T) {
	p := builtin(t)
	batch, err := p.Encode([]string{"The cat sat.", "A longer second sentence here."})
	if err != nil {
		t.Fatal(err)
	}
	out, err := p.Model.Forward(batch.Inputs)
	if err != nil {
		t.Fatal(err)
	}
	maps, err := HeadMaps(out.Attentions[0], 1, "layer 0")
	if err != nil || len(maps) != p.Model.Config.NumAttentionHeads || !bytes.HasPrefix(maps[0], pngMagic) {
		t.Errorf("HeadMaps: %d PNGs, %v; want %d", len(maps), err, p.Model.Config.NumAttentionHeads)
	}
	if _, err := HeadMaps(out.Attentions[0], 2, "layer 0"); err == nil {
		t.Error("HeadMaps of sequence 2 of 2: no error")
	}
	if _, err := HeadMaps(out.LastHiddenState, 0, "hidden"); err == nil {
		t.Error("HeadMaps of a rank-3 tensor: no error")
	}
	bars, err := ScoreBars(out, batch.Mask)
	if err != nil || !bytes.HasPrefix(bars, pngMagic) {
		t.Errorf("ScoreBars: %v", err)
	}
}
