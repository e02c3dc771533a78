package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestVerifyFindsEachBrokenInvariant breaks one invariant at a time behind
// the store's back and requires Verify to notice.
func TestVerifyFindsEachBrokenInvariant(t *testing.T) {
	cases := []struct {
		name   string
		damage func(tx *txn, cs ChangeSet) error
	}{
		{"projection lost a tag", func(tx *txn, cs ChangeSet) error {
			rel, err := getRel(tx, cs.Customer, cs.Follower)
			if err != nil {
				return err
			}
			delete(rel.Tags, cs.Add[0].ID)
			return putJSON(tx, relKey(cs.Customer, cs.Follower), rel)
		}},
		{"projection gained a tag", func(tx *txn, cs ChangeSet) error {
			rel, err := getRel(tx, cs.Customer, cs.Follower)
			if err != nil {
				return err
			}
			rel.Tags["t4"] = Mark{By: "ghost"}
			return putJSON(tx, relKey(cs.Customer, cs.Follower), rel)
		}},
		{"outbox entry missing", func(tx *txn, cs ChangeSet) error {
			_, err := tx.Delete(seqKey("ob:", uint64(cs.Outbox)))
			return err
		}},
		{"pending entry not queued", func(tx *txn, cs ChangeSet) error {
			_, err := tx.Delete(laneKey(false, cs.Outbox))
			return err
		}},
		{"stray tag key", func(tx *txn, cs ChangeSet) error {
			_, _, err := tx.Set(ttKey("t2", cs.Customer, cs.Follower), "", nil)
			return err
		}},
		{"ledger index key missing", func(tx *txn, cs ChangeSet) error {
			_, err := tx.Delete(fmt.Sprintf("ix:a:%s:%012d", cs.Actor, uint64(cs.ID)))
			return err
		}},
		{"stray ledger index key", func(tx *txn, cs ChangeSet) error {
			_, _, err := tx.Set(fmt.Sprintf("ix:a:ghost:%012d", uint64(cs.ID)), "", nil)
			return err
		}},
		{"tag key missing", func(tx *txn, cs ChangeSet) error {
			_, err := tx.Delete(ttKey(cs.Add[0].ID, cs.Customer, cs.Follower))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTest(t)
			cs := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
			must(t, s.Verify())
			must(t, s.update(func(tx *txn) error { return tc.damage(tx, cs) }))
			if err := s.Verify(); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Verify after %s: %v", tc.name, err)
			}
			rep, err := s.Rebuild()
			must(t, err)
			err = s.Verify()
			if tc.name == "outbox entry missing" { // a WeCom call is not derivable: resending an old one could undo a newer one
				if err == nil {
					t.Fatalf("Rebuild claimed to repair a lost outbox entry (%s)", rep)
				}
				return
			}
			if err != nil || !rep.Changed() {
				t.Fatalf("after Rebuild (%s): Verify = %v", rep, err)
			}
		})
	}
}

// TestRebuildOfAHealthyStoreChangesNothing: every kind of write leaves the
// derived keys exactly as Rebuild would make them.
func TestRebuildOfAHealthyStoreChangesNothing(t *testing.T) {
	s := chainedStore(t)
	rep, err := s.Rebuild()
	must(t, err)
	if rep.Changed() || rep.Orphans != 0 {
		t.Fatalf("Rebuild of a healthy store: %s", rep)
	}
}

// TestRebuildRestoresTheInboxQueue: a pending message whose queue entry
// was lost would never be handled; Verify finds it and Rebuild puts the
// entry back with its order key.
func TestRebuildRestoresTheInboxQueue(t *testing.T) {
	s, _ := openTest(t)
	id, _, err := s.InboxPutOrdered("m1", "zhangsan", []byte("<xml/>"))
	must(t, err)
	must(t, s.update(func(tx *txn) error { _, err := tx.Delete(seqKey("inq:", uint64(id))); return err }))
	if err := s.Verify(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "inq keys: 1 missing") {
		t.Fatalf("Verify with a lost queue entry: %v", err)
	}
	rep, err := s.Rebuild()
	must(t, err)
	if rep.Added["inq"] != 1 {
		t.Fatalf("Rebuild: %s", rep)
	}
	must(t, s.Verify())
	refs, err := s.InboxAfter(0, 0)
	must(t, err)
	if len(refs) != 1 || refs[0].ID != id || refs[0].Order != "zhangsan" {
		t.Fatalf("queue after Rebuild: %+v", refs)
	}
}
