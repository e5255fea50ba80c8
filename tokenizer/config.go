package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Config is what a DeBERTa tokenizer needs besides spm.model. DefaultConfig gives the values of HF's
// DebertaV2Tokenizer; ReadConfig reads them from a model folder.
type Config struct {
	// The special tokens. They are recognised in input text as single tokens, like HF's added tokens.
	CLSToken, SEPToken, PadToken, UnkToken, MaskToken string
	// AddedTokens maps token literals to ids beyond (or inside) the sentencepiece vocabulary (added_tokens.json,
	// added_tokens_decoder). A special token that is not a piece and not listed here gets the next free id after
	// the pieces: [MASK] is 128000 for the real models.
	AddedTokens map[string]int32
	// MaxLength is the default truncation length: model_max_length when tokenizer_config.json has a sensible one,
	// else 512 (the position-embedding size of every DeBERTa-v3 model).
	MaxLength int
}

// DefaultMaxLength is the truncation length when the model folder does not set one.
const DefaultMaxLength = 512

// DefaultConfig returns HF DebertaV2Tokenizer's defaults.
func DefaultConfig() Config {
	return Config{CLSToken: "[CLS]", SEPToken: "[SEP]", PadToken: "[PAD]", UnkToken: "[UNK]", MaskToken: "[MASK]",
		AddedTokens: map[string]int32{}, MaxLength: DefaultMaxLength}
}

// tokenJSON is a special-token entry: a plain string or an AddedToken object {"content": ..., "lstrip": ...}.
// lstrip/rstrip/single_word are not needed: sentencepiece drops the whitespace they would strip, so ids and
// offsets are the same with or without them.
type tokenJSON struct{ content string }

func (t *tokenJSON) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &t.content); err == nil {
		return nil
	}
	var obj struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(b, &obj); err != nil || obj.Content == nil {
		return fmt.Errorf("special token %s: want a string or an object with \"content\"", b)
	}
	t.content = *obj.Content
	return nil
}

// specialTokensJSON is the part of tokenizer_config.json / special_tokens_map.json that names special tokens.
type specialTokensJSON struct {
	CLS  *tokenJSON `json:"cls_token"`
	SEP  *tokenJSON `json:"sep_token"`
	Pad  *tokenJSON `json:"pad_token"`
	Unk  *tokenJSON `json:"unk_token"`
	Mask *tokenJSON `json:"mask_token"`
}

func (s specialTokensJSON) apply(c *Config) {
	for _, f := range []struct {
		src *tokenJSON
		dst *string
	}{{s.CLS, &c.CLSToken}, {s.SEP, &c.SEPToken}, {s.Pad, &c.PadToken}, {s.Unk, &c.UnkToken}, {s.Mask, &c.MaskToken}} {
		if f.src != nil {
			*f.dst = f.src.content
		}
	}
}

type tokenizerConfigJSON struct {
	specialTokensJSON
	DoLowerCase    bool                 `json:"do_lower_case"`
	SplitByPunct   bool                 `json:"split_by_punct"`
	ModelMaxLength *float64             `json:"model_max_length"`
	AddedTokens    map[string]tokenJSON `json:"added_tokens_decoder"`
}

// ReadConfig reads the optional tokenizer files of a HF model folder on top of DefaultConfig:
// tokenizer_config.json (special tokens, model_max_length, added_tokens_decoder), then special_tokens_map.json
// (overrides the special tokens, as in HF), then added_tokens.json. Missing files are fine; malformed ones are
// errors. do_lower_case or split_by_punct set to true are rejected (DeBERTa-v3 uses neither; not implemented).
func ReadConfig(dir string) (Config, error) {
	c := DefaultConfig()
	var tc tokenizerConfigJSON
	if err := readOptionalJSON(dir, "tokenizer_config.json", &tc); err != nil {
		return c, err
	}
	tc.apply(&c)
	if tc.DoLowerCase || tc.SplitByPunct {
		return c, fmt.Errorf("tokenizer: %s: do_lower_case and split_by_punct are not supported",
			filepath.Join(dir, "tokenizer_config.json"))
	}
	// HF writes a huge number (int(1e30)) when the length is unknown.
	if m := tc.ModelMaxLength; m != nil && *m >= 1 && *m <= 1<<20 {
		c.MaxLength = int(*m)
	}
	for k, v := range tc.AddedTokens {
		id, err := strconv.ParseInt(k, 10, 32)
		if err != nil || id < 0 {
			return c, fmt.Errorf("tokenizer: %s: added_tokens_decoder key %q is not an id",
				filepath.Join(dir, "tokenizer_config.json"), k)
		}
		c.AddedTokens[v.content] = int32(id)
	}
	var stm specialTokensJSON
	if err := readOptionalJSON(dir, "special_tokens_map.json", &stm); err != nil {
		return c, err
	}
	stm.apply(&c)
	var added map[string]int32
	if err := readOptionalJSON(dir, "added_tokens.json", &added); err != nil {
		return c, err
	}
	for k, v := range added {
		c.AddedTokens[k] = v
	}
	return c, nil
}

// readOptionalJSON decodes dir/name into v; a missing file leaves v unchanged.
func readOptionalJSON(dir, name string, v any) error {
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = json.Unmarshal(data, v)
	}
	if err != nil {
		return fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return nil
}
