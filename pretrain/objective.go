package pretrain

import (
	"fmt"
	"strings"

	"github.com/deberta-go/lab/debertav3"
)

// Objective is what a pre-training run optimises.
type Objective int

const (
	// ObjectiveRTD (the zero value) is ELECTRA-style replaced-token detection: generator + discriminator,
	// L = L_MLM + λ·L_RTD (DeBERTaV3 §2.2).
	ObjectiveRTD Objective = iota
	// ObjectiveMLM is the masked-language-modelling baseline (the paper's "RTD beats MLM" comparison): only the
	// model of Config.Generator is built and trained on L_MLM; no sampling, no discriminator.
	ObjectiveMLM
)

var objectiveNames = [...]string{ObjectiveRTD: "rtd", ObjectiveMLM: "mlm"}

// String returns "rtd" or "mlm".
func (o Objective) String() string {
	if o >= 0 && int(o) < len(objectiveNames) {
		return objectiveNames[o]
	}
	return fmt.Sprintf("Objective(%d)", int(o))
}

// RTDHeadKind is the discriminator's replaced-token-detection head.
type RTDHeadKind int

const (
	// RTDHeadDeBERTa (the zero value) is the official DeBERTaV3 head, debertav3.RTDHead (mask_predictions:
	// LayerNorm of h_0 + h_i, dense, activation, classifier).
	RTDHeadDeBERTa RTDHeadKind = iota
	// RTDHeadELECTRA is ELECTRA's head, debertav3.ElectraRTDHead (discriminator_predictions: dense, activation,
	// dense_prediction), exported with HF ElectraForPreTraining's key names.
	RTDHeadELECTRA
)

var rtdHeadNames = [...]string{RTDHeadDeBERTa: "deberta", RTDHeadELECTRA: "electra"}

// String returns "deberta" or "electra".
func (k RTDHeadKind) String() string {
	if k >= 0 && int(k) < len(rtdHeadNames) {
		return rtdHeadNames[k]
	}
	return fmt.Sprintf("RTDHeadKind(%d)", int(k))
}

// ParseRTDHead parses "deberta" or "electra" (case-insensitive, surrounding spaces ignored).
func ParseRTDHead(s string) (RTDHeadKind, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for k, n := range rtdHeadNames {
		if n == name {
			return RTDHeadKind(k), nil
		}
	}
	return 0, fmt.Errorf("unknown RTD head %q (want deberta or electra)", s)
}

// debertaHead is the debertav3.Head of the kind.
func (k RTDHeadKind) debertaHead() debertav3.Head {
	if k == RTDHeadELECTRA {
		return debertav3.HeadRTDElectra
	}
	return debertav3.HeadRTD
}

// ParseObjective parses "rtd" or "mlm" (case-insensitive, surrounding spaces ignored).
func ParseObjective(s string) (Objective, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for o, n := range objectiveNames {
		if n == name {
			return Objective(o), nil
		}
	}
	return 0, fmt.Errorf("unknown pre-training objective %q (want rtd or mlm)", s)
}
