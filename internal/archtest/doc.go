// Package archtest keeps the imports between this repository's packages one-way. It has no code: its test reads
// `go list -json github.com/deberta-go/lab/...` and checks every import (of the package and of its tests) of one
// of our packages against the level table in archtest_test.go, which mirrors docs/architecture.md:
//
//	level 0  tokenizer, layers, losses, plots  import none of our packages
//	level 1  debertav3 → layers, losses;  data → tokenizer
//	level 2  checkpoints → debertav3, layers;
//	         pretrain, finetune, pipeline → levels 0–1 and checkpoints
//	level 3  cmd/...                           anything
//	—        internal/...                      importable by all; imports only level-0 packages
//
// A package may always import its own sub-packages and internal/... helpers. Sub-packages belong to their
// top-level folder (layers/foo is "layers"). A top-level package missing from the table fails the test: add it
// to the table (and to docs/architecture.md) with the level it belongs to. Packages of the table that do not
// exist yet are fine.
//
// Run it alone with: go test ./internal/archtest/
package archtest
