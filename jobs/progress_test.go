package jobs

import (
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
