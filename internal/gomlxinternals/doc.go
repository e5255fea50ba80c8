// Package gomlxinternals is the one place where this module reaches into GoMLX v0.26 internals. Everything
// here depends on unexported names of GoMLX and is checked before use, so that a GoMLX upgrade that renames or
// reshapes them fails loudly (TestAssumptions) instead of silently computing something else:
//
//   - graphnodes.go reads the static parameters of graph.Node values (DotGeneral axes, Gather parameters) by
//     reflection: GoMLX keeps them in an unexported field, and our replacement gradients (layers/dotgrad.go)
//     need them.
//   - simplego.go replaces node executors of the pure-Go backend (package simplego): its executor table
//     nodeExecutors is unexported and has no public setter, so it is reached with //go:linkname, and its Node,
//     Buffer and DotGeneral parameter structs are read through mirror structs whose layout is compared field by
//     field (name, offset, type) against the real ones, by reflection, before the first replacement. If any
//     check fails, nothing is replaced and the caller gets the error (the pure-Go executors keep running).
//
// The XLA backends never see any of this: the executor table belongs to package simplego alone.
package gomlxinternals

// VerifiedGoMLX is the GoMLX version whose internals this package mirrors (TestAssumptions fails on another).
const VerifiedGoMLX = "v0.26.0"
