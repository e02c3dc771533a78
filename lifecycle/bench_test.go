package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/internal/cputime"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// benchYAML is the three rules and a toggle pair the enqueue part
// alternates between, so every iteration changes every relationship.
const benchYAML = testYAML + `  - name: 打标
    every: 1d
    when: not has_tag("咖啡续命族")
    add: [咖啡续命族]
  - name: 摘标
    every: 1d
    when: has_tag("咖啡续命族")
    remove: [咖啡续命族]
`

// benchCustomers is LIFECYCLE_BENCH_CUSTOMERS, default 100,000.
func benchCustomers() int {
	if n, err := strconv.Atoi(os.Getenv("LIFECYCLE_BENCH_CUSTOMERS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchEnv is the benchmark store, built once per `go test` run.
var benchEnv struct {
	once sync.Once
	st   *store.Store
	clk  *clocktest.Clock
	svc  *Service
	jobs *jobs.Runner
	err  error
}

// openBench builds a store of n customers, each followed by one of 50
// employees with 活跃会员 (and, one in ten, 童装尺码档案) since 300 days
// ago; two in three wrote in the last month, one in five wrote 咖啡 ten
// times, one in four ordered.
func openBench(b *testing.B) *Service {
	benchEnv.once.Do(func() {
		dir, err := os.MkdirTemp("", "lifecycle-bench-")
		if err != nil {
			benchEnv.err = err
			return
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
		start := time.Now()
		benchEnv.err = buildBench(filepath.Join(dir, "tagbot.db"), benchCustomers())
		b.Logf("built a %d-customer store in %v", benchCustomers(), time.Since(start).Round(time.Second))
	})
	if benchEnv.err != nil {
		b.Fatal(benchEnv.err)
	}
	return benchEnv.svc
}

func buildBench(path string, n int) error {
	clk := clocktest.New(t0.Add(-300 * day))
	st, err := store.Open(path, store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		return err
	}
	if _, err := st.PutLibrary(testLibrary, "sync"); err != nil {
		return err
	}
	for i := range n {
		tags := []string{"t1"}
		if i%10 == 0 {
			tags = append(tags, "t4")
		}
		obs := store.Observation{Customer: store.Customer{ID: fmt.Sprintf("wm%08d", i), Name: fmt.Sprintf("客户%d", i)}, Complete: true,
			Follows: []store.ObservedFollow{{FollowInfo: store.FollowInfo{Follower: fmt.Sprintf("emp%02d", i%50), CreateTime: clk.Now()}, TagIDs: tags}}}
		if _, err := st.Reconcile(obs, store.ReconcileOptions{Source: store.SourceSync, Actor: "sync"}); err != nil {
			return err
		}
	}
	clk.Set(t0)
	var acts []store.Activity
	for i := range n {
		id := fmt.Sprintf("wm%08d", i)
		if i%3 != 0 {
			acts = append(acts, store.Activity{Kind: store.ActivityMessage, Source: store.ActivityAPI, Customer: id, From: "customer", Text: "你好", Time: t0.Add(-time.Duration(i%30) * day)})
		}
		for k := 0; i%5 == 0 && k < 10; k++ {
			acts = append(acts, store.Activity{Kind: store.ActivityMessage, Source: store.ActivityAPI, Customer: id, From: "customer", Text: "来杯咖啡", Time: t0.Add(-time.Duration(k+1) * day)})
		}
		if i%4 == 0 {
			acts = append(acts, store.Activity{Kind: store.ActivityEvent, Source: store.ActivityAPI, Customer: id, Type: "order", Time: t0.Add(-20 * day)})
		}
		if len(acts) >= 2000 || i == n-1 {
			if _, _, err := st.PutActivities(store.ActivityBatch{Items: acts, Retention: 400 * day}); err != nil {
				return err
			}
			acts = acts[:0]
		}
	}
	cfg, err := config.Parse([]byte(benchYAML), "config.yaml", nil)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.DiscardHandler)
	benchEnv.st, benchEnv.clk = st, clk
	benchEnv.jobs = &jobs.Runner{Store: st, Now: clk.Now, Logger: quiet, Chunk: 500}
	benchEnv.svc = New(Options{Store: st, Jobs: benchEnv.jobs, Now: clk.Now, Logger: quiet})
	return benchEnv.svc.Load(cfg, "config.yaml")
}

// BenchmarkLifecycleEvaluate is evaluating the three rules over
// every relationship (last message, tag times, counts over 30 and 90 days).
func BenchmarkLifecycleEvaluate(b *testing.B) {
	svc := openBench(b)
	ctx := context.Background()
	cpu := cputime.Process()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n++
		plan, err := svc.Preview(ctx, []string{"沉睡会员", "童装尺码过期", "咖啡因依赖"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(plan.Relationships), "relationships")
		b.ReportMetric(float64(len(plan.Changes)), "changes")
	}
	b.ReportMetric(float64((cputime.Process()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
}

// BenchmarkLifecycleRun is one run that changes every relationship (the
// rule 打标, `not has_tag(X)` → +X), with its two parts reported apart:
// evaluate-ms (the rule over every relationship) and enqueue-ms (the job
// created and applied: every change-set in the ledger with its outbox
// call, which then goes to WeCom at the outbox's rate, not measured here).
// Between iterations, outside the timer, the opposite rule takes the tag
// back off, so every iteration — and every -count in one process — starts
// from the same store and does the same work.
func BenchmarkLifecycleRun(b *testing.B) {
	svc := openBench(b)
	ctx := context.Background()
	var total benchRun
	b.StopTimer()
	benchRule(ctx, b, svc, "摘标", true) // a run cut short earlier may have left the tag on
	b.StartTimer()
	i := 0
	for b.Loop() {
		i++
		r := benchRule(ctx, b, svc, "打标", false)
		total.eval, total.enqueue = total.eval+r.eval, total.enqueue+r.enqueue
		total.evalCPU, total.enqueueCPU = total.evalCPU+r.evalCPU, total.enqueueCPU+r.enqueueCPU
		b.ReportMetric(float64(r.changes), "changes")
		b.StopTimer()
		benchRule(ctx, b, svc, "摘标", false)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.eval.Milliseconds())/float64(i), "evaluate-ms")
	b.ReportMetric(float64(total.enqueue.Milliseconds())/float64(i), "enqueue-ms")
	b.ReportMetric(float64(total.evalCPU.Milliseconds())/float64(i), "evaluate-cpu-ms")
	b.ReportMetric(float64(total.enqueueCPU.Milliseconds())/float64(i), "enqueue-cpu-ms")
}

// benchRun is what one benchRule took: wall and CPU time of its two parts.
type benchRun struct {
	changes                            int
	eval, enqueue, evalCPU, enqueueCPU time.Duration
}

// benchJobs numbers the benchmark's jobs across iterations and -count runs.
var benchJobs int

// benchRule evaluates rule over every relationship, creates its job and
// applies it, and fails b unless every planned change was applied (or,
// with mayBeEmpty, there was none).
func benchRule(ctx context.Context, b *testing.B, svc *Service, rule string, mayBeEmpty bool) benchRun {
	start, cpu0 := time.Now(), cputime.Process()
	rs, lib, err := svc.compiled([]string{rule})
	if err != nil {
		b.Fatal(err)
	}
	plan, err := Evaluate(ctx, benchEnv.st, rs, lib, benchEnv.clk.Now(), cst, svc.log)
	if err != nil {
		b.Fatal(err)
	}
	mid, cpu1 := time.Now(), cputime.Process()
	if len(plan.Changes) == 0 && mayBeEmpty {
		return benchRun{}
	}
	benchJobs++
	job, err := benchEnv.st.CreateJob(store.Job{ID: fmt.Sprintf("bg-life-bench%d", benchJobs), Kind: JobKind, Actor: Actor,
		Source: store.SourceLifecycle}, jobRows(plan.Changes))
	if err != nil {
		b.Fatalf("%s: %v", rule, err)
	}
	if err := benchEnv.jobs.Drain(ctx); err != nil {
		b.Fatal(err)
	}
	r := benchRun{changes: len(plan.Changes), eval: mid.Sub(start), enqueue: time.Since(mid), evalCPU: cpu1 - cpu0, enqueueCPU: cputime.Process() - cpu1}
	if j, _ := benchEnv.st.Job(job.ID); j.Applied != len(plan.Changes) {
		b.Fatalf("%s: job applied %d of %d", rule, j.Applied, len(plan.Changes))
	}
	return r
}
