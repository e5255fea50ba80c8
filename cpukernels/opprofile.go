package cpukernels

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	gi "github.com/deberta-go/lab/internal/gomlxinternals"
	"github.com/gomlx/gomlx/backends"
)

// OpTime is the time spent in one kind of op of the pure-Go backend while the op profile was on.
type OpTime struct {
	Op    string        `json:"op"`
	Calls int64         `json:"calls"`
	Time  time.Duration `json:"ns"`
}

var opProfile struct {
	sync.Mutex
	on    bool
	calls [backends.OpTypeLast]int64
	time  [backends.OpTypeLast]time.Duration
}

// StartOpProfile wraps every executor of the pure-Go backend (after Install, so BLAS and the fast kernels are
// what is timed) with a timer per op type; OpProfile reads the totals. Meant for benchmarks and profiling (it
// serialises the bookkeeping with a mutex); it cannot be stopped. The backend must run ops sequentially for the
// times to add up (the project default does).
func StartOpProfile() error {
	opProfile.Lock()
	defer opProfile.Unlock()
	if opProfile.on {
		return nil
	}
	current := gi.Executors()
	table := map[backends.OpType]gi.Executor{}
	for op, ex := range current {
		if ex == nil {
			continue
		}
		table[backends.OpType(op)] = func(b *gi.Backend, n *gi.Node, in []*gi.Buffer, owned []bool) (*gi.Buffer, error) {
			start := time.Now()
			out, err := ex(b, n, in, owned)
			d := time.Since(start)
			opProfile.Lock()
			opProfile.calls[op]++
			opProfile.time[op] += d
			opProfile.Unlock()
			return out, err
		}
	}
	if _, err := gi.ReplaceExecutors(table); err != nil {
		return err
	}
	opProfile.on = true
	return nil
}

// OpProfile returns the time per op type since StartOpProfile, largest first.
func OpProfile() []OpTime {
	opProfile.Lock()
	defer opProfile.Unlock()
	var out []OpTime
	for op, n := range opProfile.calls {
		if n > 0 {
			out = append(out, OpTime{backends.OpType(op).String(), n, opProfile.time[op]})
		}
	}
	slices.SortFunc(out, func(a, b OpTime) int { return int(b.Time - a.Time) })
	return out
}

// WriteOpProfile prints the profile as a table with each op's share of the total.
func WriteOpProfile(w io.Writer, prof []OpTime) {
	var total time.Duration
	for _, p := range prof {
		total += p.Time
	}
	fmt.Fprintf(w, "%-22s %8s %12s %6s\n", "op", "calls", "time", "share")
	for _, p := range prof {
		fmt.Fprintf(w, "%-22s %8d %12s %5.1f%%\n", p.Op, p.Calls, p.Time.Round(time.Microsecond), 100*float64(p.Time)/float64(max(total, 1)))
	}
	fmt.Fprintf(w, "%-22s %8s %12s\n", "total", "", total.Round(time.Microsecond))
}
