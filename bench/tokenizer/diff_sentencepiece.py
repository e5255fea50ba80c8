#!/usr/bin/python3
"""Differential test: the Go tokenizer (`deberta tokenize --spm`) against the real sentencepiece library.

Generates random strings (seeded) mixing English words, whitespace of every kind, combining marks, compatibility
characters NFKC rewrites, scripts without coverage in small models, emoji, U+2581 and control characters; encodes
them with sentencepiece's Python binding (Debian python3-sentencepiece, run with /usr/bin/python3) and with the Go
CLI, and reports every string whose ids or pieces differ.

usage: diff_sentencepiece.py DEBERTA_BINARY SPM_MODEL [SPM_MODEL...] [--n N] [--seed S]
"""
import argparse
import json
import random
import subprocess
import sys

import sentencepiece as spm

RANGES = [
    (0x20, 0x7E), (0x20, 0x7E), (0x20, 0x7E),  # ASCII printable, weighted up
    (0x00, 0x1F), (0x80, 0xFF), (0x100, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF), (0x2580, 0x259F), (0x3000, 0x303F), (0x3040, 0x30FF),
    (0x3300, 0x33FF), (0x4E00, 0x4E80), (0xAC00, 0xAC80), (0xFB00, 0xFB4F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
    (0xFFF0, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F300, 0x1F6FF), (0x0, 0x10FFFF),
]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", "\u200b", "\u2581", "\ufeff"]


def random_text(rng, words):
    parts = []
    for _ in range(rng.randint(0, 12)):
        r = rng.random()
        if r < 0.45:
            w = rng.choice(words)
            parts.append(w.upper() if rng.random() < 0.1 else w)
        elif r < 0.65:
            parts.append(rng.choice(SPACES))
        else:
            lo, hi = rng.choice(RANGES)
            for _ in range(rng.randint(1, 4)):
                c = rng.randint(lo, hi)
                if not 0xD800 <= c <= 0xDFFF:
                    parts.append(chr(c))
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("models", nargs="+")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", help="text file to draw words from (default: Go's Isaac.Newton-Opticks.txt)")
    args = ap.parse_args()
    if args.words is None:
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, check=True, text=True).stdout.strip()
        args.words = goroot + "/src/testdata/Isaac.Newton-Opticks.txt"
    words = open(args.words, encoding="utf-8").read().split()
    rng = random.Random(args.seed)
    texts = [random_text(rng, words) for _ in range(args.n)]
    payload = "".join(json.dumps(t) + "\n" for t in texts).encode()
    failed = False
    for model in args.models:
        sp = spm.SentencePieceProcessor(model_file=model)
        out = subprocess.run([args.binary, "tokenize", "--spm", model], input=payload, capture_output=True, check=True)
        got = [json.loads(line) for line in out.stdout.decode().split("\n") if line]
        bad = 0
        for text, g in zip(texts, got):
            want_ids, want_pieces = sp.encode(text), sp.encode_as_pieces(text)
            if g["ids"] != want_ids or g["pieces"] != want_pieces:
                bad += 1
                if bad <= 5:
                    print(f"  MISMATCH {text!r}\n    go:  {g}\n    spm: {want_ids} {want_pieces}")
        print(f"{model}: {len(texts) - bad}/{len(texts)} random strings identical")
        failed = failed or bad > 0 or len(got) != len(texts)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
