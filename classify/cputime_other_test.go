//go:build !linux

package classify

import "time"

// threadCPU falls back to the wall clock where there is no per-thread CPU
// time.
func threadCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }
