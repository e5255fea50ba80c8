#!/usr/bin/env bash
# Encode throughput of the Go tokenizer and of the real sentencepiece (C++ via its Python binding), back to back,
# on the same text (the non-empty lines of $GOROOT/src/testdata/Isaac.Newton-Opticks.txt) and the same model
# (tokenizer/testdata/spm-bytefallback/spm.model).
#
# usage: bench/tokenizer/run.sh [COUNT]   (COUNT runs of each Go benchmark, default 5; report the best)
# needs: go, and Debian's sentencepiece for /usr/bin/python3 (apt-get install -y python3-sentencepiece)
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-5}"

echo "== machine: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Go ($(go version | cut -d' ' -f3)): single goroutine (-cpu 1), then all cores"
go test ./tokenizer/ -run '^$' -bench '^Benchmark(EncodeIDs|Encode)$' -benchtime 2s -count "$count" -cpu 1 -benchmem
go test ./tokenizer/ -run '^$' -bench '^Benchmark(EncodeIDsBatch|DeBERTaEncodeBatch)$' -benchtime 2s -count "$count" \
	-benchmem
echo "== sentencepiece, single thread"
/usr/bin/python3 bench/tokenizer/bench_sentencepiece.py --repeat "$((count * 2))"
