package main

import (
	"fmt"
	"testing"

	"github.com/deberta-go/lab/internal/fakehub"
	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// TestFillMaskByHubNameThenOffline is issue #4's acceptance path against a local fake hub: `deberta fill-mask
// --model microsoft/deberta-v3-xsmall "…[MASK]…"` downloads a released-layout repository (discriminator,
// generator beside it, spm.model) into the HuggingFace cache and answers with the generator; then, with the
// hub gone and HF_HUB_OFFLINE=1, the same command answers the same from the cache.
func TestFillMaskByHubNameThenOffline(t *testing.T) {
	files, err := fakehub.ReadDir(tinyModel(t, tinymodels.RTD))
	if err != nil {
		t.Fatal(err)
	}
	hub := fakehub.New()
	hub.Repo("microsoft/deberta-v3-xsmall").Commit(files, "main")
	t.Setenv("HF_ENDPOINT", hub.URL)
	t.Setenv("HF_HOME", t.TempDir())
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	text := "Paris is the [MASK] of France."
	online := runJSON[fillMaskLine](t, runFillMask, "", "--model", "microsoft/deberta-v3-xsmall", "--top-k", "3", text)
	if len(online) != 1 || len(online[0].Masks) != 1 || len(online[0].Masks[0].Candidates) != 3 {
		t.Fatalf("online fill-mask: %+v", online)
	}
	if hub.ContentGETs("pytorch_model.generator.bin")+hub.ContentGETs("model.generator.safetensors") == 0 {
		t.Errorf("the generator checkpoint was not downloaded: %+v", hub.Requests())
	}
	hub.Close()
	t.Setenv("HF_HUB_OFFLINE", "1")
	offline := runJSON[fillMaskLine](t, runFillMask, "", "--model", "microsoft/deberta-v3-xsmall", "--top-k", "3", text)
	if fmt.Sprint(offline) != fmt.Sprint(online) {
		t.Errorf("offline answer %+v differs from online %+v", offline, online)
	}
}
