package store

import (
	"path/filepath"
	"testing"
)

// TestPlanStepMarkedWithItsChange: a plan survives a reopen; a step's
// change-set marks it applied in its own transaction (so a crash right
// after cannot run it again), PlanStepDone marks a step without one, and
// PlanEnd removes the plan and its steps.
func TestPlanStepMarkedWithItsChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tagbot.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seed(t, s)
	p, err := s.PlanBegin("zhangsan", []string{"/tag 王小明 +高意向", "/tag 赵敏 +VIP", "/tags 赵敏"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t3"), Inbox: p.Steps[0]})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.PlanStepDone(p.Steps[2]))
	must(t, s.Close()) // the crash: steps 1 and 3 ran, step 2 did not
	if s, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plans, err := s.PlansPending()
	if err != nil || len(plans) != 1 || plans[0].ID != p.ID || plans[0].User != "zhangsan" {
		t.Fatalf("PlansPending = %+v, %v; want plan %d of zhangsan", plans, err, p.ID)
	}
	steps, err := s.PlanSteps(p.ID)
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Cmd      string
		Applied  ID
		Finished bool
	}
	want := []view{{"/tag 王小明 +高意向", cs.ID, true}, {"/tag 赵敏 +VIP", 0, false}, {"/tags 赵敏", 0, true}}
	for i, st := range steps {
		if have := (view{st.Command, st.Applied, st.Finished()}); have != want[i] {
			t.Errorf("step %d = %+v, want %+v", i+1, have, want[i])
		}
	}
	must(t, s.PlanEnd(p.ID))
	must(t, s.PlanEnd(p.ID))
	if plans, err := s.PlansPending(); err != nil || len(plans) != 0 {
		t.Fatalf("after PlanEnd: %+v, %v; want none", plans, err)
	}
	must(t, s.Verify())
}

// TestPlanTakesOverInboxMessage: PlanBegin removes the message carrying
// the confirmation in its own transaction.
func TestPlanTakesOverInboxMessage(t *testing.T) {
	s, _ := openTest(t)
	id, _, err := s.InboxPut("k", []byte("确认"))
	must(t, err)
	if _, err := s.PlanBegin("zhangsan", []string{"/tag 王小明 +高意向"}, id); err != nil {
		t.Fatal(err)
	}
	if pending, err := s.InboxPending(10); err != nil || len(pending) != 0 {
		t.Fatalf("InboxPending = %d messages, %v; want none", len(pending), err)
	}
}
