package store

import (
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tidwall/buntdb"
)

func TestApplyProjectsAndQueues(t *testing.T) {
	s, _ := openTest(t)
	cs := apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil)
	if cs.ID != 1 || cs.Outbox == 0 {
		t.Fatalf("id %d outbox %d", cs.ID, cs.Outbox)
	}
	if cs.Add[0].Name != "VIP" || cs.Add[0].Group != "客户等级" {
		t.Fatalf("names not filled: %+v", cs.Add)
	}
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t1", "t3"}) {
		t.Fatalf("projection %v", got)
	}
	if got := relTags(t, s, "c1", "lisi"); len(got) != 0 {
		t.Fatalf("other relationship touched: %v", got)
	}
	e, err := s.Outbox(cs.Outbox)
	must(t, err)
	if e.Status != OutboxStatusPending || !reflect.DeepEqual(e.Add, []string{"t1", "t3"}) || e.Follower != "zhangsan" || e.CS != cs.ID {
		t.Fatalf("outbox %+v", e)
	}
	// Adding what is there and removing what is not changes nothing.
	_, err = s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t1"), Remove: tags("t2")})
	if !errors.Is(err, ErrNoChange) {
		t.Fatalf("want ErrNoChange, got %v", err)
	}
	// Partially redundant: only the real change is kept.
	cs2 := apply(t, s, "zhangsan", "c1", []string{"t1", "t4"}, []string{"t3"})
	if len(cs2.Add) != 1 || cs2.Add[0].ID != "t4" || len(cs2.Remove) != 1 {
		t.Fatalf("normalised %+v", cs2)
	}
	must(t, s.Verify())
}

func TestApplyRejectsBadInput(t *testing.T) {
	s, _ := openTest(t)
	cases := []struct {
		name string
		cs   ChangeSet
		want error
	}{
		{"unknown tag", ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("nope")}, ErrUnknownTag},
		{"no relationship", ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c2", Follower: "lisi", Add: tags("t1")}, ErrNoRelationship},
		{"unknown customer", ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c9", Follower: "zhangsan", Add: tags("t1")}, ErrNoRelationship},
		{"empty", ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c1", Follower: "zhangsan"}, ErrNoChange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Apply(tc.cs); !errors.Is(err, tc.want) {
				t.Fatalf("want %v, got %v", tc.want, err)
			}
		})
	}
	if _, err := s.Apply(ChangeSet{Actor: "a", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t1"), Remove: tags("t1")}); err == nil {
		t.Fatal("add and remove of one tag accepted")
	}
	h, err := s.History(Query{IncludeDenied: true})
	must(t, err)
	if len(h) != 0 {
		t.Fatalf("bad input wrote %d change-sets", len(h))
	}
}

func TestDeniedIsRecordedOnly(t *testing.T) {
	s, _ := openTest(t)
	cs, err := s.Apply(ChangeSet{Actor: "lisi", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t1"), Denied: "无权修改"})
	must(t, err)
	if cs.Outbox != 0 || len(relTags(t, s, "c1", "zhangsan")) != 0 {
		t.Fatal("denied change-set had an effect")
	}
	h, _ := s.History(Query{Customer: "c1"})
	hd, _ := s.History(Query{Customer: "c1", IncludeDenied: true})
	if len(h) != 0 || len(hd) != 1 || hd[0].Denied == "" {
		t.Fatalf("history %v / %v", h, hd)
	}
	if _, err := s.Revert(cs.ID, RevertOptions{Actor: "lisi"}); !errors.Is(err, ErrNotRevertible) {
		t.Fatalf("undo of denied: %v", err)
	}
}

func TestUndoAndUndoOfUndo(t *testing.T) {
	s, _ := openTest(t)
	cs := apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil)
	undo, err := s.Revert(cs.ID, RevertOptions{Actor: "zhangsan"})
	must(t, err)
	if undo.Source != SourceUndo || undo.Reverts != cs.ID || len(undo.Remove) != 2 {
		t.Fatalf("undo %+v", undo)
	}
	if got := relTags(t, s, "c1", "zhangsan"); len(got) != 0 {
		t.Fatalf("after undo %v", got)
	}
	redo, err := s.Revert(undo.ID, RevertOptions{Actor: "zhangsan"})
	must(t, err)
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t1", "t3"}) || redo.Reverts != undo.ID {
		t.Fatalf("after undo of undo %v", got)
	}
	// The ledger keeps all three.
	h, _ := s.History(Query{Customer: "c1"})
	if len(h) != 3 || h[0].ID != redo.ID || h[2].ID != cs.ID {
		t.Fatalf("history %v", h)
	}
	must(t, s.Verify())
}

