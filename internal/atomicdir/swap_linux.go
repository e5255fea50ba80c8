package atomicdir

import "golang.org/x/sys/unix"

// swap exchanges the folders tmp and dir in one atomic step and returns where the old content now is (tmp).
func swap(tmp, dir string) (string, error) {
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE); err != nil {
		return swapRenames(tmp, dir)
	}
	return tmp, nil
}
