package gohf

import (
	"context"
	"fmt"
	"reflect"

	ghub "github.com/gomlx/go-huggingface/hub"

	"github.com/deberta-go/lab/checkpoints"
	"github.com/deberta-go/lab/debertav3"
	"github.com/deberta-go/lab/hub"
)

// HubOptions returns the settings of a go-huggingface repository as our hub.Options: its endpoint, token
// (empty: $HF_TOKEN etc., as every load of ours), revision and cache folder. Only model repositories are
// supported.
func HubOptions(repo *ghub.Repo) (hub.Options, error) {
	if repo == nil {
		return hub.Options{}, fmt.Errorf("gohf: nil go-huggingface repository")
	}
	v := reflect.ValueOf(repo).Elem()
	field := func(name string) (string, error) {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Kind() != reflect.String {
			return "", fmt.Errorf("gohf: go-huggingface's hub.Repo has no string field %q (a version other than v0.3.1?)", name)
		}
		return f.String(), nil
	}
	var h hub.Options
	var kind string
	for name, dst := range map[string]*string{"hfEndpoint": &h.Endpoint, "authToken": &h.Token, "revision": &h.Revision,
		"cacheDir": &h.CacheDir, "repoType": &kind} {
		s, err := field(name)
		if err != nil {
			return hub.Options{}, err
		}
		*dst = s
	}
	if kind != string(ghub.RepoTypeModel) {
		return hub.Options{}, fmt.Errorf("gohf: %s is a %s repository, not a model", repo.ID, kind)
	}
	return h, nil
}

// Resolve makes the cache folder of a go-huggingface repository hold what a load with o needs (see
// checkpoints.ResolvePretrained), with the repository's settings (HubOptions).
func Resolve(ctx context.Context, repo *ghub.Repo, o checkpoints.OpenOptions) (*checkpoints.Snapshot, error) {
	h, err := HubOptions(repo)
	if err != nil {
		return nil, err
	}
	return checkpoints.ResolvePretrained(ctx, repo.ID, o, h)
}

// Open loads the DeBERTa model of a go-huggingface repository (Resolve, then checkpoints.Open).
func Open(repo *ghub.Repo, o checkpoints.OpenOptions) (*debertav3.Model, *checkpoints.LoadReport, error) {
	snap, err := Resolve(context.Background(), repo, o)
	if err != nil {
		return nil, nil, err
	}
	return checkpoints.Open(snap.Dir, o)
}
