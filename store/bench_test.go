package store

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/buntdb"

	"github.com/tagbot/tagbot/internal/cputime"
)

// BenchmarkApply measures appending one change-set (ledger + indexes +
// projection + outbox + chain + frame marker in one transaction) to a
// file-backed store, and in the same run a bare BuntDB transaction that
// writes the same keys and bytes to a file of its own: the floor Apply is
// measured against (ratio = bare rate / Apply rate).
func BenchmarkApply(b *testing.B) {
	s, _ := openTest(b)
	pairs := [][2][]TagRef{{tags("t1", "t3"), nil}, {nil, tags("t1", "t3")}}
	change := func(i int) ChangeSet {
		p := pairs[i%2]
		return ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: p[0], Remove: p[1]}
	}
	bare := bareWrites(b, change)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := s.Apply(change(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	applyCPU := cputime.Process() - cpu0
	applyRate := float64(b.N) / b.Elapsed().Seconds()
	db, err := buntdb.Open(filepath.Join(b.TempDir(), "bare.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start, cpu0 := time.Now(), cputime.Process()
	for i := 0; i < b.N; i++ {
		seq := fmt.Sprintf("%012d", i+1) // new ledger and outbox keys each time, as Apply writes
		err := db.Update(func(tx *buntdb.Tx) error {
			for _, w := range bare[i%2] {
				if _, _, err := tx.Set(strings.Replace(w[0], bareSeq[i%2], seq, 1), w[1], nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	bareRate := float64(b.N) / time.Since(start).Seconds()
	bareCPU := cputime.Process() - cpu0
	b.ReportMetric(applyRate, "changesets/s")
	b.ReportMetric(bareRate, "bare-tx/s")
	b.ReportMetric(bareRate/applyRate, "bare/apply")
	// CPU time per operation (user+system, all threads) holds still when
	// other processes load the machine, which wall-clock rates do not.
	b.ReportMetric(float64(applyCPU.Microseconds())/float64(b.N), "apply-cpu-µs/op")
	b.ReportMetric(float64(bareCPU.Microseconds())/float64(b.N), "bare-cpu-µs/op")
}

// bareSeq is the sequence number (change-set and outbox entry alike) in the
// keys bareWrites records.
var bareSeq = [2]string{fmt.Sprintf("%012d", 1), fmt.Sprintf("%012d", 2)}

// bareWrites records the keys and values two Applies (an add and its
// removal) write, the frame marker included, on a store of their own: the
// first change-set and outbox entry of the store, so their keys hold
// bareSeq.
func bareWrites(b *testing.B, change func(int) ChangeSet) [2][][2]string {
	s, _ := openTest(b)
	var out [2][][2]string
	for i := range out {
		err := s.update(func(tx *txn) error {
			cs := change(i)
			if err := s.applyTx(tx, &cs); err != nil {
				return err
			}
			var sum frameSum
			tx.finalWrites(func(w write) {
				out[i] = append(out[i], [2]string{w.key, w.val}) // Set stands in for Delete
				sum.add(w.del, w.key, w.val)
			})
			out[i] = append(out[i], [2]string{frameKey, sum.String()})
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// bigStore builds (once per process) a store holding benchEvents change-sets
// over 10,000 customers, and returns its path. TAGBOT_BENCH_EVENTS overrides
// the size (default 1,000,000).
var bigStore = sync.OnceValues(func() (string, error) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("TAGBOT_BENCH_EVENTS")); err == nil && v > 0 {
		n = v
	}
	dir, err := os.MkdirTemp("", "tagbot-bench-")
	if err != nil {
		return "", err
	}
	benchDir = dir
	path := filepath.Join(dir, "big.db")
	s, err := Open(path, Options{Sync: "never"})
	if err != nil {
		return "", err
	}
	defer s.Close()
	// Shrink once at the end instead of in the background while building.
	if err := s.db.SetConfig(buntdb.Config{SyncPolicy: buntdb.Never, AutoShrinkDisabled: true}); err != nil {
		return "", err
	}
	lib := Library{Groups: []Group{{ID: "g", Name: "G"}}}
	for i := 0; i < 20; i++ {
		lib.Tags = append(lib.Tags, Tag{ID: fmt.Sprintf("t%d", i), GroupID: "g", GroupName: "G", Name: fmt.Sprintf("标签%d", i)})
	}
	if _, err := s.PutLibrary(lib, "sync"); err != nil {
		return "", err
	}
	const customers = 10_000
	for c := 0; c < customers; c++ {
		if err := s.UpsertCustomer(Customer{ID: fmt.Sprintf("cust%05d", c), Name: fmt.Sprintf("客户%d", c)}, []FollowInfo{{Follower: "zhangsan"}}); err != nil {
			return "", err
		}
	}
	batch := make([]ChangeSet, 0, 1000)
	for i := 0; i < n; i++ {
		c := i % customers
		round := i / customers
		tag := TagRef{ID: fmt.Sprintf("t%d", (round/2)%20)}
		cs := ChangeSet{Actor: fmt.Sprintf("user%d", i%50), Source: SourceCommand, Customer: fmt.Sprintf("cust%05d", c), Follower: "zhangsan"}
		if round%2 == 0 {
			cs.Add = []TagRef{tag}
		} else {
			cs.Remove = []TagRef{tag}
		}
		batch = append(batch, cs)
		if len(batch) == cap(batch) || i == n-1 {
			done, err := s.ApplyBatch(batch)
			if err != nil {
				return "", err
			}
			batch = batch[:0]
			// A running bot drains the outbox; so does the benchmark store.
			if err := s.update(func(tx *txn) error {
				for _, cs := range done {
					e, err := getOutbox(tx, cs.Outbox)
					if err != nil {
						return err
					}
					e.Status = OutboxStatusDone
					if err := finish(tx, e); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				return "", err
			}
		}
	}
	// BuntDB compacts its append-only file as it grows; start from the
	// compacted file a long-running store would have.
	if err := s.db.Shrink(); err != nil {
		return "", err
	}
	return path, nil
})

// benchDir is removed by TestMain when the benchmarks are done.
var benchDir string

// residentMB reads the process's resident set size from /proc (0 elsewhere).
func residentMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(line[len("VmRSS:"):]), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkHistoryOneCustomer measures /history of one customer (newest 20
// of its ~100 change-sets) in a store of 1,000,000 ledger events. Besides
// wall time it reports the process's CPU time per query (cpu-ns/op), which
// other work on the machine disturbs less.
func BenchmarkHistoryOneCustomer(b *testing.B) {
	s := openBig(b)
	benchCPU(b, func(i int) {
		h, err := s.History(Query{Customer: fmt.Sprintf("cust%05d", i%10_000), Limit: 20})
		if err != nil || len(h) == 0 {
			b.Fatalf("history: %d, %v", len(h), err)
		}
	})
}

// BenchmarkHistoryCustomerWindow is the same with a time window, which maps
// to an id range by binary search.
func BenchmarkHistoryCustomerWindow(b *testing.B) {
	s := openBig(b)
	first, _ := s.Get(1)
	since := first.Time.Add(-time.Hour)
	benchCPU(b, func(i int) {
		if _, err := s.History(Query{Customer: fmt.Sprintf("cust%05d", i%10_000), Since: since, Limit: 20}); err != nil {
			b.Fatal(err)
		}
	})
}

// benchCPU runs op b.N times and reports CPU time per op beside wall time.
func benchCPU(b *testing.B, op func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	start := cputime.Process()
	for i := 0; i < b.N; i++ {
		op(i)
	}
	b.StopTimer()
	if used := cputime.Process() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// openBig opens the benchmark store built by bigStore. The testing package
// calls a benchmark once per round (b.N = 1, 100, …), so the store is
// opened once per round; the garbage of each opening (and of the store the
// round before closed) is collected before the timer starts, or a round's
// queries would pay for marking gigabytes they did not allocate.
func openBig(b *testing.B) *Store {
	b.Helper()
	path, err := bigStore()
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	runtime.GC()
	return s
}

// BenchmarkOpenMillion measures opening a store of 1,000,000 events and
// reports the heap it holds afterwards.
func BenchmarkOpenMillion(b *testing.B) {
	path, err := bigStore()
	if err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heapMB")
		b.ReportMetric(residentMB(), "rssMB")
		b.ReportMetric(float64(fi.Size())/(1<<20), "fileMB")
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkOpenExisting opens the store file named by TAGBOT_BENCH_STORE
// (skipped when unset), e.g. a 1,000,000-event store written by an older
// tagbot. "first" opens a fresh copy each time: the first start of this
// version on it (the tail read of a file without frames, the hash chain
// started over the existing ledger, TTLs moved). "again" reopens the
// migrated copy: every later start.
func BenchmarkOpenExisting(b *testing.B) {
	src := os.Getenv("TAGBOT_BENCH_STORE")
	if src == "" {
		b.Skip("TAGBOT_BENCH_STORE not set")
	}
	dst := filepath.Join(b.TempDir(), "copy.db")
	copyStore := func(b *testing.B) {
		b.Helper()
		in, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(dst, in, 0o600)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	open := func(b *testing.B) {
		b.Helper()
		s, err := Open(dst, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			copyStore(b)
			b.StartTimer()
			open(b)
		}
	})
	b.Run("again", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			open(b)
		}
	})
}

// BenchmarkTailCheckMillion measures the start-up check alone (reading and
// parsing the end of the file, finding its last whole transaction) on the
// 1,000,000-event store.
func BenchmarkTailCheckMillion(b *testing.B) {
	path, err := bigStore()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := checkTail(path)
		if err != nil || rep.Torn || !rep.Framed {
			b.Fatalf("tail: %+v %v", rep, err)
		}
	}
}
