// Package testutil holds test helpers shared by the project's packages: locating the repository's testdata,
// and comparing float32 arrays against golden outputs on real-token positions only.
package testutil
