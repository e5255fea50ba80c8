#!/usr/bin/env bash
# The project's CPU benchmark, in one run (run it on an idle machine; docs/PERFORMANCE.md records its output):
#   1. deberta bench: forward of small-v3 and xsmall, and the small-v3 training step (bench/baselines/torch_cpu.json's
#      train_step: masked-LM model, dropout, 15% labelled, backward, AdamW), batch 8 × 128;
#   2. tiny-preset RTD pre-training on the real corpus (the built-in model's architecture and vocabulary, batch
#      16 × 64), tokens/s after the compiling steps;
#   3. the time our forward spends in DotGeneral (deberta bench --op-profile) and, back to back, the same matmul
#      shapes on PyTorch (bench/forward/torch_matmul.py; skipped when torch is missing, fails when torch is not on
#      OpenBLAS);
#   4. the same forward and training step on PyTorch, right after ours (bench/torch/deberta_torch.py, a plain-PyTorch
#      copy of HF's DebertaV2ForMaskedLM validated against the fixtures' goldens);
#   5. ratios to that back-to-back PyTorch run, to the recorded PyTorch baseline, and to the pre-training rate before
#      the fast CPU kernels.
# The backend is GoMLX's default here; GOMLX_BACKEND=xla:cuda runs steps 1–3 on a GPU instead.
#
# Usage: bench/forward/run.sh [ITERS]     (default 7 timed iterations; xsmall and the training step use half)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
iters="${1:-7}"
half=$(( (iters + 1) / 2 ))
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
go build -o bin/deberta ./cmd/deberta
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  cores: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "backend: ${GOMLX_BACKEND:-(default) go:parallelism=-1,ops_sequential}  DEBERTA_BLAS=${DEBERTA_BLAS:-(search)}  DEBERTA_CPU_KERNELS=${DEBERTA_CPU_KERNELS:-on}"

torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && torch=1
# Each Go measurement is followed at once by PyTorch's (same shape, mode and iterations).
for run in "small-v3 forward $iters" "xsmall forward $half" "small-v3 train $half"; do
  read -r shape mode n <<<"$run"
  bin/deberta bench --shape "$shape" --mode "$mode" --iters "$n" 2>/dev/null | tail -n 1 | tee "$out/$mode-$shape.json"
  if ((torch)); then
    /usr/bin/python3 bench/torch/deberta_torch.py --shape "$shape" --mode "$mode" --iters "$n" | tail -n 1 | tee "$out/torch-$mode-$shape.json"
  fi
done

# Pre-training: the built-in model's vocabulary (written into a private cache) and architecture, 30 steps.
export DEBERTA_MODEL_CACHE="$out/models"
bin/deberta embed "warm up" >/dev/null
spm=$(echo "$out"/models/*/discriminator/spm.model)
bin/deberta pretrain --spm "$spm" --out "$out/pretrain" --sharing gdes --hidden 128 --heads 4 --layers 2 \
  --gen-layers 1 --ffn 512 --seq 64 --batch 16 --lr 1e-3 --steps 30 --log-every 5 --no-export 2>"$out/pretrain.log"
cp "$out/pretrain/metrics.jsonl" "$out/pretrain-metrics.jsonl"

for shape in small-v3 xsmall; do
  bin/deberta bench --shape "$shape" --mode forward --iters 3 --warmup 1 --op-profile 2>/dev/null | tail -n 1 >"$out/profile-$shape.json"
done
if ((torch)); then
  /usr/bin/python3 bench/forward/torch_matmul.py
else
  echo "torch: not installed (apt-get install python3-torch libopenblas0-pthread) - matmul comparison skipped"
fi
/usr/bin/python3 bench/forward/summary.py "$out"
