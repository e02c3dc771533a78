package store

import (
	"reflect"
	"testing"
	"time"
)

// TestLastMessages: only customers' messages count, the newest wins
// whatever order they arrive in, and it outlives the activities.
func TestLastMessages(t *testing.T) {
	s, clk := openTest(t)
	t1 := clk.Now().Add(-48 * time.Hour)
	t2 := clk.Now().Add(-24 * time.Hour)
	msg := func(c, from string, at time.Time) Activity {
		return Activity{Kind: ActivityMessage, Source: ActivityAPI, Customer: c, From: from, Text: "x", Time: at}
	}
	items := []Activity{msg("c1", "customer", t2), msg("c1", "customer", t1), msg("c1", "employee", clk.Now()),
		msg("c2", "employee", clk.Now()), {Kind: ActivityEvent, Source: ActivityAPI, Customer: "c2", Type: "order", Time: clk.Now()}}
	if _, _, err := s.PutActivities(ActivityBatch{Items: items, Retention: time.Hour}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour) // the activities expire; the last message stays
	got, err := s.LastMessages([]string{"c1", "c2", "c3"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]time.Time{"c1": t2.UTC()}; !reflect.DeepEqual(got, want) {
		t.Errorf("last messages %v; want %v", got, want)
	}
}

// TestLifecycleRuleStates: first seen is kept across loads; a run records
// its slot and job; a job never created puts the slot back.
func TestLifecycleRuleStates(t *testing.T) {
	s, clk := openTest(t)
	first := clk.Now().UTC()
	if _, err := s.SeeLifecycleRules([]string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	sts, err := s.SeeLifecycleRules([]string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if !sts["a"].FirstSeen.Equal(first) || !sts["b"].FirstSeen.Equal(first) {
		t.Fatalf("first seen %v / %v; want %v for both", sts["a"].FirstSeen, sts["b"].FirstSeen, first)
	}
	slot := clk.Now().UTC()
	id, err := s.BeginLifecycleRun(LifecycleRunStart{Slots: map[string]time.Time{"a": slot}, Planned: map[string]int{"a": 2, "b": 0}})
	if err != nil {
		t.Fatal(err)
	}
	sts, _ = s.LifecycleStates()
	if id != "bg-life-1" || sts["a"].LastJob != id || !sts["a"].LastSlot.Equal(slot) || sts["b"].LastJob != "" || sts["b"].LastManual {
		t.Fatalf("after the run %s: %+v", id, sts)
	}
	fixed, err := s.RecoverLifecycle()
	if err != nil {
		t.Fatal(err)
	}
	sts, _ = s.LifecycleStates()
	if !reflect.DeepEqual(fixed, []string{"a"}) || !sts["a"].LastSlot.IsZero() || sts["a"].LastJob != "" {
		t.Errorf("recovered %v, state %+v; want a's slot put back", fixed, sts["a"])
	}
}

// TestLastMessagesBeforeLcm: messages stored before tagbot kept lcm: keys
// (here: the key deleted) are found in the activities still kept.
func TestLastMessagesBeforeLcm(t *testing.T) {
	s, clk := openTest(t)
	t1 := clk.Now().Add(-48 * time.Hour)
	items := []Activity{
		{Kind: ActivityMessage, Source: ActivityAPI, Customer: "c1", From: "customer", Text: "x", Time: t1},
		{Kind: ActivityMessage, Source: ActivityAPI, Customer: "c1", From: "employee", Text: "y", Time: clk.Now()},
		{Kind: ActivityMessage, Source: ActivityAPI, Customer: "c2", From: "employee", Text: "z", Time: clk.Now()},
	}
	if _, _, err := s.PutActivities(ActivityBatch{Items: items}); err != nil {
		t.Fatal(err)
	}
	if err := s.update(func(tx *txn) error { _, err := tx.Delete("lcm:c1"); return err }); err != nil {
		t.Fatal(err)
	}
	got, err := s.LastMessages([]string{"c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]time.Time{"c1": t1.UTC()}; !reflect.DeepEqual(got, want) {
		t.Errorf("last messages %v; want %v", got, want)
	}
}
