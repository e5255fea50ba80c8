package npy_test

import (
	"fmt"
	"log"

	"github.com/deberta-go/lab/internal/npy"
)

func ExampleRead() {
	a, err := npy.Read("testdata/input_ids.npy")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.DType, a.Shape, a.I64[:4])
	// Output: <i8 [3 16] [1 13 3 34]
}
