#!/usr/bin/env bash
# Forward-pass benchmark of the DeBERTa backbone on the current GoMLX backend, back to back with the matmul
# roofline, printed next to the recorded PyTorch CPU baseline (bench/baselines/torch_cpu.json).
#
# Usage: bench/forward/run.sh [ITERS]     (default 7 timed iterations per shape; run on an idle machine)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
iters="${1:-7}"
go build -o bin/deberta ./cmd/deberta
go test -c -o bin/debertav3.test ./debertav3
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  cores: $(nproc)"
echo "backend: ${GOMLX_BACKEND:-(default) go:parallelism=-1,ops_sequential}"
for shape in small-v3 xsmall; do
  n="$iters"
  [[ $shape == xsmall ]] && n=$(( (iters + 1) / 2 ))
  bin/deberta bench --shape "$shape" --batch 8 --seq 128 --mode forward --iters "$n" 2>/dev/null | tail -n 1
done
bin/debertav3.test -test.run '^$' -test.bench 'MatmulRoofline' -test.benchtime "$(( (iters + 1) / 2 ))x"
# The same matmul shapes on PyTorch/OpenBLAS, back to back (needs: apt-get install python3-torch libopenblas0-pthread).
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 bench/forward/torch_matmul.py
fi
/usr/bin/python3 - <<'PY'
import json
b = json.load(open("bench/baselines/torch_cpu.json"))
for shape, r in b["results"].items():
    print(f"pytorch {shape}: forward {r['forward_ms_median']} ms = {r['forward_tokens_per_s']:.0f} tokens/s (median of {b['runs']})")
PY
