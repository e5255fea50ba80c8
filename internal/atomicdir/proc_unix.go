//go:build unix

package atomicdir

import (
	"errors"
	"os"
	"syscall"
)

// running reports whether a process with this id exists.
func running(pid int) bool {
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
