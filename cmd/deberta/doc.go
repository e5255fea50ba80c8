// Command deberta is the command-line entry point of deberta-go lab. Each subcommand lives in its own file and
// registers itself in init(); `deberta` alone lists them, `deberta <command> -h` shows a command's flags.
//
//	deberta info --model DIR                      config, parameter counts, heads, ignored/unused/unknown keys
//	deberta dump --model DIR --ids I.npy --mask M.npy --out OUT   outputs as float32 .npy (the parity contract)
//	deberta bench --shape tiny|small-v3|xsmall|… --batch 8 --seq 128 --mode forward   one JSON line, tokens/s
//	deberta tokenize --spm PATH | --model DIR [--pair]            JSON lines in, JSON lines out
//	deberta fill-mask | detect | classify | zero-shot | token-classify | qa | embed --model DIR|owner/name[@rev]
//	deberta eval-rtd [--model RUN] FILE|DIR ...     RTD AUC, gain, precision/recall against the generator's samples
//
// Every --model flag (info, dump, convert, tokenize, the pipelines, finetune, eval) accepts a local HuggingFace
// folder or a hub reference owner/name[@revision], resolved by one helper (modelDir) and downloaded into the
// HuggingFace cache (HF_HOME, HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE=1 or TRANSFORMERS_OFFLINE=1 for
// cache-only use). fill-mask on a released discriminator uses the generator beside it, or refuses, naming
// the releases that have one and --generator-model. bench --shape and pretrain --preset share one preset list
// (debertav3.PresetNames). The GoMLX backend comes from
// GOMLX_BACKEND (default: the pure-Go backend; see package debertav3).
//
// Output folders are written whole (an existing non-empty one needs --overwrite); pretrain and finetune save
// their state on SIGINT/SIGTERM and continue with --resume. docs/RELIABILITY.md lists the guarantees.
package main
