package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/internal/atomicdir"
	"github.com/deberta-go/lab/internal/npy"
)

func init() {
	register("dump", "run a checkpoint on .npy inputs and write its outputs as float32 .npy files", runDump)
}

func runDump(args []string, stdout io.Writer) error {
	fs := newFlags("dump", "--model DIR|owner/name[@rev] --ids IDS.npy --mask MASK.npy [--token-types TT.npy] --out OUTDIR")
	ref := fs.String("model", "", modelRefUsage)
	idsPath := fs.String("ids", "", "input ids, integer .npy [batch, seq]")
	maskPath := fs.String("mask", "", "attention mask, integer .npy [batch, seq] (1 = real token)")
	ttPath := fs.String("token-types", "", "optional token type ids, integer .npy [batch, seq]")
	outDir := fs.String("out", "", "output folder (created whole; an existing non-empty one needs --overwrite)")
	overwrite := fs.Bool("overwrite", false, "replace an existing non-empty --out folder whole")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ref == "" || *idsPath == "" || *maskPath == "" || *outDir == "" {
		fs.Usage()
		return fmt.Errorf("--model, --ids, --mask and --out are required")
	}
	ids, err := readIDs(*idsPath, nil)
	if err != nil {
		return err
	}
	mask, err := readIDs(*maskPath, ids.Shape().Dimensions)
	if err != nil {
		return err
	}
	if err := checkMask(*maskPath, mask); err != nil {
		return err
	}
	in := debertav3.Inputs{InputIDs: ids, AttentionMask: mask}
	if *ttPath != "" {
		if in.TokenTypeIDs, err = readIDs(*ttPath, ids.Shape().Dimensions); err != nil {
			return err
		}
	}
	if err := atomicdir.Check(*outDir, *overwrite); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	dir, err := modelDir(*ref, true)
	if err != nil {
		return err
	}
	hasMain := fileExists(filepath.Join(dir, "config.json"))
	hasGenerator := fileExists(filepath.Join(dir, "generator_config.json"))
	m, out, err := dumpForward(dir, *idsPath, in, !hasMain)
	if err != nil {
		return err
	}
	if hasMain && hasGenerator && out.MLMLogits == nil {
		// Microsoft's released layout: a discriminator with its generator beside it.
		_, gen, err := dumpForward(dir, *idsPath, in, true)
		if err != nil {
			return err
		}
		out.MLMLogits = gen.MLMLogits
	}
	if err := atomicdir.Write(*outDir, *overwrite, func(tmp string) error { return writeOutputs(tmp, m, out) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *outDir)
	return nil
}

// writeOutputs writes the outputs of m as .npy files into dir.
func writeOutputs(dir string, m *debertav3.Model, out *debertav3.Outputs) error {
	files := map[string]*tensors.Tensor{
		"last_hidden_state": out.LastHiddenState, "mlm_logits": out.MLMLogits, "rtd_logits": out.RTDLogits,
		"start_logits": out.StartLogits, "end_logits": out.EndLogits,
	}
	if m.Options.Has(debertav3.HeadSequenceClassification) {
		files["cls_logits"] = out.Logits
	} else if m.Options.Has(debertav3.HeadTokenClassification) {
		files["token_logits"] = out.Logits
	}
	for name, t := range files {
		if t != nil {
			if err := writeNPY(filepath.Join(dir, name+".npy"), t); err != nil {
				return err
			}
		}
	}
	if len(out.HiddenStates) > 0 {
		return writeStacked(filepath.Join(dir, "hidden_states.npy"), out.HiddenStates)
	}
	return nil
}

// dumpForward opens the main or generator checkpoint of dir and runs it on in, logging what it does.
func dumpForward(dir, idsPath string, in debertav3.Inputs, generator bool) (*debertav3.Model, *debertav3.Outputs, error) {
	m, report, err := checkpoints.Open(dir, checkpoints.OpenOptions{OutputHiddenStates: true, Generator: generator})
	if err != nil {
		return nil, nil, err
	}
	if err := checkVocab(idsPath, in.InputIDs, m.Config.VocabSize); err != nil {
		return nil, nil, err
	}
	what := "model"
	if m.Options.EnhancedMaskDecoder {
		what = "generator (mlm_logits through the Enhanced Mask Decoder at every position)"
	}
	fmt.Fprintf(os.Stderr, "deberta dump: %s %s (%s), heads %v, batch %v\n", what, report.Source.Path, report.Source.Format, m.Options.Heads, in.InputIDs.Shape().Dimensions)
	out, err := m.Forward(in)
	return m, out, err
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readIDs reads an integer .npy as an int32 tensor, checking its shape against want (nil: any [batch, seq]).
func readIDs(path string, want []int) (*tensors.Tensor, error) {
	a, err := npy.Read(path)
	if err != nil {
		return nil, err
	}
	if a.I64 == nil {
		return nil, fmt.Errorf("%s: dtype %s, want integers (int64 or int32)", path, a.DType)
	}
	if len(a.Shape) != 2 || (want != nil && !slices.Equal(a.Shape, want)) {
		return nil, fmt.Errorf("%s: shape %v, want [batch, seq]%s", path, a.Shape, shapeHint(want))
	}
	if a.Shape[0] == 0 || a.Shape[1] == 0 {
		return nil, fmt.Errorf("%s: shape %v: the batch and the sequences must not be empty", path, a.Shape)
	}
	data := make([]int32, len(a.I64))
	for i, v := range a.I64 {
		if v < -1<<31 || v >= 1<<31 {
			return nil, fmt.Errorf("%s: value %d at flat index %d does not fit int32", path, v, i)
		}
		data[i] = int32(v)
	}
	return tensors.FromFlatDataAndDimensions(data, a.Shape...), nil
}

// checkMask accepts attention masks of 0 and 1 with at least one 1 per row.
func checkMask(path string, mask *tensors.Tensor) error {
	seq := mask.Shape().Dimensions[1]
	values := tensors.MustCopyFlatData[int32](mask)
	for i, v := range values {
		if v != 0 && v != 1 {
			return fmt.Errorf("%s: value %d at flat index %d: an attention mask holds 0 (padding) and 1 (token) only", path, v, i)
		}
	}
	for row := range len(values) / seq {
		if !slices.Contains(values[row*seq:(row+1)*seq], 1) {
			return fmt.Errorf("%s: row %d has no token (no 1)", path, row)
		}
	}
	return nil
}

func shapeHint(want []int) string {
	if want == nil {
		return ""
	}
	return fmt.Sprintf(" = %v like --ids", want)
}

// checkVocab rejects ids outside [0, vocab): the gather would otherwise clamp them silently.
func checkVocab(path string, ids *tensors.Tensor, vocab int) error {
	for i, v := range tensors.MustCopyFlatData[int32](ids) {
		if v < 0 || int(v) >= vocab {
			return fmt.Errorf("%s: id %d at flat index %d is outside the vocabulary [0, %d)", path, v, i, vocab)
		}
	}
	return nil
}

func writeNPY(path string, t *tensors.Tensor) error {
	data, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return npy.WriteFloat32(path, t.Shape().Dimensions, data)
}

// writeStacked writes equally shaped tensors as one array with a new leading axis.
func writeStacked(path string, ts []*tensors.Tensor) error {
	var data []float32
	for _, t := range ts {
		data = append(data, tensors.MustCopyFlatData[float32](t)...)
	}
	return npy.WriteFloat32(path, append([]int{len(ts)}, ts[0].Shape().Dimensions...), data)
}
