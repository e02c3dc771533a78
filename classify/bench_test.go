package classify

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"

	"github.com/tagbot/tagbot/classify/rules"
)

// jddcMessages reads the queries of testdata/jddc/select.txt (JDDC dev
// split, Apache-2.0, see testdata/jddc/README.md).
func jddcMessages(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/jddc/select.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) >= 3 {
			out = append(out, cols[1])
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// benchKeywords returns n distinct keywords, deterministically: a fifth
// are 3- and 4-character n-grams of the messages (the most frequent 500
// skipped, as too generic to be a rule's keyword; then by frequency and
// text), the rest synthetic CJK words from a fixed LCG, like a large rule
// set of which a message meets a few rules (matches/msg says how many).
func benchKeywords(msgs []string, n int) []string {
	freq := map[string]int{}
	for _, m := range msgs {
		r := []rune(Normalize(m))
		for size := 3; size <= 4; size++ {
			for i := 0; i+size <= len(r); i++ {
				freq[string(r[i:i+size])]++
			}
		}
	}
	grams := make([]string, 0, len(freq))
	for g := range freq {
		if !strings.ContainsAny(g, " ,.?!") {
			grams = append(grams, g)
		}
	}
	slices.SortFunc(grams, func(a, b string) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		return strings.Compare(a, b)
	})
	seen := map[string]bool{}
	var out []string
	for _, g := range grams[min(500, len(grams)):] {
		if len(out) == n/5 {
			break
		}
		seen[g] = true
		out = append(out, g)
	}
	x := uint32(12345)
	for len(out) < n {
		var b strings.Builder
		for range 3 {
			x = x*1664525 + 1013904223
			b.WriteRune(rune(0x4E00 + x>>16%0x5000))
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// benchEngine is n one-keyword rules over the messages, compiled.
func benchEngine(tb testing.TB, msgs []string, n int) (*Engine, []string) {
	kws := benchKeywords(msgs, n)
	rs := make([]rules.Rule, len(kws))
	for i, k := range kws {
		rs[i] = rules.Rule{Name: fmt.Sprintf("r%d", i), Tags: []string{"t"}, Keywords: []string{k},
			On: rules.OnMessage, From: rules.FromCustomer, Mode: rules.ModeSuggest, Score: 1}
	}
	set, err := Compile(rs, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return NewEngine(set, EngineOptions{}), kws
}

// naiveClassify is the baseline: normalise, then strings.Contains for
// every keyword.
func naiveClassify(text string, kws []string) int {
	t := Normalize(text)
	n := 0
	for _, k := range kws {
		if strings.Contains(t, k) {
			n++
		}
	}
	return n
}

// BenchmarkKeywords10k classifies the JDDC messages with 10,000 keyword
// rules on one goroutine and, in the same run, times the naive loop over
// the same messages: msgs/s of each (from the thread's CPU time, so a busy
// machine does not count the time waited for a core; ns/op is wall time)
// and the speed-up.
func BenchmarkKeywords10k(b *testing.B) {
	msgs := jddcMessages(b)
	e, kws := benchEngine(b, msgs, 10000)
	inputs := make([]Input, len(msgs))
	for i, m := range msgs {
		inputs[i] = Input{Message: &Message{From: FromCustomer, Text: m, Time: time.Unix(0, 0)}}
	}
	ctx := context.Background()
	matched := 0
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// The naive loop is timed in samples interleaved with the engine's
	// messages (one every naiveEvery), so both see the same machine load.
	const naiveEvery = 256
	var engCPU, naiveCPU time.Duration
	naiveN := 0
	b.ResetTimer()
	start := threadCPU()
	for i := 0; b.Loop(); i++ {
		ms, _ := e.Classify(ctx, inputs[i%len(inputs)], nil)
		matched += len(ms)
		if i%naiveEvery == naiveEvery-1 {
			// Each side is charged only its own work: StopTimer and
			// StartTimer read the memory statistics (a stop of the
			// world), which belongs to neither.
			engCPU += threadCPU() - start
			b.StopTimer()
			t1 := threadCPU()
			naiveClassify(msgs[naiveN*7%len(msgs)], kws) // spread over the whole file
			naiveN++
			naiveCPU += threadCPU() - t1
			b.StartTimer()
			start = threadCPU()
		}
	}
	engCPU += threadCPU() - start
	if naiveN == 0 { // too few iterations for a sample: time one now
		t1 := threadCPU()
		naiveClassify(msgs[0], kws)
		naiveCPU, naiveN = threadCPU()-t1, 1
	}
	perMsg := engCPU.Seconds() / float64(b.N)
	naivePerMsg := naiveCPU.Seconds() / float64(naiveN)
	b.ReportMetric(1/perMsg, "msgs/s")
	b.ReportMetric(1/naivePerMsg, "naive-msgs/s")
	b.ReportMetric(naivePerMsg/perMsg, "x-naive")
	b.ReportMetric(float64(matched)/float64(b.N), "matches/msg")
}

// TestBenchKeywordsAgree checks the engine finds exactly the rules the naive
// loop finds, so the benchmark compares equal work.
func TestBenchKeywordsAgree(t *testing.T) {
	msgs := jddcMessages(t)
	e, kws := benchEngine(t, msgs, 10000)
	for i, m := range msgs[:300] {
		ms, _ := e.Classify(context.Background(), Input{Message: &Message{From: FromCustomer, Text: m}}, nil)
		if want := naiveClassify(m, kws); len(ms) != want {
			t.Fatalf("message %d %q: engine %d matches, naive %d", i, m, len(ms), want)
		}
	}
	if !utf8.ValidString(kws[len(kws)-1]) || len(kws) != 10000 {
		t.Fatalf("keywords: %d", len(kws))
	}
}

// BenchmarkAutomata compares, on the 10,000 benchmark keywords over the
// JDDC messages, the automaton the engine uses (over runes, dense root
// row, child blocks) with github.com/coregx/ahocorasick v0.3.1 (a byte DFA, the library
// the issue suggested), both reporting every overlapping occurrence: scan
// time per message, build time and heap (a reload builds a new one while
// the old one still runs).
func BenchmarkAutomata(b *testing.B) {
	msgs := jddcMessages(b)
	kws := benchKeywords(msgs, 10000)
	texts := make([][]byte, len(msgs))
	strs := make([]string, len(msgs))
	for i, m := range msgs {
		strs[i] = Normalize(m)
		texts[i] = []byte(strs[i])
	}
	b.Run("own", func(b *testing.B) {
		h0, t0 := heapKB(), time.Now()
		a := newAutomaton(kws)
		build, kb := time.Since(t0), heapKB()-h0
		var hits []hit
		for i := 0; b.Loop(); i++ {
			hits = a.findAll(strs[i%len(strs)], hits[:0])
		}
		b.ReportMetric(float64(build.Milliseconds()), "build-ms")
		b.ReportMetric(float64(kb), "heap-KB")
	})
	b.Run("coregx", func(b *testing.B) {
		h0, t0 := heapKB(), time.Now()
		a, err := ahocorasick.NewBuilder().AddStrings(kws).Build()
		if err != nil {
			b.Fatal(err)
		}
		build, kb := time.Since(t0), heapKB()-h0
		for i := 0; b.Loop(); i++ {
			a.FindAllOverlapping(texts[i%len(texts)])
		}
		b.ReportMetric(float64(build.Milliseconds()), "build-ms")
		b.ReportMetric(float64(kb), "heap-KB")
	})
}

// heapKB is the live heap after a collection, in KB.
func heapKB() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc / 1024)
}

// TestAutomataAgree: both automata find the same occurrences on the
// benchmark data, so BenchmarkAutomata compares equal work.
func TestAutomataAgree(t *testing.T) {
	msgs := jddcMessages(t)
	kws := benchKeywords(msgs, 10000)
	own := newAutomaton(kws)
	lib, err := ahocorasick.NewBuilder().AddStrings(kws).Build()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs[:500] {
		text := Normalize(m)
		var want []hit
		for _, x := range lib.FindAllOverlapping([]byte(text)) {
			want = append(want, hit{pattern: x.PatternID, start: x.Start, end: x.End})
		}
		if got := own.findAll(text, nil); !slices.Equal(sortHits(got), sortHits(want)) {
			t.Fatalf("%q: own %v, coregx %v", text, got, want)
		}
	}
}
