package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/data"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/defaultmodel"
	"github.com/deberta-go/lab/pretrain"
	"github.com/deberta-go/lab/tokenizer"
)

func init() {
	register("eval-rtd", "how well a discriminator detects its generator's replacements on text: ROC AUC, gain over the prior, precision/recall", runEvalRTD)
}

// evalRTDResult is eval-rtd's output line: the RTD diagnostics pooled over the scored (non-special) tokens.
type evalRTDResult struct {
	Discriminator string `json:"discriminator"`
	Generator     string `json:"generator"`
	Batches       int    `json:"batches"`
	// SampledAcc: fraction of masked tokens where the generator's sample equals the original.
	SampledAcc float64 `json:"sampled_acc"`
	// FillTop1 and FillTop5: fraction of masked tokens whose original is the generator's most likely token, or
	// among its 5 most likely (fill-mask accuracy on the text, per piece).
	FillTop1 float64 `json:"fill_top1"`
	FillTop5 float64 `json:"fill_top5"`
	pretrain.RTDStats
}

// evalRTDFlags are eval-rtd's settings.
type evalRTDFlags struct {
	model                 string
	batch, seq, maxBatch  int
	seed                  uint64
	temperature, maskRate float64
	heldOut               bool
}

func runEvalRTD(args []string, stdout io.Writer) error {
	fs := newFlags("eval-rtd", "[--model DIR] [--batch N] [--seq L] [--max-batches N] [--seed S] FILE|DIR ...")
	var f evalRTDFlags
	fs.StringVar(&f.model, "model", "", "folder holding discriminator/ and generator/ (a pretrain run folder), or a checkpoint folder or hub name with the generator beside the discriminator; default: the built-in model "+defaultmodel.Name)
	fs.IntVar(&f.batch, "batch", 8, "sequences per batch")
	fs.IntVar(&f.seq, "seq", 128, "sequence length (text packed into sequences of this length)")
	fs.IntVar(&f.maxBatch, "max-batches", 0, "evaluate at most this many batches; 0: all the text")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the masks and of the generator's sampling")
	fs.Float64Var(&f.temperature, "temperature", 1, "temperature of the generator's sampling softmax")
	fs.Float64Var(&f.maskRate, "mask-rate", 0.15, "fraction of the non-special tokens masked")
	fs.BoolVar(&f.heldOut, "held-out", false, "evaluate on the validation split of the default pre-training corpus (data.PretrainDocs, never trained on by `deberta pretrain`) instead of FILE|DIR")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (fs.NArg() == 0) != f.heldOut {
		return errors.New("give one or more text files or folders (one document per blank-line-separated paragraph), or --held-out")
	}
	if f.batch <= 0 || f.seq < 8 || f.maxBatch < 0 || !(f.temperature > 0) || !(f.maskRate > 0 && f.maskRate <= 1) {
		return errors.New("--batch must be > 0, --seq >= 8, --max-batches >= 0, --temperature > 0 and --mask-rate in (0, 1]")
	}
	discDir, genDir, err := f.folders()
	if err != nil {
		return err
	}
	disc, _, err := checkpoints.Open(discDir, checkpoints.OpenOptions{})
	if err != nil {
		return err
	}
	if !disc.Options.Has(debertav3.HeadRTD) && !disc.Options.Has(debertav3.HeadRTDElectra) {
		return fmt.Errorf("%s has no replaced-token-detection head", discDir)
	}
	genOpts := pretrain.Config{}.GeneratorOptions()
	_, statErr := os.Stat(filepath.Join(genDir, "generator_config.json")) // Microsoft's layout; ours: config.json
	gen, _, err := checkpoints.Open(genDir, checkpoints.OpenOptions{Generator: statErr == nil, Options: &genOpts})
	if err != nil {
		return err
	}
	if gen.Config.VocabSize != disc.Config.VocabSize {
		return fmt.Errorf("generator %s (vocabulary %d) and discriminator %s (vocabulary %d) do not match", genDir, gen.Config.VocabSize, discDir, disc.Config.VocabSize)
	}
	if maxPos := min(gen.Config.MaxPositionEmbeddings, disc.Config.MaxPositionEmbeddings); f.seq > maxPos {
		return fmt.Errorf("--seq %d exceeds max_position_embeddings %d", f.seq, maxPos)
	}
	tok, err := tokenizer.Load(discDir)
	if err != nil {
		return err
	}
	docs := data.TextFiles(fs.Args(), data.TextOptions{Paragraphs: true})
	if f.heldOut {
		if docs, err = data.PretrainDocs(context.Background(), "", os.Stderr); err != nil {
			return err
		}
		docs = data.Split(docs, data.DefaultValidationFraction, data.DefaultSplitSeed, true)
	}
	res, err := evalRTD(gen, disc, tok, docs, f)
	if err != nil {
		return err
	}
	res.Discriminator, res.Generator = discDir, genDir
	return writeLines(stdout, []evalRTDResult{res})
}

