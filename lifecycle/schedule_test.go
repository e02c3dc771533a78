package lifecycle

import (
	"context"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

func TestDueSlot(t *testing.T) {
	every := &config.LifecycleRule{Name: "e", Every: time.Hour}
	at := &config.LifecycleRule{Name: "a", At: "09:00", AtMinute: 9 * 60}
	seen := t0 // 10:00 China time
	tests := []struct {
		name     string
		rule     *config.LifecycleRule
		last     time.Time // LastSlot
		now      time.Time
		wantDue  bool
		wantSlot time.Time
	}{
		{"every: not at first load", every, time.Time{}, seen, false, time.Time{}},
		{"every: not before one period", every, time.Time{}, seen.Add(59 * time.Minute), false, time.Time{}},
		{"every: one period after first load", every, time.Time{}, seen.Add(time.Hour), true, seen.Add(time.Hour)},
		{"every: after a run, the next slot", every, seen.Add(time.Hour), seen.Add(90 * time.Minute), false, time.Time{}},
		{"every: next slot on the grid", every, seen.Add(time.Hour), seen.Add(2 * time.Hour), true, seen.Add(2 * time.Hour)},
		{"every: long downtime is one run at the latest slot", every, seen.Add(time.Hour), seen.Add(5*time.Hour + 30*time.Minute), true, seen.Add(5 * time.Hour)},
		{"at: loaded at 10:00 waits for tomorrow", at, time.Time{}, seen.Add(22 * time.Hour), false, time.Time{}},
		{"at: tomorrow 09:00", at, time.Time{}, seen.Add(23 * time.Hour), true, seen.Add(23 * time.Hour)},
		{"at: ran today, not again today", at, seen.Add(23 * time.Hour), seen.Add(30 * time.Hour), false, time.Time{}},
		{"at: three days down, one run at the last 09:00", at, seen.Add(23 * time.Hour), seen.Add(94 * time.Hour), true, seen.Add(71 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := store.LifecycleRuleState{Rule: tt.rule.Name, FirstSeen: seen, LastSlot: tt.last}
			slot, due := dueSlot(tt.rule, st, tt.now, cst)
			if due != tt.wantDue || !slot.Equal(tt.wantSlot) {
				t.Errorf("due %v slot %v; want due %v slot %v", due, slot.In(cst), tt.wantDue, tt.wantSlot.In(cst))
			}
		})
	}
}

func TestNextAtBeforeTheTime(t *testing.T) {
	got := nextAt(time.Date(2026, 6, 1, 8, 0, 0, 0, cst), 9*60, cst)
	if want := time.Date(2026, 6, 1, 9, 0, 0, 0, cst); !got.Equal(want) {
		t.Errorf("next 09:00 after 08:00 = %v; want %v", got, want)
	}
}

// TestFirstRunWaitsAndRestart: a rule never runs at start-up, first runs
// one period after it was first loaded, and a restart neither shifts nor
// skips its slots.
func TestFirstRunWaitsAndRestart(t *testing.T) {
	e := newEnv(t, `
lifecycle:
  - name: 每小时
    every: 1h
    when: has_tag("活跃会员")
    add: [咖啡续命族]
`)
	e.customer("c1", "甲", t0)
	e.tag("c1", "t1")
	ctx := context.Background()
	tick := func(wantJob bool) string {
		t.Helper()
		run, err := e.svc.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (run.Job != "") != wantJob {
			t.Fatalf("at %v: job %q; want a job: %v", e.clk.Now().In(cst), run.Job, wantJob)
		}
		return run.Job
	}
	tick(false) // start-up
	e.clk.Advance(59 * time.Minute)
	tick(false)
	e.clk.Advance(time.Minute)
	job := tick(true)
	if job != "bg-life-1" {
		t.Errorf("job %q; want bg-life-1", job)
	}
	tick(false) // the same slot does not run twice
	e.drain()
	if got := e.batchLines(job); len(got) != 1 {
		t.Errorf("batch %s: %q; want one change-set", job, got)
	}

	// Restart at 11:30: the next slot is still 12:00, not 12:30.
	e.clk.Advance(30 * time.Minute)
	e.reopen()
	tick(false)
	e.clk.Advance(29 * time.Minute)
	tick(false)
	e.clk.Advance(time.Minute)
	e.tag("c1", "t3") // something for the 12:00 run to see
	run, err := e.svc.Tick(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 咖啡续命族 is already there: the run plans nothing, but the slot counts.
	if run.Job != "" || run.Plan == nil {
		t.Fatalf("12:00 run: job %q plan %v; want a run that plans nothing", run.Job, run.Plan)
	}
	sts, err := e.svc.Statuses()
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(3 * time.Hour); !sts[0].Next.Equal(want) {
		t.Errorf("next run %v; want %v", sts[0].Next.In(cst), want.In(cst))
	}
}
