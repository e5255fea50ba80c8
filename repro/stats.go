package repro

import (
	"fmt"
	"math"
)

// Stat is a mean, a sample standard deviation and a 95% confidence half-width over N values.
type Stat struct {
	Mean, Std float64
	N         int
	// CI95 is the half-width of the two-sided 95% Student-t interval of the mean (t_{0.975, N−1}·Std/√N; NaN for N < 2).
	CI95 float64
}

// String formats "mean ± std".
func (s Stat) String() string {
	if s.N == 0 {
		return "–"
	}
	return fmt.Sprintf("%.4f ± %.4f", s.Mean, s.Std)
}

// NewStat computes the mean, the sample standard deviation (n−1; 0 for one value) and the 95% half-width.
func NewStat(xs []float64) Stat {
	s := Stat{N: len(xs), CI95: math.NaN()}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	if s.N > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(s.N-1))
		s.CI95 = TQuantile975(float64(s.N-1)) * s.Std / math.Sqrt(float64(s.N))
	}
	return s
}

// Diff is the difference of two means with its Welch 95% confidence interval.
type Diff struct {
	Gap, Lo, Hi float64 // mean(a) − mean(b) and its interval; Lo = Hi = NaN when either side has < 2 values
	DF          float64 // Welch–Satterthwaite degrees of freedom
}

// NewDiff compares a with b (Welch's unequal-variance t interval).
func NewDiff(a, b Stat) Diff {
	d := Diff{Gap: a.Mean - b.Mean, Lo: math.NaN(), Hi: math.NaN(), DF: math.NaN()}
	if a.N < 2 || b.N < 2 {
		return d
	}
	va, vb := a.Std*a.Std/float64(a.N), b.Std*b.Std/float64(b.N)
	se := math.Sqrt(va + vb)
	if se == 0 {
		d.Lo, d.Hi, d.DF = d.Gap, d.Gap, float64(a.N+b.N-2)
		return d
	}
	d.DF = (va + vb) * (va + vb) / (va*va/float64(a.N-1) + vb*vb/float64(b.N-1))
	h := TQuantile975(d.DF) * se
	d.Lo, d.Hi = d.Gap-h, d.Gap+h
	return d
}

// Verdict reads the interval: "holds" when it lies above 0, "reversed" below 0, "not separated" when it holds 0,
// "untestable" without an interval.
func (d Diff) Verdict() string {
	switch {
	case math.IsNaN(d.Lo):
		return "untestable"
	case d.Lo > 0:
		return "holds"
	case d.Hi < 0:
		return "reversed"
	}
	return "not separated"
}

// t975 are the 0.975 quantiles of Student's t for 1..30 degrees of freedom.
var t975 = [...]float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
	2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042}

// TQuantile975 is the 0.975 quantile of Student's t with df degrees of freedom (df ≥ 1; a fractional df is rounded
// down, which widens the interval; 1.96 beyond 120).
func TQuantile975(df float64) float64 {
	n := int(math.Floor(df))
	switch {
	case n < 1:
		return math.NaN()
	case n <= len(t975):
		return t975[n-1]
	case n <= 40:
		return 2.021
	case n <= 60:
		return 2.000
	case n <= 120:
		return 1.980
	}
	return 1.960
}
