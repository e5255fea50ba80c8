package pipeline

import (
	"fmt"
	"testing"

	"github.com/deberta-go/lab/pipeline/tinymodels"
)

// benchTexts are n sentences of 8 to 30 words.
func benchTexts(n int) []string {
	words := []string{"the", "model", "reads", "a", "sentence", "about", "Paris", "and", "its", "long", "history",
		"while", "tokens", "flow", "through", "disentangled", "attention", "layers"}
	out := make([]string, n)
	for i := range out {
		s := ""
		for j := range 8 + (i*7)%23 {
			if j > 0 {
				s += " "
			}
			s += words[(i*5+j*3)%len(words)]
		}
		out[i] = s + "."
	}
	return out
}

// BenchmarkPipeline measures end-to-end throughput (tokenisation, batching, forward pass, decoding) of Detect and
// Embed on the tiny random-weight model, 64 texts per operation, batch size 8; reports texts/s.
func BenchmarkPipeline(b *testing.B) {
	in := benchTexts(64)
	for _, task := range []string{"detect", "embed"} {
		b.Run(fmt.Sprintf("%s/tiny/batch8", task), func(b *testing.B) {
			p := load(b, tinymodels.RTD, Options{BatchSize: 8})
			run := func() error {
				var err error
				if task == "detect" {
					_, err = p.Detect(in)
				} else {
					_, err = p.Embed(in, true)
				}
				return err
			}
			if err := run(); err != nil { // compile every batch shape once
				b.Fatal(err)
			}
			b.ResetTimer()
			for range b.N {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(in)*b.N)/b.Elapsed().Seconds(), "texts/s")
		})
	}
}
