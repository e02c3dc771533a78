package store

import (
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
)

// impliesVIP is a trigger function: 高意向 (t3) added implies VIP (t1),
// tells lisi at once and reminds the follower in 72 hours while t3 stays.
func impliesVIP(in TriggerInput) TriggerOutput {
	var out TriggerOutput
	for _, t := range in.Change.Add {
		if t.ID != "t3" {
			continue
		}
		out.ChangeSets = append(out.ChangeSets, ChangeSet{Add: tags("t1"), Reason: "触发器「高意向即VIP」"})
		out.Notes = append(out.Notes,
			Note{Due: in.Change.Time, To: []string{"lisi"}, Text: in.CustomerName + " 成了高意向"},
			Note{Due: in.Change.Time.Add(72 * time.Hour), To: []string{in.Change.Follower}, Text: "回访 " + in.CustomerName,
				Customer: in.Change.Customer, Follower: in.Change.Follower, IfTag: "t3"})
	}
	return out
}

func synced(t *testing.T, s *Store, clk *clocktest.Clock) {
	t.Helper()
	must(t, s.SetSyncedAt(clk.Now()))
}

func TestTriggerSameTransactionAndUndo(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	s.SetTriggers(impliesVIP)
	cs := apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	if got, want := relTags(t, s, "c1", "zhangsan"), []string{"t1", "t3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tags after +高意向 = %v, want %v", got, want)
	}
	caused, err := s.Caused(cs.ID)
	must(t, err)
	if len(caused) != 1 || caused[0].Source != SourceTrigger || caused[0].Cause != cs.ID || caused[0].Actor != "zhangsan" || caused[0].Outbox == 0 {
		t.Fatalf("caused = %+v, want one trigger change-set by zhangsan caused by %d with an outbox entry", caused, cs.ID)
	}
	out, err := s.Revert(cs.ID, RevertOptions{Actor: "zhangsan"})
	must(t, err)
	if got := relTags(t, s, "c1", "zhangsan"); len(got) != 0 {
		t.Fatalf("tags after undo = %v, want none (the triggered VIP taken back too)", got)
	}
	back, err := s.Caused(out.ID)
	must(t, err)
	if len(back) != 1 || back[0].Reverts != caused[0].ID || back[0].Cause != out.ID {
		t.Fatalf("reverts caused by the undo = %+v, want the revert of %d with cause %d", back, caused[0].ID, out.ID)
	}
	if _, err := s.Revert(out.ID, RevertOptions{Actor: "zhangsan"}); err != nil {
		t.Fatal(err)
	}
	if got, want := relTags(t, s, "c1", "zhangsan"), []string{"t1", "t3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tags after redo = %v, want %v", got, want)
	}
}

func TestTriggerNotBeforeFirstSyncNorOnUndoSources(t *testing.T) {
	s, clk := openTest(t)
	s.SetTriggers(impliesVIP)
	apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	if got := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(got, []string{"t3"}) {
		t.Fatalf("before the first sync tags = %v, want only t3 (no trigger)", got)
	}
	synced(t, s, clk)
	_, err := s.Apply(ChangeSet{Actor: "lisi", Source: SourceRollback, Customer: "c2", Follower: "zhangsan", Add: tags("t3")})
	must(t, err)
	if got := relTags(t, s, "c2", "zhangsan"); !reflect.DeepEqual(got, []string{"t3"}) {
		t.Fatalf("after a rollback tags = %v, want only t3 (no trigger)", got)
	}
}

func TestTriggerChainCutAtDepth(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	flip := func(in TriggerInput) TriggerOutput { // VIP ↔ 普通 forever
		if len(in.Change.Add) > 0 && in.Change.Add[0].ID == "t1" {
			return TriggerOutput{ChangeSets: []ChangeSet{{Add: tags("t2"), Remove: tags("t1")}}}
		}
		return TriggerOutput{ChangeSets: []ChangeSet{{Add: tags("t1"), Remove: tags("t2")}}}
	}
	s.SetTriggers(flip)
	cs := apply(t, s, "zhangsan", "c2", []string{"t1"}, nil)
	caused, err := s.Caused(cs.ID)
	must(t, err)
	if len(caused) != MaxTriggerDepth {
		t.Fatalf("a looping trigger made %d change-sets, want the depth limit %d", len(caused), MaxTriggerDepth)
	}
}

