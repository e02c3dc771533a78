package store

import (
	"reflect"
	"testing"
	"time"
)

// TestOutboxLanes: entries go to the lane their change-set's Background()
// names, carry its batch, and the counts follow every outcome; Rebuild and
// a store from before the counters derive the same counts.
func TestOutboxLanes(t *testing.T) {
	s, _ := openTest(t)
	a := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	bulk, err := s.ApplyBatch([]ChangeSet{
		{Actor: "boss", Source: SourceBulk, Batch: "bg-1", Customer: "c1", Follower: "lisi", Add: tags("t3")},
		{Actor: "boss", Source: SourceBulk, Batch: "bg-1", Customer: "c2", Follower: "zhangsan", Add: tags("t3")},
	})
	must(t, err)
	undo, err := s.Apply(ChangeSet{Actor: "boss", Source: SourceUndo, Batch: "bg-2", Customer: "c2", Follower: "zhangsan", Remove: tags("t3")})
	must(t, err)

	ids := func(es []OutboxEntry, err error) []ID {
		t.Helper()
		must(t, err)
		var out []ID
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	if got, want := ids(s.OutboxLane(false, 0, 0)), []ID{a.Outbox}; !reflect.DeepEqual(got, want) {
		t.Errorf("interactive lane %v, want %v", got, want)
	}
	wantBg := []ID{bulk[0].Outbox, bulk[1].Outbox, undo.Outbox}
	if got := ids(s.OutboxLane(true, 0, 0)); !reflect.DeepEqual(got, wantBg) {
		t.Errorf("background lane %v, want %v", got, wantBg)
	}
	if got := ids(s.OutboxLane(true, bulk[0].Outbox, 1)); !reflect.DeepEqual(got, wantBg[1:2]) {
		t.Errorf("background lane after %d limit 1: %v, want %v", bulk[0].Outbox, got, wantBg[1:2])
	}
	if got := ids(s.RelOutbox("c2", "zhangsan")); !reflect.DeepEqual(got, wantBg[1:]) {
		t.Errorf("c2's entries %v, want %v", got, wantBg[1:])
	}

	must(t, s.OutboxDone(a.Outbox))
	must(t, s.OutboxDone(bulk[0].Outbox))
	_, err = s.OutboxFailed(bulk[1].Outbox, 84061, "no relation", nil)
	must(t, err)

	type view struct {
		Total, Inter, Bg [3]int // pending, done, failed
		Batches          map[string][3]int
	}
	read := func() view {
		t.Helper()
		tot, in, bg, batches, err := s.OutboxCountsAll()
		must(t, err)
		v := view{Total: [3]int{tot.Pending, tot.Done, tot.FailedTotal()}, Inter: [3]int{in.Pending, in.Done, in.FailedTotal()},
			Bg: [3]int{bg.Pending, bg.Done, bg.FailedTotal()}, Batches: map[string][3]int{}}
		for _, b := range batches {
			v.Batches[b.Batch] = [3]int{b.Pending, b.Done, b.FailedTotal()}
			if b.Batch == "bg-1" && (b.Failed[84061] != 1 || b.Actor != "boss" || !b.Background) {
				t.Errorf("bg-1 counts %+v", b)
			}
		}
		return v
	}
	want := view{Total: [3]int{1, 2, 1}, Inter: [3]int{0, 1, 0}, Bg: [3]int{1, 1, 1},
		Batches: map[string][3]int{"bg-1": {0, 1, 1}, "bg-2": {1, 0, 0}}}
	// bulk[1] failed: its compensation is a sync change-set, no entry.
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	if got := ids(s.OutboxLane(true, 0, 0)); !reflect.DeepEqual(got, []ID{undo.Outbox}) {
		t.Errorf("background lane after outcomes %v", got)
	}

	// Rebuild finds nothing to change; after the keys are lost it restores them.
	rep, err := s.Rebuild()
	must(t, err)
	if rep.Added["outbox lane and count"] != 0 {
		t.Errorf("rebuild of a sound store changed %v", rep)
	}
	must(t, s.update(func(tx *txn) error {
		var keys []string
		for _, p := range []string{"obl:", "obc:", "obcv"} {
			scan(tx, p, func(k, _ string) bool { keys = append(keys, k); return true })
		}
		for _, k := range keys {
			if _, err := tx.Delete(k); err != nil {
				return err
			}
		}
		return nil
	}))
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("counts derived without the keys %+v, want %+v", got, want)
	}
	if _, err := s.Rebuild(); err != nil {
		t.Fatal(err)
	}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("counts after rebuild %+v, want %+v", got, want)
	}
	if got := ids(s.OutboxLane(true, 0, 0)); !reflect.DeepEqual(got, []ID{undo.Outbox}) {
		t.Errorf("background lane after rebuild %v", got)
	}
}

// TestEncodeCountsIsEncode: the hand-made encoding of OutboxCounts is
// byte for byte what the JSON encoder writes, for every field set or not,
// and strings that need escaping go through the encoder.
func TestEncodeCountsIsEncode(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 0, 0, 123_400_000, time.UTC)
	cases := map[string]OutboxCounts{
		"zero":        {},
		"lane":        {Actor: "zhangsan", Pending: 3, Done: 12, First: at, Last: at.Add(time.Hour)},
		"batch":       {Batch: "bg-bulk-7", Background: true, Actor: "boss", Pending: -1, First: at},
		"failed":      {Actor: "boss", Done: 1, Failed: map[int]int{84061: 2, 40068: 1}, First: at, Last: at},
		"quote":       {Actor: `a"b`, First: at},
		"html":        {Batch: "<b>&", First: at},
		"chinese":     {Actor: "张三", First: at},
		"line break":  {Actor: "a\nb"},
		"other zones": {First: at.In(time.FixedZone("CST", 8*3600)), Last: at.Add(-time.Nanosecond)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got, want := encodeCounts(&c), encode(&c); got != want {
				t.Errorf("encodeCounts\n got %s\nwant %s", got, want)
			}
		})
	}
}
