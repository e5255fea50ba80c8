// Package nbkit holds the helpers of the notebooks (notebooks/*.ipynb), so that a cell is one call into tested
// Go code: live training displays, widgets and explorers.
//
// Live training (live.go): a Live display shows one figure updated in place every N steps — the MLM and RTD
// losses, the RTD AUC and gain over the prior (pretrain.Record), tokens/s and the ETA — with a Stop button that
// ends the run at the next step boundary, its state saved and resumable (pretrain.Loop, the loop of
// `deberta pretrain`; pretrain.Resume continues it). Without a live front-end (no browser answers the widgets;
// DEBERTA_NOTEBOOK_HEADLESS=1 under nbconvert and `make notebooks`) nothing is updated in place and Finish
// leaves static PNGs in the saved notebook.
//
// Live fine-tuning (live_finetune.go, finetune_*.go, notebook 04): a LiveFinetune display shows the training
// loss (a moving average over the raw values), the dev score at each evaluation, examples/s and the ETA, fed by
// finetune.Options.OnStep — the hook `deberta finetune` prints its progress with — and its Stop flag is
// Options.Stop. A FinetuneRun keeps its run in a folder: stopped, the trainer state (finetune.Trainer.SaveState);
// trained again with the same settings, it continues from there; finished, results.json and the model.
// FineTuneTasks is notebook 04's cell around it, with a Stop button in a browser.
//
// Research cells: the embedding-sharing study of notebook 03 (sharing.go) and the reproduction experiment and
// claims table of notebook 04 (ShowReproduction, ShowClaims: one call per runs folder).
//
// The GDES explorer (explorer*.go, notebook 05): Settings (sharing mode, λ, generator depth, width,
// temperature, learning rate, steps) train a small generator + discriminator on the built-in corpus with the
// built-in model's vocabulary; every run is kept in a comparison table with overlaid curves (MLM loss, RTD AUC,
// cosine of E_G and E_D, MLM-vs-RTD gradient cosine). Explore shows the widgets and serves Run clicks in a
// browser; headless it runs a small default budget and leaves the table and figures.
//
// Display goes through the Display interface (gonbui by default), so that the package is tested without a
// front-end.
package nbkit
