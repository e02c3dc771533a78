package jobs

import (
	"fmt"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// TestThrottle: a report is due after another 10% or a minute since the
// last one (the first sight of a run counts from 0%), never at 100%;
// Forget starts the count again.
func TestThrottle(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var th Throttle
	steps := []struct {
		name string
		next int
		at   time.Duration
		want bool
	}{
		{"first sight", 50, 0, false},
		{"under 10%", 90, time.Second, false},
		{"10%", 100, 2 * time.Second, true},
		{"19%", 190, 3 * time.Second, false},
		{"a minute later", 191, 63 * time.Second, true},
		{"20%", 291, 64 * time.Second, true},
		{"done", 1000, 10 * time.Minute, false},
	}
	for _, s := range steps {
		j := store.Job{ID: "bg-bulk-1", Total: 1000, Next: s.next}
		if got := th.Due(j, t0.Add(s.at)); got != s.want {
			t.Errorf("%s: Due = %t, want %t", s.name, got, s.want)
		}
	}
	th.Forget("bg-bulk-1")
	if th.Due(store.Job{ID: "bg-bulk-1", Total: 1000, Next: 50}, t0.Add(time.Hour)) {
		t.Error("after Forget at 5%: due; want the count started again")
	}
}

// TestThrottlePerMember: a member's running jobs share ProgressPerMember
// reports a minute, across Throttles (bulk, mass undo, import each have
// one); another member is not held back, and the next minute allows more.
func TestThrottlePerMember(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var bulk, undo Throttle // zero values: the process-wide member limit
	type count struct{ boss, other int }
	run := func(start time.Time) count {
		var got count
		for step := 1; step <= 9; step++ { // each job passes 10%, 20%, … 90%
			at := start.Add(time.Duration(step) * time.Second)
			for i, th := range []*Throttle{&bulk, &bulk, &undo} {
				j := store.Job{ID: fmt.Sprintf("bg-%d-%d", start.Unix(), i), Actor: "perMemberBoss", Total: 100, Next: step * 10}
				if th.Due(j, at) {
					got.boss++
				}
			}
			if undo.Due(store.Job{ID: fmt.Sprintf("bg-other-%d", start.Unix()), Actor: "perMemberOther", Total: 100, Next: step * 10}, at) {
				got.other++
			}
		}
		return got
	}
	want := count{boss: ProgressPerMember, other: ProgressPerMember}
	if got := run(t0); got != want {
		t.Errorf("first minute: reports %+v, want %+v", got, want)
	}
	if got := run(t0.Add(2 * time.Minute)); got != want {
		t.Errorf("two minutes later: reports %+v, want %+v", got, want)
	}
}
