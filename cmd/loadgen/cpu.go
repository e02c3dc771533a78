package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startProfile starts a CPU profile into path ("" for none); the returned
// function stops it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// cpuTime is the CPU time (user and system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuShare is cpu over wall time in percent of one core (200% = two cores busy).
func cpuShare(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return 100 * cpu.Seconds() / wall.Seconds()
}

// machineTicks is a reading of /proc/stat's aggregate cpu line.
type machineTicks struct{ total, idle uint64 }

// readMachine reads the machine-wide CPU ticks (zero where /proc/stat is
// missing, e.g. not Linux).
func readMachine() machineTicks {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTicks{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return machineTicks{}
	}
	var m machineTicks
	for i, v := range f[1:] {
		n, _ := strconv.ParseUint(v, 10, 64)
		m.total += n
		if i == 3 || i == 4 { // idle, iowait
			m.idle += n
		}
	}
	return m
}

// busySince is the percent of all cores busy (any process) between two
// readings; -1 if unknown.
func (m machineTicks) busySince(before machineTicks) float64 {
	if m.total <= before.total {
		return -1
	}
	return 100 - 100*float64(m.idle-before.idle)/float64(m.total-before.total)
}

// fmtBusy prints a busySince figure.
func fmtBusy(p float64) string {
	if p < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f%%", p)
}
