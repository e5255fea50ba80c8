package cpukernels

import "testing"

// BenchmarkVec times the C kernels on 2^19 elements (one goroutine); ns/elem is the figure to compare.
func BenchmarkVec(b *testing.B) {
	a := grid(-4, 4, 8.0/(1<<19))[:1<<19]
	d := make([]float32, len(a))
	for _, k := range []struct {
		name string
		f    func()
	}{
		{"exp", func() { vecExp(d, a) }},
		{"erf", func() { vecErf(d, a) }},
		{"add", func() { vecBinary(vecAdd, d, a, 0, 1, a, 0, 1, 1, len(d)) }},
	} {
		b.Run(k.name, func(b *testing.B) {
			for b.Loop() {
				k.f()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(a)), "ns/elem")
		})
	}
}
