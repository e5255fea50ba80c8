// Package plots renders the static figures of the notebooks and reports as PNG images (gonum/plot), so a
// saved notebook shows them without re-running and without a JavaScript CDN: heatmaps (attention maps),
// grouped bars (score magnitudes per layer) and line plots (loss curves, the relative-position bucket function).
//
// Every function returns the encoded PNG; notebooks display it with gonbui.DisplayPNG.
package plots
