package tinymodels

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/tokenizer"
)

// Kind is one kind of tiny checkpoint folder.
type Kind string

const (
	// RTD is Microsoft's released layout (microsoft/deberta-v3-xsmall, -large): a discriminator (config.json,
	// model.safetensors: backbone, the mask_predictions head and, as in the released files, an untrained
	// lm_predictions.lm_head) with its generator beside it (generator_config.json, model.generator.safetensors:
	// the lm_predictions masked-LM head used through the Enhanced Mask Decoder).
	RTD Kind = "rtd"
	// RTDNoGenerator is RTD without the generator, as microsoft/deberta-v3-base and -small are released.
	RTDNoGenerator Kind = "rtd-no-generator"
	// NLI is a sequence classifier with id2label {0: entailment, 1: neutral, 2: contradiction}.
	NLI Kind = "nli"
	// NER is a token classifier with id2label {0: O, 1: B-PER, 2: I-PER, 3: B-LOC, 4: I-LOC}.
	NER Kind = "ner"
	// QA is an extractive question-answering model (qa_outputs head).
	QA Kind = "qa"
)

// Kinds lists every kind.
var Kinds = []Kind{RTD, RTDNoGenerator, NLI, NER, QA}

// InitializerRange is the standard deviation of the random weights: larger than the 0.02 of real models, so that
// the outputs of the untrained models vary visibly between tokens.
const InitializerRange = 0.2

// Config returns the tiny architecture for a vocabulary of vocab rows, with the given labels (nil: none).
func Config(vocab int, labels []string) (*debertav3.Config, error) {
	cfg := debertav3.DefaultConfig()
	cfg.VocabSize, cfg.HiddenSize, cfg.EmbeddingSize, cfg.PoolerHiddenSize = vocab, 32, 32, 32
	cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 2, 4, 64
	cfg.InitializerRange = InitializerRange
	if labels != nil {
		cfg.ID2Label, cfg.Label2ID, cfg.NumLabels = map[int]string{}, map[string]int{}, len(labels)
		for i, l := range labels {
			cfg.ID2Label[i], cfg.Label2ID[l] = l, i
		}
	}
	return cfg, cfg.Validate()
}

// Write creates dir and writes a tiny random-weight checkpoint of the given kind into it, with a copy of the
// spm.model of the folder spmDir (which may also hold tokenizer_config.json etc.; only spm.model is copied).
// seed fixes the random weights: the same seed writes the same weights.
func Write(dir string, kind Kind, spmDir string, seed int64) error {
	tok, err := tokenizer.Load(spmDir)
	if err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	vocab := (tok.VocabSize() + 63) / 64 * 64
	var (
		labels []string
		opts   debertav3.Options
	)
	switch kind {
	case RTD, RTDNoGenerator:
		opts.Heads = []debertav3.Head{debertav3.HeadRTD, debertav3.HeadMaskedLM}
		opts.MLMLayout = debertav3.MLMLMPredictions
	case NLI:
		labels = []string{"entailment", "neutral", "contradiction"}
		opts.Heads = []debertav3.Head{debertav3.HeadSequenceClassification}
	case NER:
		labels = []string{"O", "B-PER", "I-PER", "B-LOC", "I-LOC"}
		opts.Heads = []debertav3.Head{debertav3.HeadTokenClassification}
	case QA:
		opts.Heads = []debertav3.Head{debertav3.HeadQuestionAnswering}
	default:
		return fmt.Errorf("tinymodels: unknown kind %q (known: %v)", kind, Kinds)
	}
	cfg, err := Config(vocab, labels)
	if err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	if err := writeRandom(dir, cfg, opts, seed); err != nil {
		return err
	}
	if kind == RTD {
		gen := debertav3.Options{Heads: []debertav3.Head{debertav3.HeadMaskedLM}, MLMLayout: debertav3.MLMLMPredictions,
			EnhancedMaskDecoder: true}
		if err := writeGenerator(dir, cfg, gen, seed+1); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(filepath.Join(spmDir, "spm.model"))
	if err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "spm.model"), data, 0o644)
}

// writeRandom initialises a model of cfg/opts with seeded random weights (one forward pass) and saves it in dir.
func writeRandom(dir string, cfg *debertav3.Config, opts debertav3.Options, seed int64) error {
	m, err := debertav3.New(cfg, opts)
	if err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	m.Context.SetParam(context.ParamInitialSeed, seed)
	ids := tensors.FromValue([][]int32{{1, 5, 2}})
	if _, err := m.Forward(debertav3.Inputs{InputIDs: ids, AttentionMask: tensors.FromValue([][]int32{{1, 1, 1}})}); err != nil {
		return fmt.Errorf("tinymodels: initialising the weights: %w", err)
	}
	if err := checkpoints.Save(m, dir, "F32"); err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	return nil
}

// writeGenerator saves a generator beside the discriminator of dir under Microsoft's file names.
func writeGenerator(dir string, cfg *debertav3.Config, opts debertav3.Options, seed int64) error {
	tmp, err := os.MkdirTemp(dir, ".generator-")
	if err != nil {
		return fmt.Errorf("tinymodels: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := writeRandom(tmp, cfg, opts, seed); err != nil {
		return err
	}
	for from, to := range map[string]string{
		"config.json":       "generator_config.json",
		"model.safetensors": checkpoints.WeightFileName(checkpoints.FormatSafetensors, true),
	} {
		if err := os.Rename(filepath.Join(tmp, from), filepath.Join(dir, to)); err != nil {
			return fmt.Errorf("tinymodels: %w", err)
		}
	}
	return nil
}
