package store

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func msgAct(key, customer, text string, at time.Time) Activity {
	return Activity{Key: key, Kind: ActivityMessage, Source: ActivityAPI, Customer: customer, Employee: "zhangsan", From: "customer", Text: text, Time: at}
}

func TestPutActivitiesDedup(t *testing.T) {
	s, clk := openTest(t)
	t0 := clk.Now()
	tests := []struct {
		name     string
		batch    []Activity
		wantIDs  []ID
		wantDups []int
	}{
		{"new items", []Activity{msgAct("a", "c1", "多少钱", t0), msgAct("", "c1", "无 id", t0)}, []ID{1, 2}, nil},
		{"repeat across requests", []Activity{msgAct("a", "c1", "多少钱", t0), msgAct("b", "c2", "发货", t0)}, []ID{0, 3}, []int{0}},
		{"repeat within one batch", []Activity{msgAct("c", "c1", "x", t0), msgAct("c", "c1", "x", t0)}, []ID{4, 0}, []int{1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ids, dups, err := s.PutActivities(ActivityBatch{Items: tc.batch})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ids, tc.wantIDs) || !reflect.DeepEqual(dups, tc.wantDups) {
				t.Errorf("ids, dups = %v, %v; want %v, %v", ids, dups, tc.wantIDs, tc.wantDups)
			}
		})
	}
	if _, _, err := s.PutActivities(ActivityBatch{Items: []Activity{msgAct("x", "c:1", "", t0)}}); err == nil {
		t.Error("customer with ':' accepted")
	}
}

func TestActivityQueueCursorAndRebuild(t *testing.T) {
	s, clk := openTest(t)
	t0 := clk.Now()
	ev := Activity{Kind: ActivityEvent, Source: ActivityAPI, Customer: "c2", Type: "coupon_claim", Attrs: json.RawMessage(`{"delay_seconds":3}`), Time: t0}
	_, _, err := s.PutActivities(ActivityBatch{Items: []Activity{msgAct("a", "c1", "一", t0), ev, msgAct("b", "c1", "三", t0)}, CursorName: "kf:wk1", Cursor: "CUR1"})
	must(t, err)
	if cur, err := s.ActivityCursor("kf:wk1"); err != nil || cur != "CUR1" {
		t.Fatalf("cursor = %q, %v; want CUR1", cur, err)
	}
	must(t, s.ActivityDone(2))
	must(t, s.ActivityDone(2))
	pendingIDs := func() []ID {
		acts, err := s.ActivitiesAfter(0, 0)
		must(t, err)
		var ids []ID
		for _, a := range acts {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := pendingIDs(); !reflect.DeepEqual(got, []ID{1, 3}) {
		t.Fatalf("pending = %v, want [1 3]", got)
	}
	if acts, _ := s.ActivitiesAfter(1, 1); len(acts) != 1 || acts[0].ID != 3 || acts[0].Text != "三" {
		t.Errorf("ActivitiesAfter(1, 1) = %+v, want activity 3", acts)
	}
	got, err := s.Activity(2)
	must(t, err)
	want := ev
	want.ID, want.Received, want.Time, want.Done = 2, t0.UTC(), t0.UTC(), true
	if !reflect.DeepEqual(got, want) {
		t.Errorf("activity 2 = %+v\nwant %+v", got, want)
	}
	// Lose a queue entry and add a stray one: Rebuild puts the queue back.
	must(t, s.update(func(tx *txn) error {
		tx.Delete(seqKey("actq:", 3))
		_, _, err := tx.Set(seqKey("actq:", 2), "", nil)
		return err
	}))
	rep, err := s.Rebuild()
	must(t, err)
	if rep.Added["actq"] != 1 || rep.Removed["actq"] != 1 {
		t.Errorf("Rebuild = %s; want 1 actq: key added and 1 removed", rep)
	}
	if got := pendingIDs(); !reflect.DeepEqual(got, []ID{1, 3}) {
		t.Errorf("pending after Rebuild = %v, want [1 3]", got)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify after Rebuild: %v", err)
	}
	must(t, s.update(func(tx *txn) error { tx.Delete(seqKey("actq:", 1)); return nil }))
	if err := s.Verify(); err == nil || !strings.Contains(err.Error(), "actq keys: 1 missing") {
		t.Errorf("Verify with a lost queue entry = %v, want it named", err)
	}
}

func TestCustomerActivitiesWindowAndRetention(t *testing.T) {
	s, clk := openTest(t)
	t0 := clk.Now()
	var batch []Activity
	for i, d := range []time.Duration{-48 * time.Hour, -2 * time.Hour, -time.Hour, 0} {
		batch = append(batch, msgAct("", "c1", string(rune('a'+i)), t0.Add(d)))
	}
	batch = append(batch, msgAct("", "c2", "other customer", t0))
	_, _, err := s.PutActivities(ActivityBatch{Items: batch, Retention: 24 * time.Hour})
	must(t, err)
	texts := func(since, until time.Time, newest bool, limit int) string {
		var out string
		must(t, s.CustomerActivities("c1", since, until, newest, func(a *Activity) bool {
			out += a.Text
			return limit == 0 || len(out) < limit
		}))
		return out
	}
	tests := []struct {
		name         string
		since, until time.Time
		newest       bool
		limit        int
		want         string
	}{
		{"whole history", t0.Add(-72 * time.Hour), t0, false, 0, "abcd"},
		{"window includes both ends", t0.Add(-2 * time.Hour), t0, false, 0, "bcd"},
		{"until excludes later", t0.Add(-72 * time.Hour), t0.Add(-time.Hour), false, 0, "abc"},
		{"newest first, limited", t0.Add(-72 * time.Hour), t0, true, 2, "dc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := texts(tc.since, tc.until, tc.newest, tc.limit); got != tc.want {
				t.Errorf("texts = %q, want %q", got, tc.want)
			}
		})
	}
	clk.Advance(25 * time.Hour)
	if got := texts(t0.Add(-72*time.Hour), clk.Now(), false, 0); got != "" {
		t.Errorf("after the retention: %q, want nothing", got)
	}
	// The next write sweeps the expired history; the id can be used again.
	ids, dups, err := s.PutActivities(ActivityBatch{Items: []Activity{msgAct("x", "c1", "new", clk.Now())}})
	must(t, err)
	if len(dups) != 0 || ids[0] != 6 {
		t.Errorf("after expiry ids, dups = %v, %v; want [6], []", ids, dups)
	}
	if _, err := s.Activity(1); err == nil {
		t.Error("activity 1 still stored after the sweep")
	}
}