func TestUndoConflict(t *testing.T) {
	s, _ := openTest(t)
	cs := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	other := apply(t, s, "manager1", "c1", []string{"t3"}, []string{"t1"})
	_, err := s.Revert(cs.ID, RevertOptions{Actor: "zhangsan"})
	var ce *ConflictError
	if !errors.As(err, &ce) || len(ce.Later) != 1 || ce.Later[0].ID != other.ID {
		t.Fatalf("want conflict with %d, got %v", other.ID, err)
	}
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t3"}) {
		t.Fatalf("conflict changed state: %v", got)
	}
	// A change by someone else to unrelated tags is no conflict.
	cs2 := apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)
	apply(t, s, "manager1", "c2", []string{"t4"}, nil)
	if _, err := s.Revert(cs2.ID, RevertOptions{Actor: "zhangsan"}); err != nil {
		t.Fatalf("unrelated later change: %v", err)
	}
	// Forced: t1 is already gone, so there is nothing left to undo.
	if _, err := s.Revert(cs.ID, RevertOptions{Actor: "zhangsan", Force: true}); !errors.Is(err, ErrNoChange) {
		t.Fatalf("forced undo: %v", err)
	}
	cs3 := apply(t, s, "zhangsan", "c1", []string{"t2", "t4"}, nil)
	apply(t, s, "manager1", "c1", nil, []string{"t4"})
	forced, err := s.Revert(cs3.ID, RevertOptions{Actor: "zhangsan", Force: true})
	must(t, err)
	if !forced.Forced || !reflect.DeepEqual(ids(forced.Remove), []string{"t2"}) || len(forced.Add) != 0 {
		t.Fatalf("forced %+v", forced)
	}
	must(t, s.Verify())
}

func TestRollbackToTime(t *testing.T) {
	s, clk := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil)
	clk.Advance(time.Hour)
	mark := clk.Now()
	clk.Advance(time.Hour)
	apply(t, s, "zhangsan", "c1", []string{"t2"}, []string{"t1"})
	clk.Advance(time.Hour)
	apply(t, s, "lisi", "c1", []string{"t4"}, []string{"t3"})

	then, err := s.TagsAt("c1", "zhangsan", mark)
	must(t, err)
	if !reflect.DeepEqual(then, []string{"t1", "t3"}) {
		t.Fatalf("tags at mark %v", then)
	}
	add, remove, lost, err := s.RollbackPlan("c1", "zhangsan", mark)
	must(t, err)
	if len(lost) != 0 || !reflect.DeepEqual(ids(add), []string{"t1", "t3"}) || !reflect.DeepEqual(ids(remove), []string{"t2", "t4"}) {
		t.Fatalf("plan +%v -%v", add, remove)
	}
	cs, err := s.Apply(ChangeSet{Actor: "manager1", Source: SourceRollback, Customer: "c1", Follower: "zhangsan", Add: add, Remove: remove})
	must(t, err)
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t1", "t3"}) || cs.Source != SourceRollback {
		t.Fatalf("after rollback %v", got)
	}
	// Before anything happened the relationship had no tags.
	empty, _ := s.TagsAt("c1", "zhangsan", mark.Add(-24*time.Hour))
	if len(empty) != 0 {
		t.Fatalf("tags before history %v", empty)
	}
}

func ids(refs []TagRef) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = r.ID
	}
	return out
}

