package cputime

import "testing"

// TestProcessMoves checks that CPU spent by the test shows in Process.
func TestProcessMoves(t *testing.T) {
	start := Process()
	if start <= 0 {
		t.Skip("no CPU time on this platform")
	}
	x := 0
	for Process() == start {
		for i := 0; i < 1_000_000; i++ {
			x += i
		}
	}
	if got := Process(); got < start {
		t.Errorf("Process went back: %v after %v (x=%d)", got, start, x)
	}
}
