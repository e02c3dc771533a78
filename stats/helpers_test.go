package stats

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

var cst = config.ChinaZone

var testLibrary = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "意向", Order: 2}, {ID: "g2", Name: "兴趣", Order: 1}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "意向", Name: "高意向", Order: 2},
		{ID: "t2", GroupID: "g1", GroupName: "意向", Name: "VIP", Order: 1},
		{ID: "t3", GroupID: "g2", GroupName: "兴趣", Name: "健身", Order: 2},
		{ID: "t4", GroupID: "g2", GroupName: "兴趣", Name: "咖啡", Order: 1},
	},
}

// fixture is a real store on a temp dir with a clock both it and Stats use.
type fixture struct {
	t   testing.TB
	st  *store.Store
	clk *clocktest.Clock
	s   *Stats
}

// followers of the seeded customers.
var follows = map[string][]string{
	"c1": {"zs", "ls"}, "c2": {"zs"}, "c3": {"zs"}, "c4": {"ls"}, "c5": {"ls"}, "c6": {"zs"},
}

func newFixture(t testing.TB, start time.Time) *fixture {
	t.Helper()
	clk := clocktest.New(start)
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutLibrary(testLibrary, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5", "c6"} {
		var fs []store.FollowInfo
		for _, f := range follows[id] {
			fs = append(fs, store.FollowInfo{Follower: f})
		}
		if err := st.UpsertCustomer(store.Customer{ID: id, Name: "客户" + id}, fs); err != nil {
			t.Fatal(err)
		}
	}
	return &fixture{t: t, st: st, clk: clk, s: &Stats{Store: st, Now: clk.Now, Location: cst}}
}

func refs(ids ...string) []store.TagRef {
	out := make([]store.TagRef, len(ids))
	for i, id := range ids {
		out[i] = store.TagRef{ID: id}
	}
	return out
}

// apply applies one change-set by actor on the relationship (customer, follower).
func (f *fixture) apply(actor string, src store.Source, customer, follower string, add, remove []string) store.ChangeSet {
	f.t.Helper()
	cs, err := f.st.Apply(store.ChangeSet{Actor: actor, Source: src, Customer: customer, Follower: follower, Add: refs(add...), Remove: refs(remove...)})
	if err != nil {
		f.t.Fatalf("apply %s %s %v %v: %v", customer, follower, add, remove, err)
	}
	return cs
}

func (f *fixture) tag(follower, customer string, tags ...string) store.ChangeSet {
	return f.apply(follower, store.SourceCommand, customer, follower, tags, nil)
}

func (f *fixture) untag(follower, customer string, tags ...string) store.ChangeSet {
	return f.apply(follower, store.SourceCommand, customer, follower, nil, tags)
}

// seed writes the known history the tests compute by hand (now is
// 2026-11-21 10:00 CST when it returns):
//
//	10-01 zs  c6 +VIP                      (older than 30 days)
//	11-01 zs  c1 +高意向 +健身; ls c1 +高意向; zs c2 +高意向 +咖啡; ls c4 +健身 +咖啡
//	11-11 zs  c3 +高意向 +健身; zs c2 -高意向
//	11-18 zs  undo of c2 -高意向; ls c5 +健身 +咖啡 +高意向; mgr rollback c3 -健身;
//	          zs denied +VIP on c6; zs c1 -高意向 (c1 keeps it through ls)
func seed(t testing.TB) *fixture {
	f := newFixture(t, time.Date(2026, 10, 1, 10, 0, 0, 0, cst))
	f.tag("zs", "c6", "t2")
	f.clk.Set(time.Date(2026, 11, 1, 10, 0, 0, 0, cst))
	f.tag("zs", "c1", "t1", "t3")
	f.tag("ls", "c1", "t1")
	f.tag("zs", "c2", "t1", "t4")
	f.tag("ls", "c4", "t3", "t4")
	f.clk.Set(time.Date(2026, 11, 11, 10, 0, 0, 0, cst))
	f.tag("zs", "c3", "t1", "t3")
	un := f.untag("zs", "c2", "t1")
	f.clk.Set(time.Date(2026, 11, 18, 10, 0, 0, 0, cst))
	if _, err := f.st.Revert(un.ID, store.RevertOptions{Actor: "zs"}); err != nil {
		t.Fatal(err)
	}
	f.tag("ls", "c5", "t3", "t4", "t1")
	f.apply("mgr", store.SourceRollback, "c3", "zs", nil, []string{"t3"})
	if _, err := f.st.Apply(store.ChangeSet{Actor: "zs", Source: store.SourceCommand, Customer: "c6", Follower: "zs", Add: refs("t2"), Denied: "protected"}); err != nil {
		t.Fatal(err)
	}
	f.untag("zs", "c1", "t1")
	f.clk.Set(time.Date(2026, 11, 21, 10, 0, 0, 0, cst))
	return f
}
