package lifecycle

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// seedSleepers adds n customers silent for 200 days with 活跃会员, and as
// many who wrote last week (unchanged by 沉睡会员).
func seedSleepers(e *env, n int) {
	e.t.Helper()
	e.clk.Set(t0.Add(-300 * day))
	for i := range n {
		e.customer(fmt.Sprintf("s%04d", i), fmt.Sprintf("沉睡%d", i), t0.Add(-400*day))
		e.tag(fmt.Sprintf("s%04d", i), "t1")
		e.customer(fmt.Sprintf("a%04d", i), fmt.Sprintf("活跃%d", i), t0.Add(-400*day))
		e.tag(fmt.Sprintf("a%04d", i), "t1")
	}
	e.clk.Set(t0)
	for i := range n {
		e.message(fmt.Sprintf("a%04d", i), "你好", t0.Add(-7*day))
	}
}

// TestDryRunEqualsRun: the preview names exactly the customers and
// changes the run that follows applies, as one batch bg-life-N.
func TestDryRunEqualsRun(t *testing.T) {
	e := newEnv(t, testYAML)
	seedSleepers(e, 30)
	ctx := context.Background()
	plan, err := e.svc.Preview(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 30 {
		t.Fatalf("preview: %d changes; want 30", len(plan.Changes))
	}
	run, err := e.svc.RunNow(ctx, "boss", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.drain()
	if got, want := e.batchLines(run.Job), planLines(plan.Changes); !reflect.DeepEqual(got, want) {
		t.Errorf("run %s applied\n%q\npreview said\n%q", run.Job, got, want)
	}
	j, err := e.st.Job(run.Job)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobDone || j.Applied != 30 || j.Actor != "boss" || j.Source != store.SourceLifecycle {
		t.Errorf("job %+v; want done, 30 applied by boss, source lifecycle", j)
	}
	if _, err := e.st.VerifyReport(); err != nil { // tagbot check holds with lifecycle keys and jobs
		t.Errorf("check after the run: %v", err)
	}
	again, err := e.svc.Preview(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 {
		t.Errorf("after the run the preview still has %q", planLines(again.Changes))
	}
}

// TestRunResumesAfterRestart: a run whose job was half applied when the
// store closed finishes after reopening, each change applied once.
func TestRunResumesAfterRestart(t *testing.T) {
	e := newEnv(t, testYAML)
	seedSleepers(e, 25)
	ctx := context.Background()
	plan, err := e.svc.Preview(ctx, []string{"沉睡会员"})
	if err != nil {
		t.Fatal(err)
	}
	run, err := e.svc.RunNow(ctx, "boss", []string{"沉睡会员"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.ApplyJobChunk(run.Job, 10); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	e.reopen()
	e.drain()
	if got, want := e.batchLines(run.Job), planLines(plan.Changes); !reflect.DeepEqual(got, want) {
		t.Errorf("after resuming, batch %s has\n%q\nwant\n%q", run.Job, got, want)
	}
}

// TestRecoverHalfCreatedRun: a scheduled run that died before its job was
// whole applied nothing; its slot is due again after the restart.
func TestRecoverHalfCreatedRun(t *testing.T) {
	e := newEnv(t, testYAML)
	seedSleepers(e, 3)
	e.clk.Set(t0.Add(23 * time.Hour)) // 09:00 the next day: 沉睡会员 is due
	// What run does up to the job, then "dies": the job never written.
	id, err := e.st.BeginLifecycleRun(store.LifecycleRunStart{Slots: map[string]time.Time{"沉睡会员": e.clk.Now()},
		Planned: map[string]int{"沉睡会员": 3}})
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	if err := e.svc.Recover(); err != nil {
		t.Fatal(err)
	}
	run, err := e.svc.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Job == "" || run.Job == id || len(run.Plan.Changes) != 3 {
		t.Fatalf("after recovery: job %q (lost %s), plan %v; want a new job of 3 changes", run.Job, id, run.Plan)
	}
}

// TestTickSkipsBrokenRule: a rule whose tag left the library since it was
// loaded is left out of its scheduled run; the other rules still run.
func TestTickSkipsBrokenRule(t *testing.T) {
	e := newEnv(t, `
lifecycle:
  - {name: 好规则, every: 1h, when: 'has_tag("活跃会员")', add: [咖啡续命族]}
  - {name: 坏规则, every: 1h, when: 'has_tag("活跃会员")', add: [咖啡因依赖症]}
`)
	e.customer("c1", "甲", t0)
	e.tag("c1", "t1")
	lib := testLibrary
	lib.Tags = lib.Tags[:5] // 咖啡因依赖症 deleted on WeCom
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Hour)
	run, err := e.svc.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Plan == nil || !reflect.DeepEqual(run.Plan.Rules, []string{"好规则"}) || len(run.Plan.Changes) != 1 {
		t.Fatalf("tick ran %+v; want 好规则 alone with one change", run.Plan)
	}
	if _, err := e.svc.Preview(context.Background(), nil); err == nil {
		t.Error("preview of every rule: no error; want the broken rule named")
	}
}
