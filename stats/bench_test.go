package stats

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// The statistics benchmarks run on a store of benchCustomers customers
// (STATS_BENCH_CUSTOMERS overrides the default 1,000,000), built once per
// `go test` run under a temp dir and removed by TestMain:
//
//	go test -run '^$' -bench BenchmarkStats -benchtime 5x -count 3 -timeout 60m ./stats/
//
// Each customer is followed by one employee of 50 (every fifth also by a
// second); the 20 tags of 4 groups are carried with shares from 2% to 40%
// (about 3.3 tags per customer), written by a full sync 60 days ago; then
// 20,000 commands in the last 30 days add and remove tags, so the 7- and
// 30-day changes have a real window to read.
//
// STATS_BENCH_DIR keeps the store in that directory across runs (it is
// reused when present, and not removed).

const benchTags = 20

var bench struct {
	once sync.Once
	dir  string
	path string
	now  time.Time
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if opened.st != nil {
		opened.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchCustomers() int {
	if n, err := strconv.Atoi(os.Getenv("STATS_BENCH_CUSTOMERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchLibrary is 4 groups of 5 tags, b0 … b19.
func benchLibrary() store.Library {
	var lib store.Library
	for g := 0; g < 4; g++ {
		lib.Groups = append(lib.Groups, store.Group{ID: fmt.Sprintf("bg%d", g), Name: fmt.Sprintf("组%d", g), Order: 4 - g})
	}
	for i := 0; i < benchTags; i++ {
		g := lib.Groups[i/5]
		lib.Tags = append(lib.Tags, store.Tag{ID: fmt.Sprintf("b%d", i), GroupID: g.ID, GroupName: g.Name, Name: fmt.Sprintf("标签%d", i), Order: benchTags - i})
	}
	return lib
}

// benchStore builds the benchmark store once and returns its path and the
// time it was built up to.
func benchStore(b *testing.B) (string, time.Time) {
	bench.once.Do(func() {
		keep := os.Getenv("STATS_BENCH_DIR")
		dir := keep
		if dir == "" {
			dir, bench.err = os.MkdirTemp("", "stats-bench-")
			if bench.err != nil {
				return
			}
			bench.dir = dir
		}
		bench.path = filepath.Join(dir, "tagbot.db")
		stamp := filepath.Join(dir, "built-until")
		if raw, err := os.ReadFile(stamp); err == nil && keep != "" {
			bench.now, bench.err = time.Parse(time.RFC3339Nano, string(raw))
			return
		}
		start := time.Now()
		bench.now, bench.err = buildBench(bench.path, benchCustomers())
		b.Logf("built a %d-customer store in %v", benchCustomers(), time.Since(start).Round(time.Second))
		if bench.err == nil {
			bench.err = os.WriteFile(stamp, []byte(bench.now.Format(time.RFC3339Nano)), 0o644)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.path, bench.now
}

func buildBench(path string, n int) (time.Time, error) {
	clk := clocktest.New(time.Date(2026, 9, 1, 9, 0, 0, 0, cst))
	st, err := store.Open(path, store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		return time.Time{}, err
	}
	defer st.Close()
	if _, err := st.PutLibrary(benchLibrary(), "sync"); err != nil {
		return time.Time{}, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		obs := store.Observation{Customer: store.Customer{ID: fmt.Sprintf("wm%08d", i), Name: fmt.Sprintf("客户%d", i)}, Complete: true}
		fols := []string{fmt.Sprintf("emp%02d", rng.IntN(50))}
		if i%5 == 0 {
			fols = append(fols, fmt.Sprintf("emp%02d", (rng.IntN(49)+1+i)%50))
		}
		for k, f := range fols {
			var tags []string
			for t := 0; t < benchTags; t++ {
				if k == 0 && rng.Float64() < 0.02+0.38*float64(benchTags-1-t)/float64(benchTags-1) {
					tags = append(tags, fmt.Sprintf("b%d", t))
				}
			}
			obs.Follows = append(obs.Follows, store.ObservedFollow{FollowInfo: store.FollowInfo{Follower: f}, TagIDs: tags})
		}
		if _, err := st.Reconcile(obs, store.ReconcileOptions{Source: store.SourceSync, Actor: "sync"}); err != nil {
			return time.Time{}, err
		}
	}
	clk.Set(time.Date(2026, 10, 2, 9, 0, 0, 0, cst))
	for i := 0; i < 20_000; i++ {
		clk.Advance(2 * time.Minute)
		c := rng.IntN(n)
		rel, err := st.Relationships(fmt.Sprintf("wm%08d", c))
		if err != nil || len(rel) == 0 {
			return time.Time{}, fmt.Errorf("customer %d: %v", c, err)
		}
		r := rel[0]
		tag := store.TagRef{ID: fmt.Sprintf("b%d", rng.IntN(benchTags))}
		cs := store.ChangeSet{Actor: r.Follower, Source: store.SourceCommand, Customer: r.Customer, Follower: r.Follower}
		if _, has := r.Tags[tag.ID]; has {
			cs.Remove = []store.TagRef{tag}
		} else {
			cs.Add = []store.TagRef{tag}
		}
		if _, err := st.Apply(cs); err != nil {
			return time.Time{}, err
		}
	}
	return clk.Now(), nil
}

// opened is the benchmark store, opened once per run (loading it takes
// most of a minute) and closed by TestMain.
var opened struct {
	once sync.Once
	st   *store.Store
	err  error
}

// openBench opens the benchmark store read-only with the clock at its end.
func openBench(b *testing.B) *Stats {
	path, now := benchStore(b)
	opened.once.Do(func() {
		start := time.Now()
		opened.st, opened.err = store.Open(path, store.Options{ReadOnly: true, Now: func() time.Time { return now }})
		b.Logf("opened the store in %v", time.Since(start).Round(time.Second))
	})
	if opened.err != nil {
		b.Fatal(opened.err)
	}
	return &Stats{Store: opened.st, Now: func() time.Time { return now }, Location: cst}
}

// BenchmarkStatsOverview is /stats for a manager as a running bot answers
// it: customers per tag from the counters and the 7- and 30-day changes
// from the ledger events its earlier /stats derived (the first call of
// the process pays BenchmarkStatsOverviewCold once).
func BenchmarkStatsOverview(b *testing.B) {
	s := openBench(b)
	if _, err := s.Overview(Scope{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Overview(Scope{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatsOverviewCold is the first /stats of a process: the whole
// 30-day window of the ledger is read and replayed.
func BenchmarkStatsOverviewCold(b *testing.B) {
	s := openBench(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fresh := &Stats{Store: s.Store, Now: s.Now, Location: s.Location}
		if _, err := fresh.Overview(Scope{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCross are the 5 tags of the cross benchmarks (shares 40% to 15%).
func benchCross() []store.Tag {
	lib := benchLibrary()
	return []store.Tag{lib.Tags[0], lib.Tags[3], lib.Tags[6], lib.Tags[9], lib.Tags[12]}
}

// BenchmarkStatsCross5 is /stats with 5 tags for a manager as a running
// bot answers it once the tags have been asked about: the overlap matrix
// and the first page of those having all, from the cached customer sets
// brought up to date from the ledger.
func BenchmarkStatsCross5(b *testing.B) {
	s := openBench(b)
	tags := benchCross()
	if _, err := s.Cross(tags, 1, Scope{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Cross(tags, 1, Scope{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatsCross5Cold is the first cross analysis of those tags in a
// process: their customers are read from the projection (tt: keys) and
// the 30-day events from the ledger.
func BenchmarkStatsCross5Cold(b *testing.B) {
	s := openBench(b)
	tags := benchCross()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fresh := &Stats{Store: s.Store, Now: s.Now, Location: s.Location}
		if _, err := fresh.Cross(tags, 1, Scope{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatsWarm is serve's background warm-up at start (Warm): the
// 30-day events and the customers of all 20 tags into the cache. It
// reports the bytes the 20 customer bitmaps take (set-bytes; a plain bit
// set would take customers/8 per tag).
func BenchmarkStatsWarm(b *testing.B) {
	s := openBench(b)
	b.ResetTimer()
	var setBytes uint64
	for i := 0; i < b.N; i++ {
		fresh := &Stats{Store: s.Store, Now: s.Now, Location: s.Location}
		if err := fresh.Warm(context.Background()); err != nil {
			b.Fatal(err)
		}
		setBytes = 0
		for _, set := range fresh.cache.sets {
			setBytes += set.GetSizeInBytes()
		}
	}
	b.ReportMetric(float64(setBytes), "set-bytes")
}
