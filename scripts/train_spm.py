#!/usr/bin/python3
"""Train a DeBERTa-v3-like SentencePiece Unigram vocabulary on plain text files.

Usage (see data/spm.md):

    /usr/bin/python3 scripts/train_spm.py --out DIR [--vocab-size 8000] FILE...

Writes DIR/spm.model and DIR/spm.vocab: a folder that tokenizer.Load reads. The settings mirror the released
deberta-v3 spm.model: Unigram, byte_fallback, nmt_nfkc, [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3, digits split, no [MASK]
piece (the Go tokenizer appends [MASK] at id = number of pieces). Needs the real sentencepiece trainer (Debian:
apt-get install -y python3-sentencepiece).
"""

import argparse
import json
import os
import random
import sys

try:
    import sentencepiece as spm
except ImportError:
    sys.exit("train_spm.py: sentencepiece is missing (apt-get install -y python3-sentencepiece)")

SEED = 1  # sentence sampling and shuffling (input_sentence_size) use this seed


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("files", nargs="+", help="plain text files, one sentence per line")
    p.add_argument("--out", required=True, help="output folder for spm.model and spm.vocab")
    p.add_argument("--vocab-size", type=int, default=8000)
    p.add_argument("--input-sentence-size", type=int, default=2_000_000,
                   help="cap on sampled training lines (0: all)")
    p.add_argument("--threads", type=int, default=4,
                   help="trainer threads; the pieces depend on it, so keep it fixed for reproducible vocabularies")
    p.add_argument("--golden", help="also write a JSONL of sentencepiece ids for 500 sampled lines and hard "
                   "strings, for the Go parity check (data/spm_check_test.go)")
    a = p.parse_args()
    for f in a.files:
        if not os.path.isfile(f):
            sys.exit(f"train_spm.py: {f}: no such file")
    os.makedirs(a.out, exist_ok=True)
    spm.set_random_generator_seed(SEED)
    spm.SentencePieceTrainer.train(
        input=",".join(a.files),
        model_prefix=os.path.join(a.out, "spm"),
        model_type="unigram",
        vocab_size=a.vocab_size,
        character_coverage=0.9995,
        byte_fallback=True,
        normalization_rule_name="nmt_nfkc",
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        split_digits=True,
        split_by_whitespace=True,
        pad_id=0, pad_piece="[PAD]",
        bos_id=1, bos_piece="[CLS]",
        eos_id=2, eos_piece="[SEP]",
        unk_id=3, unk_piece="[UNK]",
        input_sentence_size=a.input_sentence_size,
        shuffle_input_sentence=True,
        max_sentence_length=4192,
        num_threads=a.threads,
        minloglevel=1,
    )
    sp = spm.SentencePieceProcessor(model_file=os.path.join(a.out, "spm.model"))
    print(f"train_spm.py: {sp.get_piece_size()} pieces in {a.out}/spm.model "
          f"([MASK] will be id {sp.get_piece_size()})")
    if a.golden:
        write_golden(sp, a.files, a.golden)


HARD = ["Hello,  world!  ", "Ünïcödé — “quotes” ½ ｆｕｌｌ 12345", "日本語のテキスト 😀", "tab\there", "", "   ",
        "[MASK] is literal text", "x" * 50]


def write_golden(sp, files, out):
    lines = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            lines += [line.rstrip("\n") for line in fh if line.strip()]
    rng = random.Random(SEED)
    sample = rng.sample(lines, min(500, len(lines))) + HARD
    with open(out, "w", encoding="utf-8") as fh:
        for s in sample:
            fh.write(json.dumps({"text": s, "ids": sp.encode(s)}, ensure_ascii=False) + "\n")
    print(f"train_spm.py: {len(sample)} golden texts in {out}")


if __name__ == "__main__":
    main()
