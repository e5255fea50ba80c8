// Package defaultmodel is the small DeBERTa-v3 model pre-trained by this project (RTD with GDES on the default
// corpus, see README.md in this folder for the exact command, the data and the training curves), embedded in
// the Go binary so that the CLI and the notebooks have a trained model to use when no other is named, offline.
//
// It has two HuggingFace folders: the discriminator (config.json, model.safetensors with the mask_predictions RTD
// head, spm.model) for replaced-token detection, embeddings and fine-tuning, and the generator (an MLM model with
// the lm_predictions head, no Enhanced Mask Decoder) for fill-mask. Dir writes the embedded files once into a
// cache folder (keyed by their hash) and returns its path, which every loader of this module accepts.
package defaultmodel
