package store

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
)

// openTest opens a store in a temp dir seeded with a small library and two
// customers: c1 followed by zhangsan and lisi, c2 by zhangsan.
func openTest(t testing.TB) (*Store, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	s, err := Open(filepath.Join(t.TempDir(), "tagbot.db"), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	seed(t, s)
	return s, clk
}

func seed(t testing.TB, s *Store) {
	t.Helper()
	lib := Library{
		Groups: []Group{{ID: "g1", Name: "客户等级", Order: 2}, {ID: "g2", Name: "意向程度", Order: 1}},
		Tags: []Tag{
			{ID: "t1", GroupID: "g1", GroupName: "客户等级", Name: "VIP"},
			{ID: "t2", GroupID: "g1", GroupName: "客户等级", Name: "普通"},
			{ID: "t3", GroupID: "g2", GroupName: "意向程度", Name: "高意向"},
			{ID: "t4", GroupID: "g2", GroupName: "意向程度", Name: "低意向"},
		},
	}
	if _, err := s.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	must(t, s.UpsertCustomer(Customer{ID: "c1", Name: "王小明", CorpName: "小明科技"},
		[]FollowInfo{{Follower: "zhangsan", Remark: "王总", Mobiles: []string{"13800000001"}}, {Follower: "lisi"}}))
	must(t, s.UpsertCustomer(Customer{ID: "c2", Name: "赵敏"}, []FollowInfo{{Follower: "zhangsan"}}))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func tags(ids ...string) []TagRef {
	out := make([]TagRef, len(ids))
	for i, id := range ids {
		out[i] = TagRef{ID: id}
	}
	return out
}

func apply(t testing.TB, s *Store, actor, customer string, add, remove []string) ChangeSet {
	t.Helper()
	cs, err := s.Apply(ChangeSet{Actor: actor, Source: SourceCommand, Customer: customer, Follower: "zhangsan", Add: tags(add...), Remove: tags(remove...)})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func relTags(t testing.TB, s *Store, customer, follower string) []string {
	t.Helper()
	r, err := s.Relationship(customer, follower)
	if err != nil {
		t.Fatal(err)
	}
	return r.TagIDs()
}
