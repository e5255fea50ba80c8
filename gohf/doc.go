// Package gohf meets users of github.com/gomlx/go-huggingface (v0.3.1) where they are.
//
// Importing it registers our DeBERTa-v2/v3 tokenizer (package tokenizer: the exact ids of HuggingFace's
// DebertaV2Tokenizer) in go-huggingface's tokenizer registry, for the tokenizer classes of DeBERTa
// repositories (TokenizerClasses), so that
//
//	tok, err := tokenizers.New(hub.New("microsoft/deberta-v3-base"))
//
// returns a *Tokenizer whose api.Tokenizer methods give our ids. Open and Resolve load a model from a
// go-huggingface *hub.Repo, with its endpoint, token, revision and cache folder, through our own hub client
// (package hub: offline mode, retries, verified resumable downloads; the same cache layout).
//
// go-huggingface v0.3.1 keeps a Repo's settings in unexported fields; HubOptions reads them by reflection and
// fails with a clear error should a later version rename them.
package gohf
