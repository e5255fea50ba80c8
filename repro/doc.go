// Package repro gathers the runs of the paper-reproduction experiment (scripts/reproduce.sh,
// docs/REPRODUCTION.md) — the pre-training run folders of the ES, NES and GDES arms and of the MLM-only
// baseline, and the fine-tuning results of each arm on each task and seed — into tables (mean ± standard
// deviation over seeds) and figures: the generator's MLM loss curves (the paper's Figure 2), the RTD loss, the
// tug-of-war gradient cosine, the E_G / E_D cosine-similarity table, and the downstream scores. It sits above
// pretrain and finetune, beside cmd/ (`deberta repro-report`) and the notebooks (04_downstream).
package repro
