package store

import (
	"reflect"
	"testing"
	"time"
)

// TestOutboxCallsPerMinute: done, retried and failed entries each count
// one call in their minute; OutboxCallsSince reads them back from a
// minute on; buckets past the window are dropped as new ones are written.
func TestOutboxCallsPerMinute(t *testing.T) {
	s, clk := openTest(t)
	start := clk.Now().Truncate(time.Minute)
	for _, tg := range []string{"t1", "t3", "t2", "t4"} {
		apply(t, s, "zhangsan", "c2", []string{tg}, nil)
	}
	pend, err := s.PendingOutbox(0)
	must(t, err)
	if len(pend) != 4 {
		t.Fatalf("%d entries queued, want 4", len(pend))
	}
	ids := []ID{pend[0].ID, pend[1].ID, pend[2].ID, pend[3].ID}
	must(t, s.OutboxRetry(ids[0], clk.Now().Add(time.Second), -1, "busy"))
	must(t, s.OutboxDone(ids[0]))
	clk.Advance(time.Minute)
	must(t, s.OutboxDone(ids[1]))
	_, err = s.OutboxFailed(ids[2], 84061, "no relationship", nil)
	must(t, err)
	got, err := s.OutboxCallsSince(start)
	must(t, err)
	want := []MinuteCalls{{Minute: start.UTC(), Calls: 2}, {Minute: start.Add(time.Minute).UTC(), Calls: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("calls per minute %+v, want %+v", got, want)
	}
	if got, _ := s.OutboxCallsSince(start.Add(time.Minute)); len(got) != 1 || got[0].Calls != 2 {
		t.Errorf("since the second minute: %+v, want only it", got)
	}
	clk.Advance(callWindow + time.Minute)
	must(t, s.OutboxDone(ids[3]))
	got, err = s.OutboxCallsSince(start)
	must(t, err)
	if len(got) != 1 || !got[0].Minute.Equal(clk.Now().Truncate(time.Minute).UTC()) {
		t.Errorf("after the window %+v, want only the newest minute (old buckets dropped)", got)
	}
}
