package store

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTagCountersFollowApply checks the tag counts through adds on two
// relationships of one customer, removals, a wrong count Rebuild fixes,
// and a store reopened without its sn: keys (Open writes them).
func TestTagCountersFollowApply(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s)
	counts := func() map[string]int {
		t.Helper()
		m, err := s.TagCustomerCounts("")
		must(t, err)
		return m
	}
	total := func() int {
		t.Helper()
		n, err := s.CustomerTotal()
		must(t, err)
		return n
	}
	steps := []struct {
		name string
		do   func()
		want map[string]int
	}{
		{"c1 +VIP on zhangsan", func() { apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil) }, map[string]int{"t1": 1, "t3": 1}},
		{"c1 +VIP on lisi too: still one customer", func() {
			_, err := s.Apply(ChangeSet{Actor: "lisi", Source: SourceCommand, Customer: "c1", Follower: "lisi", Add: tags("t1")})
			must(t, err)
		}, map[string]int{"t1": 1, "t3": 1}},
		{"c2 +VIP", func() { apply(t, s, "zhangsan", "c2", []string{"t1"}, nil) }, map[string]int{"t1": 2, "t3": 1}},
		{"c1 -VIP on zhangsan: kept through lisi", func() { apply(t, s, "zhangsan", "c1", nil, []string{"t1"}) }, map[string]int{"t1": 2, "t3": 1}},
		{"c1 -高意向", func() { apply(t, s, "zhangsan", "c1", nil, []string{"t3"}) }, map[string]int{"t1": 2}},
		{"a batch that fails counts nothing", func() {
			_, err := s.ApplyBatch([]ChangeSet{
				{Actor: "zhangsan", Source: SourceCommand, Customer: "c1", Follower: "zhangsan", Add: tags("t4")},
				{Actor: "zhangsan", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("nope")},
			})
			if err == nil {
				t.Error("batch with an unknown tag applied")
			}
		}, map[string]int{"t1": 2}},
		{"reopened: counted again from the keys", func() {
			path := s.Path()
			must(t, s.Close())
			var err error
			s, err = Open(path, Options{Sync: "never"})
			must(t, err)
			t.Cleanup(func() { s.Close() })
		}, map[string]int{"t1": 2}},
		{"a wrong counter, then Rebuild", func() {
			s.tags.commit(nil, []tagDelta{{"t4", 7}})
			if err := s.Verify(); err == nil || !strings.Contains(err.Error(), "count of tag t4 is 7") {
				t.Errorf("Verify with a wrong counter = %v, want it named", err)
			}
			rep, err := s.Rebuild()
			must(t, err)
			if rep.Removed["sn"] != 1 {
				t.Errorf("Rebuild reported no change for a wrong counter: %v", rep)
			}
		}, map[string]int{"t1": 2}},
	}
	for _, st := range steps {
		st.do()
		if d := cmp.Diff(st.want, counts()); d != "" {
			t.Errorf("after %s: counts differ (-want +got):\n%s", st.name, d)
		}
	}
	if got := total(); got != 2 {
		t.Errorf("CustomerTotal = %d, want 2", got)
	}
	must(t, s.update(func(tx *txn) error {
		scan(tx, "sn:", func(k, _ string) bool { tx.Delete(k); return true })
		return nil
	}))
	path := s.Path()
	must(t, s.Close())
	s2, err := Open(path, Options{Sync: "never"})
	must(t, err)
	defer s2.Close()
	got, err := s2.TagCustomerCounts("")
	must(t, err)
	n, err := s2.CustomerTotal()
	must(t, err)
	if d := cmp.Diff(map[string]int{"t1": 2}, got); d != "" || n != 2 {
		t.Errorf("reopened without counters: counts %v (diff %s), customers %d; want t1:2, 2", got, d, n)
	}
}

// TestFollowerIndex checks the rf: keys through new relationships, an
// ended one, a lost key Verify names and Rebuild restores.
func TestFollowerIndex(t *testing.T) {
	s, _ := openTest(t)
	seed(t, s) // c1: zhangsan, lisi; c2: zhangsan
	count := func(f string) int {
		t.Helper()
		n, err := s.FollowedCount(f)
		must(t, err)
		return n
	}
	if got := [2]int{count("zhangsan"), count("lisi")}; got != [2]int{2, 1} {
		t.Errorf("followed (zhangsan, lisi) = %v, want [2 1]", got)
	}
	_, err := s.RemoveRelationship("c1", "lisi", ReconcileOptions{Source: SourceSync, Actor: "sync"})
	must(t, err)
	if got := count("lisi"); got != 0 {
		t.Errorf("after the relationship ended lisi follows %d, want 0", got)
	}
	must(t, s.update(func(tx *txn) error { _, err := tx.Delete(rfKey("zhangsan", "c2")); return err }))
	if err := s.Verify(); err == nil || !strings.Contains(err.Error(), "rf keys") {
		t.Errorf("Verify with an rf: key missing = %v, want it named", err)
	}
	_, err = s.Rebuild()
	must(t, err)
	if got := count("zhangsan"); got != 2 {
		t.Errorf("after Rebuild zhangsan follows %d, want 2", got)
	}
	must(t, s.Verify())
}

// TestEmployees: followers (rf:) and ledger actors (ix:a:) once each,
// sorted; a userid that is a prefix of another stays apart.
func TestEmployees(t *testing.T) {
	s, _ := openTest(t)
	must(t, s.UpsertCustomer(Customer{ID: "c3", Name: "周"}, []FollowInfo{{Follower: "zhang"}}))
	if _, err := s.Apply(ChangeSet{Actor: "mgr", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t1")}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Employees()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"lisi", "mgr", "zhang", "zhangsan"}, got); d != "" {
		t.Errorf("Employees() differs (-want +got):\n%s", d)
	}
}
