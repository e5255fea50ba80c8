#!/usr/bin/env bash
# The ES / NES / GDES / MLM-only comparison of docs/REPRODUCTION.md ("v2", the setting in which RTD learns).
#
#   scripts/reproduce.sh [OUT]                              # everything: pre-training + fine-tuning per arm, report
#   ARMS="gdes es" PT_SEEDS=1 scripts/reproduce.sh OUT       # some arms / pre-training seeds only
#   PHASE=report scripts/reproduce.sh OUT                   # only the report (OUT/report)
#   PHASE=collect DEST=docs/reproduction/v2/runs scripts/reproduce.sh OUT  # copy the small outputs (config.json,
#                                                           # metrics.jsonl, results.json, logs) for committing
#
# Resumable: a finished pre-training (exported model) or fine-tuning (results.json) is skipped, an interrupted
# pre-training continues from its last checkpoint (--resume, saved every 500 steps) — rerun the same command after
# any interruption. Work units (one arm × pre-training seed: pre-train, then fine-tune on every task and seed) run
# JOBS at a time, each with GOMAXPROCS = cores / JOBS (two single-threaded runs beat one two-threaded run on 2 cores);
# several reproduce.sh may share an OUT (each unit holds a lock while it runs; a locked unit is skipped).
#
# Knobs (defaults = the documented run): SPM (the built-in model's 8000-piece vocabulary), STEPS (4000 × 16 × 128
# = 8.2 M tokens per arm), LR (3e-3), PT_SEEDS ("1 2"), FT_SEEDS ("1 2 3"), FT_STEPS (400),
# TASKS ("brown-pos brown-genre spam spam-hard"), ARMS ("gdes es nes mlm"), JOBS (2), DEBERTA (bin/deberta).
set -euo pipefail

OUT=${1:-build/repro-v2}
SPM=${SPM:-defaultmodel/discriminator/spm.model}
DEBERTA=${DEBERTA:-bin/deberta}
STEPS=${STEPS:-4000}
LR=${LR:-3e-3}
PT_SEEDS=${PT_SEEDS:-"1 2"}
FT_SEEDS=${FT_SEEDS:-"1 2 3"}
FT_STEPS=${FT_STEPS:-400}
TASKS=${TASKS:-"brown-pos brown-genre spam spam-hard"}
ARMS=${ARMS:-"gdes es nes mlm"}
JOBS=${JOBS:-2}
PHASE=${PHASE:-all}
export GOMAXPROCS=${GOMAXPROCS:-$(( $(nproc) / JOBS > 0 ? $(nproc) / JOBS : 1 ))}

# One backbone for every arm: width 64, 2 heads, 2 layers, FFN 256; sequences of 128 tokens, batches of 16, peak LR
# 3e-3 (10% warmup, linear decay). RTD arms add a 1-layer generator (same width, half depth), λ = 50, trained as the
# official scripts do (--decoupled: the generator steps on L_MLM, then the discriminator on λ·L_RTD).
ARCH=(--hidden 64 --heads 2 --layers 2 --ffn 256 --seq 128 --batch 16 --lr "$LR" --steps "$STEPS")
LOGS=(--log-every 50 --save-every 500)

if [[ ! -x $DEBERTA ]]; then
  go build -o "$DEBERTA" ./cmd/deberta
fi
mkdir -p "$OUT"

# arm_model is the model an arm hands to fine-tuning: the discriminator, or the MLM model itself.
arm_model() {
  if [[ $1 == mlm ]]; then echo "$OUT/$1/pt$2/generator"; else echo "$OUT/$1/pt$2/discriminator"; fi
}

pretrain_arm() {
  local arm=$1 seed=$2 dir=$OUT/$1/pt$2 again=()
  [[ -f $(arm_model "$arm" "$seed")/model.safetensors ]] && return
  [[ -f $dir/config.json ]] && again=(--resume)
  mkdir -p "$OUT/$arm"
  if [[ $arm == mlm ]]; then
    "$DEBERTA" pretrain --objective mlm --spm "$SPM" --out "$dir" "${ARCH[@]}" --seed "$seed" "${LOGS[@]}" "${again[@]}" >> "$dir.log" 2>&1
  else
    "$DEBERTA" pretrain --sharing "$arm" --gen-layers 1 --spm "$SPM" --out "$dir" "${ARCH[@]}" --seed "$seed" "${LOGS[@]}" \
      --decoupled --analyze-every 500 --eval-every 250 --eval-batches 16 "${again[@]}" >> "$dir.log" 2>&1
  fi
}

finetune_arm() {
  local arm=$1 pt=$2 task seed dir again len
  for task in $TASKS; do
    len=64
    [[ $task == brown-next ]] && len=160 # pairs: 0.5% longer than 160 pieces
    for seed in $FT_SEEDS; do
      dir=$OUT/ft/$arm/pt$pt/$task/seed$seed
      [[ -f $dir/results.json ]] && continue
      again=()
      [[ -d $dir/checkpoint ]] && again=(--resume)
      mkdir -p "$(dirname "$dir")"
      "$DEBERTA" finetune --task "$task" --model "$(arm_model "$arm" "$pt")" --out "$dir" --steps "$FT_STEPS" \
        --eval-every 100 --lr 3e-4 --max-length "$len" --batch 16 --max-eval 0 --seed "$seed" --no-save "${again[@]}" >> "$dir.log" 2>&1
    done
  done
}

# unit runs one arm × pre-training seed, unless another reproduce.sh holds its lock (two can share an OUT).
unit() {
  local fd
  exec {fd}>"$OUT/.$1-pt$2.lock"
  if ! flock -n "$fd"; then
    echo "skipped: $1 pre-training seed $2 is being run by another reproduce.sh" >&2
    return 0
  fi
  if [[ $PHASE == all || $PHASE == pretrain ]]; then pretrain_arm "$1" "$2"; fi
  if [[ $PHASE == all || $PHASE == finetune ]]; then finetune_arm "$1" "$2"; fi
  echo "$(date -u +%FT%TZ) done: $1 pre-training seed $2" >&2
}

# Seed 1 of every arm first, so that an interrupted session leaves whole comparisons behind.
failed=0
if [[ $PHASE == all || $PHASE == pretrain || $PHASE == finetune ]]; then
  for seed in $PT_SEEDS; do
    for arm in $ARMS; do
      while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || failed=1; done
      unit "$arm" "$seed" &
    done
  done
  while (($(jobs -rp | wc -l) > 0)); do wait -n || failed=1; done
fi
if ((failed)); then
  echo "reproduce.sh: a unit failed (see the .log files under $OUT); rerun to resume" >&2
  exit 1
fi
if [[ $PHASE == collect ]]; then
  : "${DEST:?set DEST to the folder receiving the small outputs}"
  (cd "$OUT" && find . -path ./report -prune -o \( -name config.json -o -name metrics.jsonl -o -name results.json -o -name '*.log' \) \
    -not -path '*/discriminator/*' -not -path '*/generator/*' -not -path '*/checkpoint/*' -print) |
    while read -r f; do mkdir -p "$DEST/$(dirname "$f")" && cp "$OUT/$f" "$DEST/$f"; done
  exit 0
fi
if [[ $PHASE == all || $PHASE == report ]]; then
  "$DEBERTA" repro-report --runs "$OUT" --out "$OUT/report" --overwrite
fi
