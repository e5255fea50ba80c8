#!/usr/bin/python3
"""Trains two small sentencepiece models with the options the fixture models do not use and writes their goldens
(same format as the fixtures' spm_golden.jsonl) into tokenizer/testdata/extra-*/.

  extra-nodummy: identity normalisation, add_dummy_prefix=false, remove_extra_whitespaces=false
  extra-suffix:  nmt_nfkc, treat_whitespace_as_suffix=true, user-defined symbols that NFKC would rewrite

Run from the repository root with Debian's sentencepiece (0.1.97): /usr/bin/python3 bench/tokenizer/make_extra_testdata.py
"""
import json
import os
import random
import subprocess
import sys
import tempfile

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(__file__))
from diff_sentencepiece import random_text  # noqa: E402

MODELS = {
    "extra-nodummy": dict(normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False),
    "extra-suffix": dict(normalization_rule_name="nmt_nfkc", treat_whitespace_as_suffix=True,
                         user_defined_symbols=["ﬁ", "<<", "ＡＢ", "the"]),
}


def main():
    goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, check=True, text=True).stdout.strip()
    corpus = goroot + "/src/testdata/Isaac.Newton-Opticks.txt"
    words = open(corpus, encoding="utf-8").read().split()
    fixture = [json.loads(line) for line in open("tokenizer/testdata/spm/spm_golden.jsonl", encoding="utf-8")]
    texts = [c["text"] for c in fixture if c["kind"] == "hard"]
    rng = random.Random(7)
    texts += [random_text(rng, words) for _ in range(250)]
    with tempfile.TemporaryDirectory() as tmp:
        sample = os.path.join(tmp, "corpus.txt")
        with open(corpus, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as out:
            out.write(f.read()[:300000])
        for name, opts in MODELS.items():
            prefix = os.path.join(tmp, name)
            spm.SentencePieceTrainer.train(
                input=sample, model_prefix=prefix, vocab_size=1000, model_type="unigram", character_coverage=1.0,
                pad_id=0, pad_piece="[PAD]", bos_id=1, bos_piece="[CLS]", eos_id=2, eos_piece="[SEP]", unk_id=3,
                unk_piece="[UNK]", num_threads=1, shuffle_input_sentence=False, minloglevel=2, **opts)
            sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
            outdir = os.path.join("tokenizer/testdata", name)
            os.makedirs(outdir, exist_ok=True)
            with open(prefix + ".model", "rb") as f, open(os.path.join(outdir, "spm.model"), "wb") as out:
                out.write(f.read())
            with open(os.path.join(outdir, "spm_golden.jsonl"), "w", encoding="utf-8") as out:
                for i, text in enumerate(texts):
                    proto = sp.encode_as_immutable_proto(text)
                    ids = sp.encode(text)
                    pieces = sp.encode_as_pieces(text)
                    out.write(json.dumps({
                        "id": i, "kind": "generated", "text": text, "ids": ids, "pieces": pieces,
                        "surfaces": [p.surface for p in proto.pieces],
                        "char_offsets": [[p.begin, p.end] for p in proto.pieces],
                        "decoded": sp.decode_ids(ids), "decode_pieces": sp.decode_pieces(pieces),
                    }, ensure_ascii=False) + "\n")
            print(f"{outdir}: {len(texts)} goldens")


if __name__ == "__main__":
    main()
