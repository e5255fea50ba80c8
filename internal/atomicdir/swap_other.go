//go:build !linux

package atomicdir

// swap moves dir aside and tmp into its place (two renames) and returns where the old content now is.
func swap(tmp, dir string) (string, error) { return swapRenames(tmp, dir) }
