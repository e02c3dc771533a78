package store

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// BenchmarkExportMillion streams the whole 1,000,000-event ledger through
// EachChangeSet as JSON lines (what `tagbot export ledger` does inside a
// running serve) and reports how much the peak resident size grew over
// the open store's (VmHWM): the export's own memory, which must stay
// bounded. TAGBOT_KEEP_BIG_STORE=<path> also copies the store there, for
// timing the CLI (docs/benchmarks.md); TAGBOT_BENCH_STORE=<path> uses that
// store instead of building one (then the peak before the export is the
// open store's, not the build's).
func BenchmarkExportMillion(b *testing.B) {
	path := os.Getenv("TAGBOT_BENCH_STORE") // a store kept by an earlier run
	if path == "" {
		var err error
		if path, err = bigStore(); err != nil {
			b.Fatal(err)
		}
	}
	if keep := os.Getenv("TAGBOT_KEEP_BIG_STORE"); keep != "" {
		if err := copyFile(path, keep); err != nil {
			b.Fatal(err)
		}
	}
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := peakMB()
		w := bufio.NewWriter(io.Discard)
		enc := json.NewEncoder(w)
		n := 0
		err := s.EachChangeSet(time.Time{}, func(cs *ChangeSet) error {
			n++
			return enc.Encode(cs)
		})
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		b.ReportMetric(float64(n), "events")
		b.ReportMetric(peakMB()-before, "peakGrowthMB")
		b.ReportMetric(peakMB(), "peakMB")
	}
}

// peakMB reads the process's peak resident set size (VmHWM) in MB.
func peakMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(line[len("VmHWM:"):]), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
