//go:build !unix

package tokenizer

import "time"

// processCPUTime is not available here: the benchmarks report wall-time throughput only.
func processCPUTime() (time.Duration, bool) { return 0, false }
