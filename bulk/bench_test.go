package bulk

// The /bulk preview over a big store. The store is built once per run
// (BULK_BENCH_CUSTOMERS customers, default 1,000,000; building takes
// minutes) in a temp dir, or kept in BULK_BENCH_DIR across runs:
//
//	go test ./bulk -run '^$' -bench BulkPreview -benchtime 5x

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/cputime"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

var bench struct {
	once sync.Once
	dir  string // removed by TestMain unless kept
	st   *store.Store
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.st != nil {
		bench.st.Close()
	}
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchCustomers() int {
	if n, err := strconv.Atoi(os.Getenv("BULK_BENCH_CUSTOMERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchLibrary: 客户 (老客户 60%, 已流失 10%, 双十一 5%) and 兴趣 (5 tags, 20% each).
var benchLibrary = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "客户"}, {ID: "g2", Name: "兴趣"}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "客户", Name: "老客户"},
		{ID: "t2", GroupID: "g1", GroupName: "客户", Name: "已流失"},
		{ID: "t3", GroupID: "g1", GroupName: "客户", Name: "双十一"},
		{ID: "i0", GroupID: "g2", GroupName: "兴趣", Name: "美妆"},
		{ID: "i1", GroupID: "g2", GroupName: "兴趣", Name: "数码"},
		{ID: "i2", GroupID: "g2", GroupName: "兴趣", Name: "母婴"},
		{ID: "i3", GroupID: "g2", GroupName: "兴趣", Name: "运动"},
		{ID: "i4", GroupID: "g2", GroupName: "兴趣", Name: "家居"},
	},
}

// benchStore opens (building it first if needed) the big store read-only.
func benchStore(b *testing.B) *store.Store {
	bench.once.Do(func() {
		dir := os.Getenv("BULK_BENCH_DIR")
		if dir == "" {
			if dir, bench.err = os.MkdirTemp("", "bulk-bench-"); bench.err != nil {
				return
			}
			bench.dir = dir
		}
		path := filepath.Join(dir, fmt.Sprintf("bulk-%d.db", benchCustomers()))
		if _, err := os.Stat(path); err != nil {
			start := time.Now()
			if bench.err = buildBench(path, benchCustomers()); bench.err != nil {
				return
			}
			b.Logf("built a %d-customer store in %v", benchCustomers(), time.Since(start).Round(time.Second))
		}
		start := time.Now()
		bench.st, bench.err = store.Open(path, store.Options{ReadOnly: true, Now: func() time.Time { return testNow }})
		b.Logf("opened it in %v", time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.st
}

// buildBench writes n customers, each followed by one of 50 employees (a
// fifth by two), added over two years, a tenth through the channel 展会,
// with tags as benchLibrary says, through the store's sync path.
func buildBench(path string, n int) error {
	st, err := store.Open(path, store.Options{Sync: "never"})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.PutLibrary(benchLibrary, "sync"); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(8, 8))
	first := testNow.AddDate(-2, 0, 0)
	for i := 0; i < n; i++ {
		obs := store.Observation{Customer: store.Customer{ID: fmt.Sprintf("wm%08d", i), Name: fmt.Sprintf("客户%d", i)}, Complete: true}
		fols := []string{fmt.Sprintf("emp%02d", rng.IntN(50))}
		if i%5 == 0 {
			fols = append(fols, fmt.Sprintf("emp%02d", (rng.IntN(49)+1+i)%50))
		}
		for _, f := range fols {
			fi := store.FollowInfo{Follower: f, CreateTime: first.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))}
			if rng.IntN(10) == 0 {
				fi.State = "展会"
			}
			var tags []string
			for id, p := range map[string]float64{"t1": 0.6, "t2": 0.1, "t3": 0.05} {
				if rng.Float64() < p {
					tags = append(tags, id)
				}
			}
			tags = append(tags, fmt.Sprintf("i%d", rng.IntN(5)))
			obs.Follows = append(obs.Follows, store.ObservedFollow{FollowInfo: fi, TagIDs: tags})
		}
		if _, err := st.Reconcile(obs, store.ReconcileOptions{Source: store.SourceSync, Actor: "sync"}); err != nil {
			return err
		}
	}
	return nil
}

// benchPlan parses and resolves text against the bench library.
func benchPlan(b *testing.B, st *store.Store, text string) (*Bulk, plan) {
	r, err := parseText(text)
	if err != nil {
		b.Fatal(err)
	}
	byName := map[string]store.Tag{}
	for _, t := range benchLibrary.Tags {
		byName[t.Name] = t
	}
	p := plan{}
	for _, n := range r.Add {
		p.add = append(p.add, byName[n])
	}
	for _, n := range r.Remove {
		p.remove = append(p.remove, byName[n])
	}
	if p.sel, err = Resolve(r.Select, func(name string) (string, error) { return byName[name].ID, nil }); err != nil {
		b.Fatal(err)
	}
	return New(Options{Store: st, Config: config.Default(), Runner: &jobs.Runner{Store: st}}), p
}

func benchPreview(b *testing.B, text string) {
	st := benchStore(b)
	bk, p := benchPlan(b, st, text)
	b.ResetTimer()
	cpu := cputime.Process()
	var pv previewResult
	for i := 0; i < b.N; i++ {
		var err error
		if pv, err = bk.preview(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(pv.selected)), "selected")
	b.ReportMetric(float64(len(pv.change)), "to-change")
}

// BenchmarkBulkPreview is the preview of the example: a tag
// expression read from the index keys alone.
func BenchmarkBulkPreview(b *testing.B) {
	benchPreview(b, "/bulk tag:老客户 and not tag:已流失 +双十一")
}

// BenchmarkBulkPreviewOr is an "or" of tags with a "not".
func BenchmarkBulkPreviewOr(b *testing.B) {
	benchPreview(b, "/bulk (tag:美妆 or tag:母婴) and not tag:已流失 -双十一")
}

// BenchmarkBulkPreviewFilter filters every relationship on when and
// through which channel it was added (reads each stored relationship).
func BenchmarkBulkPreviewFilter(b *testing.B) {
	benchPreview(b, "/bulk since:2026-01-01 and state:展会 +双十一")
}

// BenchmarkBulkPreviewFollower is one employee's customers with a tag.
func BenchmarkBulkPreviewFollower(b *testing.B) {
	benchPreview(b, "/bulk @emp07 and tag:老客户 +双十一")
}
