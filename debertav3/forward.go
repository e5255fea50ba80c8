package debertav3

import (
	"fmt"
	"strconv"
	"strings"

	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/layers"
)

// graph builds the forward pass for Model: inputs [batch, seq] (or [batch, choices, seq]), outputs named in
// m.outputNames.
func (m *Model) graph(ctx *context.Context, ids, mask, typeIDs *Node) []*Node {
	cfg := m.Config
	choices := 0
	if m.Options.Has(HeadMultipleChoice) {
		dims := ids.Shape().Dimensions
		choices = dims[1]
		ids, mask, typeIDs = Reshape(ids, -1, dims[2]), Reshape(mask, -1, dims[2]), Reshape(typeIDs, -1, dims[2])
	}
	if cfg.TypeVocabSize == 0 {
		typeIDs = nil
	}
	bb := Backbone(ctx, cfg, ids, mask, typeIDs, nil)
	var names []string
	var outs []*Node
	add := func(name string, n *Node) {
		if n != nil {
			names, outs = append(names, name), append(outs, n)
		}
	}
	add("last_hidden_state", bb.LastHiddenState)
	if m.Options.OutputHiddenStates {
		for i, h := range bb.HiddenStates {
			add("hidden_states/"+strconv.Itoa(i), h)
		}
	}
	for i, att := range bb.Attentions {
		if m.Options.OutputAttentions {
			add("attentions/"+strconv.Itoa(i), layers.HeadMajorToHF(att.Probs))
		}
		if m.Options.OutputScores {
			add("c2c/"+strconv.Itoa(i), layers.HeadMajorToHF(att.C2C))
			add("c2p/"+strconv.Itoa(i), layers.HeadMajorToHF(att.C2P))
			add("p2c/"+strconv.Itoa(i), layers.HeadMajorToHF(att.P2C))
		}
	}
	h := bb.LastHiddenState
	for _, head := range m.Options.Heads {
		switch head {
		case HeadMaskedLM:
			mlmInput := h
			if m.Options.EnhancedMaskDecoder {
				emd := EnhancedMaskDecoder(ctx, cfg, bb, mask)
				mlmInput = emd[1]
				if m.Options.OutputHiddenStates {
					add("emd/0", emd[0])
					add("emd/1", emd[1])
				}
			}
			add("mlm_logits", MaskedLMHead(ctx, cfg, m.Options.MLMLayout, mlmInput, bb.WordEmbeddings))
		case HeadRTD:
			add("rtd_logits", RTDHead(ctx, cfg, h))
		case HeadRTDElectra:
			add("rtd_logits", ElectraRTDHead(ctx, cfg, h))
		case HeadSequenceClassification:
			add("logits", SequenceClassificationHead(ctx, cfg, h))
		case HeadTokenClassification:
			add("logits", TokenClassificationHead(ctx, cfg, h))
		case HeadQuestionAnswering:
			start, end := QuestionAnsweringHead(ctx, cfg, h)
			add("start_logits", start)
			add("end_logits", end)
		case HeadMultipleChoice:
			add("choice_logits", MultipleChoiceHead(ctx, cfg, h, choices))
		}
	}
	m.outputNames = names
	return outs
}

// collect maps the graph outputs back to Outputs fields by name.
func (m *Model) collect(results []*tensors.Tensor) *Outputs {
	out := &Outputs{}
	layers := m.Config.NumHiddenLayers
	if m.Options.OutputScores {
		out.C2C, out.C2P, out.P2C = make([]*tensors.Tensor, layers), make([]*tensors.Tensor, layers), make([]*tensors.Tensor, layers)
	}
	for i, name := range m.outputNames {
		t := results[i]
		kind, idx, _ := strings.Cut(name, "/")
		layer, _ := strconv.Atoi(idx)
		switch kind {
		case "last_hidden_state":
			out.LastHiddenState = t
		case "hidden_states":
			out.HiddenStates = append(out.HiddenStates, t)
		case "emd":
			out.EMDStates = append(out.EMDStates, t)
		case "attentions":
			out.Attentions = append(out.Attentions, t)
		case "c2c":
			out.C2C[layer] = t
		case "c2p":
			out.C2P[layer] = t
		case "p2c":
			out.P2C[layer] = t
		case "mlm_logits":
			out.MLMLogits = t
		case "rtd_logits":
			out.RTDLogits = t
		case "logits":
			out.Logits = t
		case "start_logits":
			out.StartLogits = t
		case "end_logits":
			out.EndLogits = t
		case "choice_logits":
			out.ChoiceLogits = t
		default:
			panic(fmt.Sprintf("debertav3: unknown output %q", name))
		}
	}
	return out
}
