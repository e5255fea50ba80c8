package gohf

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	ghub "github.com/gomlx/go-huggingface/hub"
	"github.com/gomlx/go-huggingface/tokenizers"
	"github.com/gomlx/go-huggingface/tokenizers/api"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
	"github.com/deberta-go/lab/tokenizer"
)

// TokenizerClasses are the tokenizer_config.json classes registered: those of DeBERTa-v2/v3 repositories,
// and "" — the released microsoft/deberta-v3-* repositories name no class (transformers then goes by
// config.json's model_type), so a classless repository is ours when its config.json says "deberta-v2".
var TokenizerClasses = []string{"DebertaV2Tokenizer", "DebertaV2TokenizerFast", ""}

func init() {
	for _, class := range TokenizerClasses {
		tokenizers.RegisterTokenizerClass(class, NewTokenizer)
	}
}

// Tokenizer is our DeBERTa tokenizer behind go-huggingface's api.Tokenizer.
type Tokenizer struct {
	// Deberta is the tokenizer itself, with the full API (pairs, offsets, truncation, padding).
	Deberta *tokenizer.Tokenizer
}

var _ api.Tokenizer = (*Tokenizer)(nil)

// NewTokenizer is the tokenizers.TokenizerConstructor of TokenizerClasses: it fetches the tokenizer files
// (spm.model and the optional JSON files) with our hub client and the repository's settings, and loads them.
func NewTokenizer(cfg *api.Config, repo *ghub.Repo) (api.Tokenizer, error) {
	h, err := HubOptions(repo)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if cfg.TokenizerClass == "" {
		if err := checkModelType(ctx, repo.ID, h); err != nil {
			return nil, err
		}
	}
	dir, err := checkpoints.ResolveTokenizer(ctx, repo.ID, h)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, err
	}
	return &Tokenizer{Deberta: tok}, nil
}

// checkModelType accepts a repository without a tokenizer class when its config.json is a DeBERTa-v2/v3 one.
func checkModelType(ctx context.Context, id string, h hub.Options) error {
	r, err := hub.NewRepo(id, "", h)
	if err != nil {
		return err
	}
	p, err := r.Fetch(ctx, "config.json")
	if err != nil {
		return fmt.Errorf("gohf: %s: tokenizer_config.json names no tokenizer_class and config.json is not readable: %w", id, err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var c struct {
		ModelType string `json:"model_type"`
	}
	if err := json.Unmarshal(b, &c); err != nil || !slices.Contains([]string{"deberta-v2", "deberta-v3"}, c.ModelType) {
		return fmt.Errorf("unknown tokenizer class \"\": %s names no tokenizer_class and its config.json's model_type is %q, not deberta-v2 (%v)",
			id, c.ModelType, err)
	}
	return r.Finish()
}

// Encode returns the ids of text as the model takes them, [CLS] … [SEP] (what transformers'
// tokenizer(text)["input_ids"] gives), never truncated; nil if text cannot be encoded.
func (t *Tokenizer) Encode(text string) []int {
	e, err := t.Deberta.Encode(text, tokenizer.EncodeOptions{Truncation: tokenizer.DoNotTruncate})
	if err != nil {
		return nil
	}
	out := make([]int, len(e.InputIDs))
	for i, id := range e.InputIDs {
		out[i] = int(id)
	}
	return out
}

// Decode returns the text of ids, special tokens dropped; "" if an id is out of the vocabulary.
func (t *Tokenizer) Decode(ids []int) string {
	in := make([]int32, len(ids))
	for i, id := range ids {
		in[i] = int32(id)
	}
	s, err := t.Deberta.Decode(in, true)
	if err != nil {
		return ""
	}
	return s
}

// SpecialTokenID maps go-huggingface's special tokens to DeBERTa's: beginning of sentence and classification
// are [CLS], end of sentence is [SEP].
func (t *Tokenizer) SpecialTokenID(token api.SpecialToken) (int, error) {
	s := t.Deberta.SpecialIDs()
	switch token {
	case api.TokBeginningOfSentence, api.TokClassification:
		return int(s.CLS), nil
	case api.TokEndOfSentence:
		return int(s.SEP), nil
	case api.TokUnknown:
		return int(s.Unk), nil
	case api.TokPad:
		return int(s.Pad), nil
	case api.TokMask:
		return int(s.Mask), nil
	}
	return 0, fmt.Errorf("gohf: unknown special token %s (%d)", token, int(token))
}
