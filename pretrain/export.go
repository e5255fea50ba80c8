package pretrain

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/layers"
)

// DiscriminatorOptions are the options of an exported discriminator: the backbone with the RTD head of
// c.RTDHead (debertav3.HeadRTD or debertav3.HeadRTDElectra).
func (c Config) DiscriminatorOptions() debertav3.Options {
	return debertav3.Options{Heads: []debertav3.Head{c.RTDHead.debertaHead()}}
}

// GeneratorOptions are the options of an exported generator: the MLM head in the lm_predictions layout, with the
// Enhanced Mask Decoder iff the pre-training used it (Config.GeneratorEMD). checkpoints.Open with
// OpenOptions.Generator detects the EMD whenever there is an MLM head: pass these options explicitly to load a
// generator trained without it.
func (c Config) GeneratorOptions() debertav3.Options {
	return debertav3.Options{Heads: []debertav3.Head{debertav3.HeadMaskedLM}, MLMLayout: debertav3.MLMLMPredictions,
		EnhancedMaskDecoder: c.GeneratorEMD}
}

// DiscriminatorModel returns the trained discriminator as a debertav3.Model (DiscriminatorOptions) holding
// copies of the trainer's current values: the backbone of "discriminator/deberta/...", the RTD head of
// "discriminator/mask_predictions/..." and the word table of layers.MergedDiscriminatorTable (E_G + E_Δ under
// GDES); when Config.SharesPositions, the position table P_G (ES) or P_G + P_Δ (GDES). The trainer must have run
// at least one Step. An ObjectiveMLM run has no discriminator: it fails.
func (t *Trainer) DiscriminatorModel() (*debertav3.Model, error) {
	if t.cfg.Objective == ObjectiveMLM {
		return nil, fmt.Errorf("pretrain: a %s run has no discriminator to export (export the generator)", t.cfg.Objective)
	}
	table, err := layers.MergedDiscriminatorTable(t.ctx, t.cfg.Sharing)
	if err != nil {
		return nil, err
	}
	tables := map[string]*tensors.Tensor{wordTableKey: table}
	positions, err := t.mergedDiscriminatorPositions()
	if err != nil {
		return nil, err
	}
	if positions != nil {
		tables[positionTableKey] = positions
	}
	return t.towerModel(t.cfg.Discriminator, t.cfg.DiscriminatorOptions(), "/"+DiscriminatorScope, tables)
}

// GeneratorModel returns the trained generator as a debertav3.Model (Config.GeneratorOptions): the backbone of
// "generator/deberta/...", the MLM head of "generator/lm_predictions/..." and the word table E_G (the single
// table of an ObjectiveMLM run, the model it trained).
func (t *Trainer) GeneratorModel() (*debertav3.Model, error) {
	table, err := GeneratorTable(t.ctx, t.cfg.tableMode())
	if err != nil {
		return nil, err
	}
	return t.towerModel(t.cfg.Generator, t.cfg.GeneratorOptions(), "/"+GeneratorScope, map[string]*tensors.Tensor{wordTableKey: table})
}

// Keys (ParamSpec scope/name) of the tables a tower may take from elsewhere than its own scope.
const (
	wordTableKey     = "/" + debertav3.BackboneScope + "/embeddings/word_embeddings/" + layers.WeightName
	positionTableKey = "/" + positionTableScope + "/" + layers.WeightName
)

// towerModel copies every ParamSpec variable of a model (cfg, opts) from the trainer's scope prefix+spec.Scope,
// or from tables when it holds the spec's key (scope/name: wordTableKey, positionTableKey).
func (t *Trainer) towerModel(cfg *debertav3.Config, opts debertav3.Options, prefix string, tables map[string]*tensors.Tensor) (*debertav3.Model, error) {
	m, err := debertav3.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	for _, spec := range debertav3.ParamSpecs(cfg, opts) {
		value, ok := tables[spec.Scope+"/"+spec.Name]
		if !ok {
			v := t.ctx.GetVariableByScopeAndName(prefix+spec.Scope, spec.Name)
			if v == nil || !v.HasValue() {
				return nil, fmt.Errorf("pretrain: export: no trained variable %s%s/%s (run a Step first)", prefix, spec.Scope, spec.Name)
			}
			if value, err = v.Value(); err != nil {
				return nil, err
			}
		}
		if dims := value.Shape().Dimensions; !equalInts(dims, spec.Shape) {
			return nil, fmt.Errorf("pretrain: export: %s has shape %v, the model wants %v", spec.Key(), dims, spec.Shape)
		}
		clone, err := value.LocalClone()
		if err != nil {
			return nil, err
		}
		m.Context.InAbsPath(spec.Scope).VariableWithValue(spec.Name, clone)
	}
	return m, nil
}

// ExportDiscriminator writes the discriminator (DiscriminatorModel) as a HuggingFace folder: config.json
// (debertav3.Config.MarshalHF, architecture DebertaV2ForPreTraining-style RTD keys), model.safetensors (F32,
// keys deberta.* and mask_predictions.* — discriminator_predictions.{dense,dense_prediction}.* with
// RTDHeadELECTRA, HF ElectraForPreTraining's names —, as ParamSpecs for Config.DiscriminatorOptions) and, if
// spmPath is not empty, a copy of the SentencePiece model as spm.model. checkpoints.Open(dir, OpenOptions{})
// loads either head (it detects debertav3.HeadRTDElectra from the keys). It fails for an ObjectiveMLM run (no
// discriminator).
func ExportDiscriminator(t *Trainer, dir, spmPath string) error {
	m, err := t.DiscriminatorModel()
	if err != nil {
		return err
	}
	if err := checkpoints.Save(m, dir, "F32"); err != nil {
		return err
	}
	return copySPM(spmPath, dir)
}

// ExportGenerator writes the generator (GeneratorModel) into dir as generator_config.json and model.safetensors
// (keys deberta.* and lm_predictions.lm_head.*; the tied decoder is not stored), plus spm.model if spmPath is
// not empty. dir must not hold a discriminator's config.json (then checkpoints.Open with
// OpenOptions{Generator: true} reads the plain weight-file name): use a separate folder.
func ExportGenerator(t *Trainer, dir, spmPath string) error {
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
		return fmt.Errorf("pretrain: ExportGenerator: %s already holds a config.json: use a separate folder", dir)
	}
	m, err := t.GeneratorModel()
	if err != nil {
		return err
	}
	if err := checkpoints.Save(m, dir, "F32"); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(dir, "config.json"), filepath.Join(dir, "generator_config.json")); err != nil {
		return err
	}
	return copySPM(spmPath, dir)
}

func copySPM(spmPath, dir string) error {
	if spmPath == "" {
		return nil
	}
	in, err := os.Open(spmPath)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(filepath.Join(dir, "spm.model"))
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
