// Package finetune trains and evaluates DeBERTa-v3 models on downstream tasks: sequence classification (single
// texts and pairs, regression when there is one label, multi-label), token classification (a label on the
// first sub-token of each word, the other sub-tokens ignored, metrics per word), extractive question answering
// and multiple choice.
//
// A Task (task.go) holds the examples of its train/dev/test splits and its label set; LoadTask builds the
// built-in tasks from the public corpora of package data (Brown POS tagging, Brown genre, Brown next sentence —
// a sentence-pair task —, SpamAssassin spam vs ham and its hard-ham variant) and reads a user's GLUE-style TSV,
// CSV, JSONL or CoNLL files. A Trainer (trainer.go) starts from a pre-trained checkpoint folder — the backbone
// is loaded, the task head is newly initialised as in HF's from_pretrained — and runs AdamW (package optim: β
// 0.9/0.98, ε 1e-6, weight decay 0.01 without biases and LayerNorm, clipping at 1) with warmup and linear decay,
// evaluates on the dev split every N steps, keeps the best weights, and reports dev and test metrics
// (metrics.go: accuracy, macro-F1 with a per-class report, word accuracy, Pearson/Spearman, SQuAD EM/F1). The
// best model exports as a HuggingFace folder (config.json with id2label, model.safetensors, the tokenizer's
// spm.model). Options.Stop ends Train at a step boundary (ErrStopped); SaveState / LoadState (state.go) save and
// restore everything needed to continue it bit-identically. Options.MatchLabels (evaluation) matches the model's
// id2label to the task's labels by name; Task.UnseenLabels lists dev/test labels that train lacks (labels.go).
//
// Batches have static shapes [batch, MaxLength] (the last batch is padded with zero-weight rows), so each graph
// compiles once.
package finetune
