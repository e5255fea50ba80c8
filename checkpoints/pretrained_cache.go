package checkpoints

import (
	"slices"

	"github.com/deberta-go/lab/hub"
)

// configFileName is the config a load reads: config.json, or generator_config.json for the generator.
func configFileName(generator bool) string {
	if generator {
		return "generator_config.json"
	}
	return "config.json"
}

// extraHubFiles is TokenizerFiles followed by the caller's files, without duplicates.
func extraHubFiles(h hub.Options) []string {
	out := slices.Clone(TokenizerFiles)
	for _, f := range h.Files {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// weightFileNames lists the weight file names a load looks for, in order.
func weightFileNames(o OpenOptions) []string {
	formats := o.Formats
	if formats == nil {
		formats = DefaultFormats
	}
	var names []string
	for _, f := range formats {
		names = append(names, WeightFileName(f, o.Generator))
	}
	return names
}
