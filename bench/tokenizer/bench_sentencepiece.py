#!/usr/bin/python3
"""Single-thread encode throughput of the real sentencepiece (C++ via its Python binding) on the text the Go
benchmarks use: the non-empty lines of $GOROOT/src/testdata/Isaac.Newton-Opticks.txt, one encode call per line.

Run with Debian's python3-sentencepiece: /usr/bin/python3 bench/tokenizer/bench_sentencepiece.py [--model M]
Prints MB/s and tokens/s for the per-line loop (sp.encode(line)) and for the batch call
(sp.encode(lines, num_threads=1)): wall time and process CPU time (all threads; robust on a shared machine), each
the best of --repeat runs.
"""
import argparse
import os
import subprocess
import time

import sentencepiece as spm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "../../tokenizer/testdata/spm-bytefallback/spm.model"))
    ap.add_argument("--text", help="default: $(go env GOROOT)/src/testdata/Isaac.Newton-Opticks.txt")
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    if args.text is None:
        goroot = subprocess.run(["go", "env", "GOROOT"], capture_output=True, check=True, text=True).stdout.strip()
        args.text = os.path.join(goroot, "src", "testdata", "Isaac.Newton-Opticks.txt")
    # Same lines as the Go benchmark: split on "\n" only, keep lines with non-whitespace content.
    with open(args.text, encoding="utf-8", newline="") as f:
        lines = [l for l in f.read().split("\n") if l.strip()]
    nbytes = sum(len(l.encode("utf-8")) for l in lines)
    sp = spm.SentencePieceProcessor(model_file=args.model)
    print(f"sentencepiece {spm.__version__}, model {os.path.normpath(args.model)}, {len(lines)} lines, {nbytes} bytes")

    def bench(name, fn):
        wall = cpu = float("inf")
        ntok = 0
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            ntok = fn()
            wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        print(f"{name:44s} {nbytes / wall / 1e6:7.2f} MB/s {ntok / wall:10.0f} tokens/s"
              f" {nbytes / cpu / 1e6:7.2f} MB/cpu-s {ntok / cpu:10.0f} tokens/cpu-s")

    bench("sentencepiece encode(line) loop, 1 thread", lambda: sum(len(sp.encode(l)) for l in lines))
    bench("sentencepiece encode(lines, num_threads=1)", lambda: sum(len(x) for x in sp.encode(lines, num_threads=1)))


if __name__ == "__main__":
    main()