// folders are the discriminator's and the generator's folders of --model: its discriminator/ and generator/
// subfolders, or one folder (or hub name) holding both checkpoints in Microsoft's layout (generator_config.json
// beside config.json); without --model, the built-in model's.
func (f evalRTDFlags) folders() (disc, gen string, err error) {
	if f.model == "" {
		if disc, err = defaultmodel.Dir(defaultmodel.Discriminator); err != nil {
			return "", "", err
		}
		gen, err = defaultmodel.Dir(defaultmodel.Generator)
		return disc, gen, err
	}
	disc, gen = filepath.Join(f.model, "discriminator"), filepath.Join(f.model, "generator")
	if isDir(disc) && isDir(gen) {
		return disc, gen, nil
	}
	dir, err := modelDir(f.model, true)
	if err != nil {
		return "", "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "generator_config.json")); err != nil {
		return "", "", fmt.Errorf("--model %s: neither discriminator/ and generator/ subfolders nor a generator checkpoint (generator_config.json) beside the discriminator", f.model)
	}
	return dir, dir, nil
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// evalRTD masks the packed text (f.maskRate, always [MASK]), samples a replacement for every masked token from
// the generator's softmax at temperature f.temperature, runs the discriminator on the corrupted text and pools
// the RTD diagnostics over the non-special tokens.
func evalRTD(gen, disc *debertav3.Model, tok *tokenizer.Tokenizer, docs data.Docs, f evalRTDFlags) (evalRTDResult, error) {
	var res evalRTDResult
	opts := data.DefaultMaskOptions()
	opts.Rate, opts.Seed = f.maskRate, f.seed
	masker, err := data.NewMasker(tok, f.seq, opts)
	if err != nil {
		return res, err
	}
	batcher, err := data.NewBatcher(data.Pack(tok, docs, f.seq, false), f.batch, f.seq, tok.SpecialIDs().Pad, false)
	if err != nil {
		return res, err
	}
	defer batcher.Close()
	rng := rand.New(rand.NewPCG(f.seed, 0x5a3e))
	var logits, labels []float32
	var scored []bool
	var masked, sampledOK, top1, top5 int
	for f.maxBatch == 0 || res.Batches < f.maxBatch {
		b, err := batcher.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		m, err := masker.MaskBatch(b)
		if err != nil {
			return res, err
		}
		hb := pretrain.NewTextBatch(b, m, tok.SpecialIDs())
		out, err := gen.Forward(debertav3.Inputs{InputIDs: hb.MaskedIDs, AttentionMask: hb.Mask})
		if err != nil {
			return res, err
		}
		genLogits := tensors.MustCopyFlatData[float32](out.MLMLogits)
		corrupted, lab, ok := corrupt(b.IDs, m, genLogits, gen.Config.VocabSize, f.temperature, rng)
		masked, sampledOK = masked+len(ok), sampledOK+count(ok)
		t1, t5 := fillRanks(b.IDs, m, genLogits, gen.Config.VocabSize)
		top1, top5 = top1+t1, top5+t5
		ids := tensors.FromFlatDataAndDimensions(corrupted, b.Size, b.SeqLen)
		dout, err := disc.Forward(debertav3.Inputs{InputIDs: ids, AttentionMask: hb.Mask})
		if err != nil {
			return res, err
		}
		logits, labels = append(logits, tensors.MustCopyFlatData[float32](dout.RTDLogits)...), append(labels, lab...)
		for _, s := range tensors.MustCopyFlatData[int32](hb.Scored) {
			scored = append(scored, s != 0)
		}
		res.Batches++
	}
	if res.Batches == 0 {
		return res, errors.New("the text yields no sequences")
	}
	if masked > 0 {
		res.SampledAcc = float64(sampledOK) / float64(masked)
		res.FillTop1, res.FillTop5 = float64(top1)/float64(masked), float64(top5)/float64(masked)
	}
	res.RTDStats, err = pretrain.RTDStatsOf(logits, labels, scored)
	return res, err
}

// corrupt replaces every masked position of m in ids [size, seqLen] by a sample of softmax(logits/temperature)
// at that position (logits [size, seqLen, vocab]); it returns the corrupted ids, the labels (1 where the sample
// differs from the original) and, per masked position, whether the sample equals the original.
func corrupt(ids []int32, m *data.Masked, logits []float32, vocab int, temperature float64, rng *rand.Rand) (out []int32, labels []float32, same []bool) {
	out, labels = append([]int32(nil), ids...), make([]float32, len(ids))
	probs := make([]float64, vocab)
	eachMasked(m, func(i int) {
		row := logits[i*vocab : (i+1)*vocab]
		top := math.Inf(-1)
		for _, z := range row {
			top = max(top, float64(z))
		}
		total := 0.0
		for k, z := range row {
			probs[k] = math.Exp((float64(z) - top) / temperature)
			total += probs[k]
		}
		u, k := rng.Float64()*total, 0
		for ; k < vocab-1 && u >= probs[k]; k++ {
			u -= probs[k]
		}
		out[i] = int32(k)
		same = append(same, out[i] == ids[i])
		if out[i] != ids[i] {
			labels[i] = 1
		}
	})
	return out, labels, same
}

// fillRanks counts the masked positions of m whose original id is the top-1, and among the top-5, of logits
// [size, seqLen, vocab] (ties ranked against the original).
func fillRanks(ids []int32, m *data.Masked, logits []float32, vocab int) (top1, top5 int) {
	eachMasked(m, func(i int) {
		row := logits[i*vocab : (i+1)*vocab]
		target, above := row[ids[i]], 0
		for k, z := range row {
			if z > target || (z == target && k < int(ids[i])) {
				above++
			}
		}
		if above == 0 {
			top1++
		}
		if above < 5 {
			top5++
		}
	})
	return top1, top5
}

// eachMasked calls f with the flat index (row·SeqLen + position) of every used slot of m, in slot order.
func eachMasked(m *data.Masked, f func(i int)) {
	for r := range m.Size {
		for j := range m.Slots {
			if s := r*m.Slots + j; m.Weights[s] != 0 {
				f(r*m.SeqLen + int(m.Positions[s]))
			}
		}
	}
}

func count(xs []bool) int {
	n := 0
	for _, x := range xs {
		if x {
			n++
		}
	}
	return n
}
