package atomicdir_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/deberta-go/lab/internal/atomicdir"
)

// Write replaces a folder whole, or leaves it as it was.
func ExampleWrite() {
	parent, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(parent)
	out := filepath.Join(parent, "model")
	write := func(overwrite bool) error {
		return atomicdir.Write(out, overwrite, func(tmp string) error {
			return os.WriteFile(filepath.Join(tmp, "config.json"), []byte("{}"), 0o644)
		})
	}
	fmt.Println(write(false) == nil)
	fmt.Println(write(false) != nil) // the folder now exists
	fmt.Println(write(true) == nil)
	// Output:
	// true
	// true
	// true
}
