//go:build !unix

package atomicdir

// running cannot tell on this platform: temporary siblings are kept.
func running(int) bool { return true }
