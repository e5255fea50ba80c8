package checkpoints_test

import (
	"fmt"
	"log"
	"os"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/hub"
)

// ExampleOpenPretrained loads microsoft/deberta-v3-base from the HuggingFace hub (or from the cache shared
// with Python, without network when HF_HUB_OFFLINE=1), with a progress bar on stderr. It needs the network
// the first time, so it has no checked output.
func ExampleOpenPretrained() {
	h := hub.OptionsFromEnv() // HF_ENDPOINT, HF_TOKEN, HF_HUB_CACHE/HF_HOME, HF_HUB_OFFLINE
	h.Progress = os.Stderr
	m, report, err := checkpoints.OpenPretrained("microsoft/deberta-v3-base@main", checkpoints.OpenOptions{}, h)
	if err != nil {
		log.Fatal(err) // e.g. "hub microsoft/deberta-v3-base@main: HTTP 401: authentication required: set HF_TOKEN ..."
	}
	fmt.Println(m.Config.HiddenSize, m.Config.NumHiddenLayers, report.Loaded, "tensors from", report.Source.Path)
}
