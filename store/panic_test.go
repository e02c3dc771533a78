package store

import (
	"errors"
	"sync/atomic"
	"testing"
)

// A panic inside a write transaction (here a trigger function's) must roll
// the transaction back: BuntDB commits when the function it runs panics,
// which would leave half a transaction in the file, unsealed, and the
// in-memory sequences behind it.
func TestPanicInTransactionRollsBack(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	before, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t3")})
	must(t, err)
	s.SetTriggers(func(TriggerInput) TriggerOutput { panic("trigger bug") })
	func() {
		defer func() {
			if r := recover(); r != "trigger bug" {
				t.Fatalf("recovered %v, want the trigger's panic passed on", r)
			}
		}()
		s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t2")})
		t.Fatal("Apply returned; want the panic passed on")
	}()
	s.SetTriggers(nil)
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify after the panic: %v", err)
	}
	next, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t2")})
	must(t, err)
	if next.ID != before.ID+1 || next.Outbox != before.Outbox+1 {
		t.Fatalf("after the panic: change-set %d outbox %d, want %d and %d (nothing of the panicked transaction kept)",
			next.ID, next.Outbox, before.ID+1, before.Outbox+1)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// A reload that removes every trigger while a change-set is applied must
// not make the transaction read the trigger function twice and find it gone
// the second time.
func TestTriggersRemovedDuringApply(t *testing.T) {
	s, clk := openTest(t)
	synced(t, s, clk)
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			s.SetTriggers(impliesVIP)
			s.SetTriggers(nil)
		}
	}()
	defer func() {
		stop.Store(true)
		<-done
	}()
	for i := range 3000 {
		add, rm := tags("t3"), []TagRef(nil)
		if i%2 == 1 {
			add, rm = nil, tags("t3", "t1")
		}
		_, err := s.Apply(ChangeSet{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: add, Remove: rm})
		if err != nil && !errors.Is(err, ErrNoChange) {
			t.Fatalf("apply %d: %v", i, err)
		}
	}
}
