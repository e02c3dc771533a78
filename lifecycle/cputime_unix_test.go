//go:build unix

package lifecycle

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used (every thread, GC
// included), so a benchmark on a busy machine reports its own work beside
// the wall-clock time it waited for a core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
