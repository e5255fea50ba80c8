package checkpoints

import (
	"fmt"
	"os"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/debertav3"
)

// positionTableKey is the absolute position table's key.
const positionTableKey = "deberta.embeddings.position_embeddings.weight"

// LoadReport says what a load did.
type LoadReport struct {
	Source WeightFiles
	// ConfigPath is the config file read (Open only).
	ConfigPath string
	// Loaded is the number of variables set; Parameters their total size.
	Loaded     int
	Parameters int
	// DTypes counts the storage dtypes of the loaded tensors (e.g. {"F16": 200}).
	DTypes map[string]int
	// Ignored are known keys deliberately not loaded, with the reason; Unknown are keys nothing explains.
	Ignored map[string]string
	Unknown []string
}

// OpenOptions tunes Open.
type OpenOptions struct {
	// Options selects the heads; nil detects them from the checkpoint's keys and architectures (DetectOptions).
	Options *debertav3.Options
	// Generator loads Microsoft's generator checkpoint of the folder (generator_config.json +
	// pytorch_model.generator.bin, or plain weight-file names in a folder without config.json) instead of the
	// main model; detected masked-LM heads then use the Enhanced Mask Decoder.
	Generator bool
	// Formats orders the weight-file formats to look for (nil: DefaultFormats).
	Formats []Format
	// OutputHiddenStates, OutputAttentions and OutputScores are copied into the model's options.
	OutputHiddenStates, OutputAttentions, OutputScores bool
}

// Open builds a model from a HuggingFace checkpoint folder: config.json (or generator_config.json) and the
// weights (model.safetensors, a sharded index, or pytorch_model.bin).
func Open(dir string, o OpenOptions) (*debertav3.Model, *LoadReport, error) {
	cfg, sd, configPath, err := ReadCheckpoint(dir, o.Generator, o.Formats)
	if err != nil {
		return nil, nil, err
	}
	var opts debertav3.Options
	if o.Options != nil {
		opts = *o.Options
	} else {
		opts = DetectOptions(cfg, sd.Keys())
		// Microsoft's generator checkpoints are trained with the Enhanced Mask Decoder, which needs the absolute
		// position table (a generator exported without it, as `deberta pretrain` does by default, has none).
		opts.EnhancedMaskDecoder = o.Generator && opts.Has(debertav3.HeadMaskedLM) && slices.Contains(sd.Keys(), positionTableKey)
	}
	opts.OutputHiddenStates = opts.OutputHiddenStates || o.OutputHiddenStates
	opts.OutputAttentions = opts.OutputAttentions || o.OutputAttentions
	opts.OutputScores = opts.OutputScores || o.OutputScores
	m, err := debertav3.New(cfg, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", configPath, err)
	}
	report, err := LoadInto(m, sd)
	if err != nil {
		return nil, nil, err
	}
	report.ConfigPath = configPath
	return m, report, nil
}

// LoadInto sets every variable of m from the state dict, strictly (see MatchStateDict).
func LoadInto(m *debertav3.Model, sd *StateDict) (*LoadReport, error) {
	match, err := MatchStateDict(m.Config, m.Options, sd.Tensors)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sd.Source.Path, err)
	}
	return loadMatch(m, sd, match)
}

// LoadBackbone is LoadInto for fine-tuning, like from_pretrained with a new task head: when the checkpoint holds
// every variable of m (e.g. an already fine-tuned model with the same labels) all are loaded; otherwise the
// backbone's variables are loaded strictly and the heads' are left unset, so that the model's first graph
// initialises them (N(0, initializer_range), as HF). newHeads lists the HF keys of the variables left to
// initialise (nil when everything was loaded).
func LoadBackbone(m *debertav3.Model, sd *StateDict) (report *LoadReport, newHeads []string, err error) {
	if match, err := MatchStateDict(m.Config, m.Options, sd.Tensors); err == nil {
		report, err := loadMatch(m, sd, match)
		return report, nil, err
	}
	match, err := MatchStateDict(m.Config, debertav3.Options{}, sd.Tensors)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", sd.Source.Path, err)
	}
	backbone := map[string]bool{}
	for _, p := range match.Params {
		backbone[p.Spec.Key()] = true
	}
	for _, spec := range debertav3.ParamSpecs(m.Config, m.Options) {
		if !backbone[spec.Key()] {
			newHeads = append(newHeads, spec.Key())
		}
	}
	report, err = loadMatch(m, sd, match)
	return report, newHeads, err
}

// loadMatch sets the matched variables of m.
func loadMatch(m *debertav3.Model, sd *StateDict, match *Match) (*LoadReport, error) {
	report := &LoadReport{Source: sd.Source, DTypes: map[string]int{}, Ignored: match.Ignored, Unknown: match.Unknown}
	for _, p := range match.Params {
		data := p.Tensor.Data
		if p.Spec.Transposed {
			data = transpose2D(data, p.Tensor.Shape[0], p.Tensor.Shape[1])
		}
		if err := setVariable(m, p.Spec, tensors.FromFlatDataAndDimensions(data, p.Spec.Shape...)); err != nil {
			return nil, fmt.Errorf("%s: setting %s: %w", sd.Source.Path, p.Spec.Key(), err)
		}
		report.Loaded++
		report.Parameters += p.Spec.Size()
		report.DTypes[p.Tensor.DType]++
	}
	return report, nil
}

// setVariable creates or overwrites the context variable of spec.
func setVariable(m *debertav3.Model, spec debertav3.ParamSpec, value *tensors.Tensor) error {
	if v := m.Context.InspectVariable(spec.Scope, spec.Name); v != nil {
		return v.SetValue(value)
	}
	m.Context.InAbsPath(spec.Scope).VariableWithValue(spec.Name, value)
	return nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