func TestClockStepBackIsClamped(t *testing.T) {
	var logs logtest.Buffer
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	s, err := Open(filepath.Join(t.TempDir(), "tagbot.db"), Options{Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	must(t, err)
	defer s.Close()
	seed(t, s)
	a := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	clk.Advance(-time.Hour)
	b := apply(t, s, "zhangsan", "c1", []string{"t2"}, nil)
	if b.Time.Before(a.Time) {
		t.Fatalf("ledger time went backwards: %v < %v", b.Time, a.Time)
	}
	// The operator hears of the clock once a minute, not on every change.
	apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	if n := strings.Count(logs.String(), "ledger time is ahead of the clock"); n != 1 || !strings.Contains(logs.String(), "ahead=1h0m0s") {
		t.Fatalf("%d warnings:\n%s", n, logs.String())
	}
}

func TestSyncPolicy(t *testing.T) {
	for _, tc := range []struct {
		name string
		want buntdb.SyncPolicy
		ok   bool
	}{
		{"", buntdb.EverySecond, true},
		{"every_second", buntdb.EverySecond, true},
		{"always", buntdb.Always, true},
		{"never", buntdb.Never, true},
		{"sometimes", 0, false},
	} {
		got, err := syncPolicy(tc.name)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("syncPolicy(%q) = %v, %v", tc.name, got, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Sync: "sometimes"}); err == nil {
		t.Fatal("Open accepted an unknown sync policy")
	}
}

func TestRevertAllIsOneTransaction(t *testing.T) {
	s, _ := openTest(t)
	out, err := s.ApplyBatch([]ChangeSet{
		{Actor: "boss", Source: SourceRollback, Customer: "c1", Follower: "zhangsan", Add: tags("t1"), Batch: "rollback-x"},
		{Actor: "boss", Source: SourceRollback, Customer: "c1", Follower: "lisi", Add: tags("t2"), Batch: "rollback-x"},
	})
	must(t, err)
	// Someone else changes the tag of one member: the whole batch conflicts
	// and nothing changes.
	_, err = s.Apply(ChangeSet{Actor: "lisi", Source: SourceCommand, Customer: "c1", Follower: "lisi", Add: tags("t3"), Remove: tags("t2")})
	must(t, err)
	ids := []ID{out[0].ID, out[1].ID}
	_, err = s.RevertAll(ids, RevertOptions{Actor: "boss", Batch: "undo-rollback-x"})
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Target.ID != out[1].ID {
		t.Fatalf("want conflict on %d, got %v", out[1].ID, err)
	}
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t1"}) {
		t.Fatalf("conflict changed zhangsan: %v", got)
	}
	// Forced: t1 comes off; t2 is already gone, so only one change-set.
	undone, err := s.RevertAll(ids, RevertOptions{Actor: "boss", Force: true, Batch: "undo-rollback-x"})
	must(t, err)
	if len(undone) != 1 || undone[0].Reverts != out[0].ID || undone[0].Batch != "undo-rollback-x" {
		t.Fatalf("undone %+v", undone)
	}
	if _, err := s.RevertAll(ids, RevertOptions{Actor: "boss", Force: true}); !errors.Is(err, ErrNoChange) {
		t.Fatalf("second revert: %v", err)
	}
	must(t, s.Verify())
}

func TestUndoneByOtherIsNoConflict(t *testing.T) {
	s, clk := openTest(t)
	cs := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	undo, err := s.Revert(cs.ID, RevertOptions{Actor: "manager1"})
	must(t, err)
	// zhangsan undoing his own change-set, already undone by the manager:
	// nothing left to change, and no conflict claimed.
	if _, err := s.Revert(cs.ID, RevertOptions{Actor: "zhangsan"}); !errors.Is(err, ErrNoChange) {
		t.Fatalf("want ErrNoChange, got %v", err)
	}
	revs, err := s.RevertsOf(cs.ID)
	must(t, err)
	if len(revs) != 1 || revs[0].ID != undo.ID {
		t.Fatalf("reverts of %d: %+v", cs.ID, revs)
	}
	if first, err := s.FirstSyncedAt(); err != nil || !first.IsZero() {
		t.Fatal("first sync before any sync")
	}
	must(t, s.SetSyncedAt(clk.Now()))
	clk.Advance(time.Hour)
	must(t, s.SetSyncedAt(clk.Now()))
	first, _ := s.FirstSyncedAt()
	last, _ := s.SyncedAt()
	if last.Sub(first) != time.Hour {
		t.Fatalf("first %v last %v", first, last)
	}
}
