//go:build !linux

package importer

// cpuSeconds, resetPeakRSS and peakRSSMB measure nothing where there is
// no /proc or getrusage: the benchmarks then report zeros.
func cpuSeconds() float64 { return 0 }
func resetPeakRSS()       {}
func peakRSSMB() float64  { return 0 }
