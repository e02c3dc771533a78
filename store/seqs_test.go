package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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

// TestOpensStoreOfV1: a store written by the tagbot before this key scheme
// (meta:seq:cs and meta:seq:ob counters, the obq: queue, the obc:t
// counts and the sn:t: tag counters; testdata/v1store.db: five change-sets, one outbox entry done, one
// failed, two pending, one in each lane) opens, loses those keys, reads the
// same, and goes on numbering where it stopped.
func TestOpensStoreOfV1(t *testing.T) {
	raw, err := os.ReadFile("testdata/v1store.db")
	must(t, err)
	path := filepath.Join(t.TempDir(), "tagbot.db")
	must(t, os.WriteFile(path, raw, 0o600))
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 3, 0, 0, time.UTC))
	s, err := Open(path, Options{Now: clk.Now})
	must(t, err)
	defer func() { s.Close() }()
	must(t, s.Verify())

	type counts struct{ Pending, Done, Failed int }
	type view struct {
		Pending                  []ID
		Total, Inter, Background counts
		TotalActor               string
		TotalFirst               time.Time
		Retired                  []string
		Version                  string
		TagCounts                map[string]int
	}
	read := func() view {
		t.Helper()
		var v view
		pend, err := s.PendingOutbox(0)
		must(t, err)
		for _, e := range pend {
			v.Pending = append(v.Pending, e.ID)
		}
		tot, in, bg, _, err := s.OutboxCountsAll()
		must(t, err)
		c := func(o OutboxCounts) counts { return counts{o.Pending, o.Done, o.FailedTotal()} }
		v.Total, v.Inter, v.Background, v.TotalActor, v.TotalFirst = c(tot), c(in), c(bg), tot.Actor, tot.First
		v.TagCounts, err = s.TagCustomerCounts("")
		must(t, err)
		must(t, s.view(func(tx *txn) error {
			for _, p := range []string{"obq:", "obc:t", "meta:seq:cs", "meta:seq:ob", "sn:t:"} {
				scan(tx, p, func(k, _ string) bool { v.Retired = append(v.Retired, k); return true })
			}
			v.Version, _ = tx.Get("obcv")
			return nil
		}))
		return v
	}
	want := view{Pending: []ID{2, 4}, Total: counts{2, 1, 1}, Inter: counts{1, 1, 0}, Background: counts{1, 0, 1},
		TotalActor: "zhangsan", TotalFirst: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), Version: outboxCountsV,
		TagCounts: map[string]int{"t1": 1, "t2": 1, "t3": 1}}
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("opened v1 store:\n got %+v\nwant %+v", got, want)
	}
	if first, err := s.PendingOutbox(1); err != nil || len(first) != 1 || first[0].ID != 2 {
		t.Fatalf("first pending entry (the background one is older): %+v, %v", first, err)
	}
	if got, want := idsOf(apply(t, s, "zhangsan", "c2", []string{"t1"}, nil)), (seqIDs{6, 5}); got != want {
		t.Fatalf("next change-set %+v, want %+v", got, want)
	}
	must(t, s.Close())
	s, err = Open(path, Options{Now: clk.Now})
	must(t, err)
	must(t, s.Verify())
	want.Pending, want.Total.Pending, want.Inter.Pending = []ID{2, 4, 5}, 3, 2
	want.TagCounts["t1"] = 2
	if got := read(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after an Apply and a reopen:\n got %+v\nwant %+v", got, want)
	}
}

// TestSeqKeyPadsLikeSprintf: keys sort by number, so the hand-made padding
// must be exactly fmt's %012d, also past 12 digits.
func TestSeqKeyPadsLikeSprintf(t *testing.T) {
	for _, n := range []uint64{0, 1, 42, 999_999_999_999, 1_000_000_000_000, 1<<64 - 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if got, want := seqKey("cs:", n), fmt.Sprintf("cs:%012d", n); got != want {
				t.Errorf("seqKey = %q, want %q", got, want)
			}
			if got, want := obrKey("c1", "zhangsan", n), fmt.Sprintf("obr:c1:zhangsan:%012d", n); got != want {
				t.Errorf("obrKey = %q, want %q", got, want)
			}
		})
	}
}
