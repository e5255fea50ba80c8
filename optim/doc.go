// Package optim holds the optimiser shared by pre-training (pretrain) and fine-tuning (finetune), as GoMLX graph
// code: AdamW with decoupled weight decay (Loshchilov & Hutter, ICLR 2019) excluding biases and LayerNorm
// parameters, global-norm gradient clipping (PyTorch's clip_grad_norm_), and the warmup + linear-decay learning
// rate schedule of DeBERTaV3 (paper Table 8: β 0.9/0.98, ε 1e-6, weight decay 0.01, clip 1.0).
//
// The optimiser's state lives in the context under AdamW.Scope (the step counter "step" and, for each
// trainable variable <scope>/<name>, the moments <Scope><scope>/<name>_m and _v), so it is saved, restored and
// resumed with the model's variables.
package optim
