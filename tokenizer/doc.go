// Package tokenizer is the DeBERTa-v3 tokenizer in pure Go: a SentencePiece Unigram encoder that gives exactly
// the ids, pieces and offsets of the sentencepiece library, and the HF DebertaV2Tokenizer logic on top of it.
//
// # SentencePiece
//
// LoadSentencePiece reads a spm.model file (a protocol buffer, decoded by this package with no dependency) into a
// SentencePiece, which encodes in three steps, each following sentencepiece 0.1.97 (the files named are its C++
// sources):
//
//   - Normalisation (normalizer.cc): the model's precompiled charsmap (a darts-clone double-array trie of rewrite
//     rules such as NFKC, matched longest-first), removal of leading, trailing and repeated whitespace, the dummy
//     prefix "▁" and "▁" for spaces. User-defined symbols are never rewritten. Every normalised byte keeps the
//     offset of the original text it came from, so every token gets byte and code-point offsets into the input.
//   - Segmentation (unigram_model.cc, EncodeOptimized): a Viterbi search over the piece scores with
//     sentencepiece's arithmetic and tie-breaking; user-defined pieces always win, an uncovered character is the
//     unknown piece with score min_score - 10.
//   - Output (sentencepiece_processor.cc): consecutive unknown characters merge into one [UNK], or, when the model
//     has byte_fallback (as DeBERTa-v3's does), each unknown character becomes its UTF-8 bytes <0x00>..<0xFF>.
//
// Decode inverts this: byte pieces are reassembled into UTF-8, "▁" becomes a space, the dummy prefix goes, control
// pieces vanish and [UNK] becomes " ⁇ ".
//
// Invalid UTF-8 input is not an error: as in sentencepiece, each invalid byte is normalised to U+FFFD (so it
// becomes [UNK] or the bytes EF BF BD) and its token's span is that one byte. Only Unigram models are supported;
// BPE, WORD and CHAR models are rejected by NewSentencePiece. A corrupt or truncated spm.model is an error that
// names the file, never a panic.
//
// # DeBERTa-v3
//
// Load reads a HF model folder (spm.model and the optional tokenizer_config.json, special_tokens_map.json,
// added_tokens.json) into a Tokenizer. [MASK] is not a piece of the real spm.model: it gets the id after the
// pieces (128000). Special-token literals in the text ("[MASK]", "[CLS]", ...) are single tokens, as in HF; the text
// between them is encoded separately. Encode and EncodePair build `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]` with
// attention mask, token type ids, special-tokens mask, offsets and word ids, truncated (longest_first, only_first,
// only_second; 512 tokens by default) and padded (longest in a batch, or max length) as configured by
// EncodeOptions. EncodeBatch and EncodePairBatch encode on all cores.
//
// Tokenizer and SentencePiece are immutable and safe for concurrent use.
package tokenizer
