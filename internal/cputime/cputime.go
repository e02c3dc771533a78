// Package cputime measures the CPU time a process uses, for benchmarks run
// on a machine shared with other work, where CPU time per operation varies
// far less than wall time. 基准测试用的进程 CPU 时间。
//
// Typical use, in a benchmark:
//
//	b.ResetTimer()
//	start := cputime.Process()
//	for i := 0; i < b.N; i++ { … }
//	b.StopTimer()
//	cputime.Report(b, start)
package cputime

import (
	"testing"
	"time"
)

// Report adds the metric cpu-ns/op to b: the process's CPU time since
// start (a Process reading) divided by b.N. It reports nothing where the
// CPU time is not measured.
func Report(b *testing.B, start time.Duration) {
	if used := Process() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
