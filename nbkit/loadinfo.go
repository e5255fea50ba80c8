package nbkit

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
)

// ConfigTable is a Markdown summary of a checkpoint opened with checkpoints.Open: its folder, weight file and
// heads, then the configuration fields that shape the model.
func ConfigTable(m *debertav3.Model, r *checkpoints.LoadReport) string {
	c := m.Config
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — weights `%s` (%s), heads %v\n\n", filepath.Base(filepath.Dir(r.ConfigPath)),
		filepath.Base(r.Source.Path), r.Source.Format, m.Options.Heads)
	fmt.Fprintf(&b, "| config field | value |\n|---|---|\n")
	for _, row := range [][2]any{
		{"hidden_size / layers / heads / FFN", fmt.Sprintf("%d / %d / %d / %d", c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize)},
		{"vocab_size", c.VocabSize}, {"hidden_act", c.HiddenAct}, {"layer_norm_eps", c.LayerNormEps},
		{"pos_att_type", c.PosAttType}, {"position_buckets", c.PositionBuckets},
		{"max_relative_positions (effective)", fmt.Sprintf("%d (%d)", c.MaxRelativePositions, c.EffectiveMaxRelativePositions())},
		{"relative embedding rows", 2 * c.AttSpan()}, {"share_att_key", c.ShareAttKey}, {"norm_rel_ebd", c.NormRelEbd},
		{"position_biased_input", c.PositionBiasedInput}, {"type_vocab_size", c.TypeVocabSize},
	} {
		fmt.Fprintf(&b, "| %v | %v |\n", row[0], row[1])
	}
	return b.String()
}

// ParamTable is a Markdown table of a model's parameters grouped by component as named in the checkpoint (one
// row per encoder layer), with the embedding / non-embedding totals.
func ParamTable(m *debertav3.Model) string {
	groups := map[string]int{}
	var order []string
	for _, p := range debertav3.ParamSpecs(m.Config, m.Options) {
		parts := strings.Split(strings.TrimPrefix(p.Key(), "deberta."), ".")
		g := strings.Join(parts[:max(1, len(parts)-2)], ".") // drop the module's last part and "weight"/"bias"
		if len(parts) > 2 && parts[0] == "encoder" && parts[1] == "layer" {
			g = strings.Join(parts[:3], ".") // one row per layer
		}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] += p.Size()
	}
	emb, other := debertav3.ParamCounts(m.Config, m.Options)
	var b strings.Builder
	fmt.Fprintf(&b, "| component | parameters |\n|---|---:|\n")
	for _, g := range order {
		fmt.Fprintf(&b, "| %s | %d |\n", g, groups[g])
	}
	fmt.Fprintf(&b, "| **total** (embedding %d + non-embedding %d) | **%d** |\n", emb, other, emb+other)
	return b.String()
}
