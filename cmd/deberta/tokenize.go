package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deberta-go/lab/tokenizer"
)

func init() {
	register("tokenize", "tokenize JSON strings (one per line) with a spm.model or a DeBERTa model folder", runTokenize)
}

// spmOutput is one output line of `tokenize --spm`: plain sentencepiece ids and pieces.
type spmOutput struct {
	IDs    []int32  `json:"ids"`
	Pieces []string `json:"pieces"`
}

// debertaOutput is one output line of `tokenize --model`; offsets are code-point offsets into the line's text
// (into the first or second text of a pair, as HF's offset_mapping), [0,0] for [CLS]/[SEP].
type debertaOutput struct {
	InputIDs      []int32  `json:"input_ids"`
	AttentionMask []int32  `json:"attention_mask"`
	TokenTypeIDs  []int32  `json:"token_type_ids"`
	Offsets       [][2]int `json:"offsets"`
}

func runTokenize(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	spmPath := fs.String("spm", "", "sentencepiece model file: print {\"ids\",\"pieces\"} (no [CLS]/[SEP])")
	modelDir := fs.String("model", "", "DeBERTa model: "+modelRefUsage+" (spm.model and optional tokenizer_config.json, "+
		"special_tokens_map.json, added_tokens.json): print input_ids, attention_mask, token_type_ids, offsets")
	pair := fs.Bool("pair", false, "with --model: each input line is a JSON array of two strings")
	maxLength := fs.Int("max-length", 0, "with --model: truncation length (default: the model's, 512)")
	input := fs.String("input", "-", "input file of JSON lines; - reads stdin")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: deberta tokenize (--spm FILE | --model DIR [--pair]) [flags] < lines.jsonl\n\n"+
			"Reads one JSON string per line (a JSON array of two strings with --pair), prints one JSON object per line.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if (*spmPath == "") == (*modelDir == "") {
		return errors.New("give exactly one of --spm and --model")
	}
	if (*pair || *maxLength != 0) && *modelDir == "" {
		return errors.New("--pair and --max-length need --model")
	}
	var encodeLine func(line []byte) (any, error)
	if *spmPath != "" {
		sp, err := tokenizer.LoadSentencePiece(*spmPath)
		if err != nil {
			return err
		}
		encodeLine = func(line []byte) (any, error) {
			var text string
			if err := json.Unmarshal(line, &text); err != nil {
				return nil, err
			}
			out := spmOutput{IDs: []int32{}, Pieces: []string{}}
			for _, t := range sp.Encode(text) {
				out.IDs, out.Pieces = append(out.IDs, t.ID), append(out.Pieces, t.Piece)
			}
			return out, nil
		}
	} else {
		dir, err := tokenizerDir(*modelDir)
		if err != nil {
			return err
		}
		tok, err := tokenizer.Load(dir)
		if err != nil {
			return err
		}
		opts := tokenizer.EncodeOptions{MaxLength: *maxLength}
		encodeLine = func(line []byte) (any, error) {
			var e *tokenizer.Encoding
			var err error
			if *pair {
				a, b, err := decodePair(line)
				if err != nil {
					return nil, err
				}
				e, err = tok.EncodePair(a, b, opts)
			} else {
				var text string
				if err := json.Unmarshal(line, &text); err != nil {
					return nil, err
				}
				e, err = tok.Encode(text, opts)
			}
			if err != nil {
				return nil, err
			}
			out := debertaOutput{InputIDs: e.InputIDs, AttentionMask: e.AttentionMask, TokenTypeIDs: e.TokenTypeIDs,
				Offsets: make([][2]int, e.Len())}
			for i, o := range e.RuneOffsets {
				out.Offsets[i] = [2]int{o.Start, o.End}
			}
			return out, nil
		}
	}
	in := io.Reader(os.Stdin)
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return tokenizeLines(in, stdout, encodeLine)
}

// decodePair reads a JSON array of exactly two strings.
func decodePair(line []byte) (string, string, error) {
	var texts []*string
	if err := json.Unmarshal(line, &texts); err != nil {
		return "", "", fmt.Errorf("want a JSON array of two strings: %w", err)
	}
	if len(texts) != 2 || texts[0] == nil || texts[1] == nil {
		return "", "", fmt.Errorf("want a JSON array of two strings, got %s", line)
	}
	return *texts[0], *texts[1], nil
}

// tokenizeLines applies encodeLine to every non-blank input line and writes the results as JSON lines.
func tokenizeLines(in io.Reader, stdout io.Writer, encodeLine func(line []byte) (any, error)) error {
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // keep pieces such as "<0xE6>" readable
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<30)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		out, err := encodeLine(sc.Bytes())
		if err != nil {
			return fmt.Errorf("input line %d: %w", n, err)
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return w.Flush()
}