func TestTriggerNotesAcrossRestart(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{Now: clk.Now})
	must(t, err)
	seed(t, s)
	synced(t, s, clk)
	s.SetTriggers(impliesVIP)
	apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	due, err := s.DueNotes(clk.Now(), 10)
	must(t, err)
	if len(due) != 2 || due[0].To[0] != "lisi" || due[0].Text != "王小明 成了高意向" {
		t.Fatalf("due now = %+v, want the two notices to lisi", due)
	}
	for _, n := range due {
		if sent, err := s.DeliverNote(n.ID); err != nil || !sent {
			t.Fatalf("deliver %d = %v, %v", n.ID, sent, err)
		}
	}
	if _, err := s.DeliverNote(due[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delivery err = %v, want ErrNotFound", err)
	}
	q, err := s.RepliesPending(0)
	must(t, err)
	if len(q) != 2 || q[0].User != "lisi" {
		t.Fatalf("queued replies = %+v, want two to lisi", q)
	}
	apply(t, s, "zhangsan", "c2", nil, []string{"t3"}) // the reminder of c2 is cancelled
	must(t, s.Close())

	clk.Advance(72 * time.Hour)
	s, err = Open(path, Options{Now: clk.Now})
	must(t, err)
	defer s.Close()
	due, err = s.DueNotes(clk.Now(), 10)
	must(t, err)
	if len(due) != 2 {
		t.Fatalf("due after 72h and a restart = %+v, want the two reminders", due)
	}
	var sent []string
	for _, n := range due {
		ok, err := s.DeliverNote(n.ID)
		must(t, err)
		if ok {
			sent = append(sent, n.Customer)
		}
	}
	if !reflect.DeepEqual(sent, []string{"c1"}) {
		t.Fatalf("reminders sent for %v, want only c1 (c2 lost its tag)", sent)
	}
}

// TestTriggerUndoOfReversedChange: a trigger takes back (part of) what
// fired it — 高意向 (t3) added removes 高意向 and adds VIP (t1). An undo
// of the original reverts newest first (the trigger's change, then the
// original), so the customer is back where they were before it; a redo
// gives the state after the original again, and undoing the redo the
// state before. Each undo and redo is one primary change-set (Cause 0,
// what /undo and /redo name) with the others caused by it.
func TestTriggerUndoOfReversedChange(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	s.SetTriggers(func(in TriggerInput) TriggerOutput {
		if len(in.Change.Add) > 0 && in.Change.Add[0].ID == "t3" {
			return TriggerOutput{ChangeSets: []ChangeSet{{Add: tags("t1"), Remove: tags("t3")}}}
		}
		return TriggerOutput{}
	})
	cs := apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	if got, want := relTags(t, s, "c2", "zhangsan"), []string{"t1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tags after +高意向 = %v, want %v", got, want)
	}
	steps := []struct {
		name string
		want []string
	}{
		{"undo", nil},
		{"redo", []string{"t1"}},
		{"undo of the redo", nil},
	}
	target := cs
	for _, st := range steps {
		out, err := s.RevertAll([]ID{target.ID}, RevertOptions{Actor: "zhangsan"})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := relTags(t, s, "c2", "zhangsan"); !slices.Equal(got, st.want) {
			t.Fatalf("%s of #%d: tags = %v, want %v", st.name, target.ID, got, st.want)
		}
		if len(out) != 2 {
			t.Fatalf("%s: %d change-sets, want 2 (the primary and its trigger's)", st.name, len(out))
		}
		primary := out[0]
		if primary.Reverts != target.ID || primary.Cause != 0 {
			t.Fatalf("%s: first change-set reverts %d with cause %d, want reverts %d, cause 0", st.name, primary.Reverts, primary.Cause, target.ID)
		}
		caused, err := s.Caused(primary.ID)
		must(t, err)
		if len(caused) != 1 || caused[0].ID != out[1].ID || caused[0].Cause != primary.ID {
			t.Fatalf("%s: Caused(#%d) = %+v, want #%d caused by it", st.name, primary.ID, caused, out[1].ID)
		}
		target = primary
	}
	must(t, s.Verify())
}
