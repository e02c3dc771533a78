package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
)

// seqIDs is what a test compares of an applied change-set.
type seqIDs struct{ CS, Outbox ID }

func idsOf(cs ChangeSet) seqIDs { return seqIDs{cs.ID, cs.Outbox} }

// TestSequencesWithoutCounters: the change-set sequence (the chain head's)
// and the outbox sequence (in memory) continue across a reopen, a
// transaction that fails hands out nothing, and the meta:seq:cs and
// meta:seq:ob counters of an older store are taken into account once and
// retired.
func TestSequencesWithoutCounters(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	path := filepath.Join(t.TempDir(), "tagbot.db")
	reopen := func(s *Store) *Store {
		t.Helper()
		if s != nil {
			must(t, s.Close())
		}
		s, err := Open(path, Options{Now: clk.Now})
		must(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	s := reopen(nil)
	seed(t, s)
	if got, want := idsOf(apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)), (seqIDs{1, 1}); got != want {
		t.Fatalf("first change-set: %+v, want %+v", got, want)
	}
	_, err := s.ApplyBatch([]ChangeSet{
		{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t2")},
		{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("nope")},
	})
	if !errors.Is(err, ErrUnknownTag) {
		t.Fatalf("batch with an unknown tag: %v", err)
	}
	if got, want := idsOf(apply(t, s, "zhangsan", "c1", []string{"t2"}, nil)), (seqIDs{2, 2}); got != want {
		t.Fatalf("after a failed batch: %+v, want %+v (the batch handed out ids)", got, want)
	}
	s = reopen(s)
	if got, want := idsOf(apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)), (seqIDs{3, 3}); got != want {
		t.Fatalf("after a reopen: %+v, want %+v", got, want)
	}
	// An older store's counters: the outbox one ahead of its keys (ids
	// handed out are never handed out again).
	must(t, s.update(func(tx *txn) error {
		tx.Set("meta:seq:cs", "3", nil)
		_, _, err := tx.Set("meta:seq:ob", "7", nil)
		return err
	}))
	s = reopen(s)
	if got, want := idsOf(apply(t, s, "zhangsan", "c1", []string{"t4"}, nil)), (seqIDs{4, 8}); got != want {
		t.Fatalf("after an older store's counters: %+v, want %+v", got, want)
	}
	must(t, s.view(func(tx *txn) error {
		for _, k := range []string{"meta:seq:cs", "meta:seq:ob"} {
			if v, err := tx.Get(k); err == nil {
				t.Errorf("%s = %q still there", k, v)
			}
		}
		return nil
	}))
	must(t, s.Verify())
}
