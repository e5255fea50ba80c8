package pretrain

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/deberta-go/lab/layers"
)

func TestAverageCosine(t *testing.T) {
	same := tensors.FromValue([][]float32{{1, 2, 3}, {1, 2, 3}, {2, 4, 6}})
	ortho := tensors.FromValue([][]float32{{1, 0, 0}, {0, 2, 0}, {0, 0, 3}})
	zero := tensors.FromValue([][]float32{{0, 0}, {0, 0}})
	for _, tc := range []struct {
		name  string
		table *tensors.Tensor
		want  float64
	}{{"identical", same, 1}, {"orthogonal", ortho, 0}, {"zero", zero, 0}} {
		got, err := AverageCosine(tc.table, 50, 1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("%s: %g, want %g", tc.name, got, tc.want)
		}
	}
	if _, err := AverageCosine(tensors.FromValue([][]float32{{1, 2}}), 5, 1); err == nil {
		t.Error("one row: no error")
	}
}

// TestAnalyses runs the table similarities and the gradient cosines on the tiny model after 2 steps, for every
// sharing mode, and checks that GradientCosines does not disturb training (RNG restored).
func TestAnalyses(t *testing.T) {
	seqs := corpus()
	for _, mode := range []layers.SharingMode{layers.ES, layers.NES, layers.GDES} {
		t.Run(mode.String(), func(t *testing.T) {
			tr := newTinyTrainer(t, mode, 5)
			rng := rand.New(rand.NewPCG(1, 2))
			batch := makeBatch(rng, seqs)
			if _, err := tr.GradientCosines(batch); err == nil {
				t.Error("GradientCosines before the first Step: no error")
			}
			if _, err := tr.Step(batch); err != nil {
				t.Fatal(err)
			}
			a, err := tr.GradientCosines(batch)
			if err != nil {
				t.Fatal(err)
			}
			sim, err := tr.TableSimilarities(200, 3)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: grad cos %.4f shared %.4f |gMLM| %.3g |gRTD| %.3g; table cos E_G %.4f E_D %.4f", mode,
				a.Cosine, a.SharedCosine, a.MLMNorm, a.RTDNorm, sim.Generator, sim.Discriminator)
			for _, x := range []float64{a.Cosine, a.SharedCosine} {
				if math.IsNaN(x) || x < -1-1e-5 || x > 1+1e-5 {
					t.Errorf("cosine %g out of [-1, 1]", x)
				}
			}
			if !(a.MLMNorm > 0) || !(a.RTDNorm > 0) {
				t.Errorf("gradient norms %g, %g", a.MLMNorm, a.RTDNorm)
			}
			switch mode {
			case layers.ES:
				if math.Abs(a.Cosine-a.SharedCosine) > 1e-6 {
					t.Errorf("ES: cosine %g != shared cosine %g", a.Cosine, a.SharedCosine)
				}
			default:
				if a.SharedCosine != 0 {
					t.Errorf("%s: ∂L_RTD/∂E_G must be 0, shared cosine %g", mode, a.SharedCosine)
				}
			}
			if math.Abs(sim.Generator) > 1 || math.Abs(sim.Discriminator) > 1 {
				t.Errorf("similarities %+v", sim)
			}
			if mode == layers.ES && sim.Generator != sim.Discriminator {
				t.Errorf("ES: one table, similarities %+v", sim)
			}
			// GradientCosines leaves the RNG alone: the next step equals a reference trainer's.
			ref := newTinyTrainer(t, mode, 5)
			if _, err := ref.Step(batch); err != nil {
				t.Fatal(err)
			}
			next := makeBatch(rng, seqs)
			m1, err := tr.Step(next)
			if err != nil {
				t.Fatal(err)
			}
			m2, err := ref.Step(next)
			if err != nil {
				t.Fatal(err)
			}
			if m1.Loss != m2.Loss || m1.SampledAcc != m2.SampledAcc {
				t.Errorf("analysis changed training: %+v vs %+v", m1, m2)
			}
		})
	}
}
