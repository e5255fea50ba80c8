package checkpoints_test

import (
	"fmt"
	"log"

	"github.com/deberta-go/lab/checkpoints"
)

func ExampleReadSafetensors() {
	tensors, metadata, err := checkpoints.ReadSafetensors("../testdata/fixtures/tiny-v3/mlm/model.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tensors), "tensors, format", metadata["format"])
	w := tensors["deberta.embeddings.word_embeddings.weight"]
	fmt.Println(w.DType, w.Shape, len(w.Data))
	// Output:
	// 43 tensors, format pt
	// F32 [128 32] 4096
}
