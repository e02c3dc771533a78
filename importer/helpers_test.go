package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// testLibrary: 客户等级 {高意向 t1, 低意向 t2}, 客群 {化妆品客群 t3,
// 3C数码客群 t4, 北上广客户 t5}, 客户状态 {已流失 t6, 受保护 t7}.
func testLibrary() store.Library {
	groups := []store.Group{{ID: "g1", Name: "客户等级"}, {ID: "g2", Name: "客群"}, {ID: "g3", Name: "客户状态"}}
	tags := []struct{ id, g, name string }{
		{"t1", "g1", "高意向"}, {"t2", "g1", "低意向"}, {"t3", "g2", "化妆品客群"}, {"t4", "g2", "3C数码客群"},
		{"t5", "g2", "北上广客户"}, {"t6", "g3", "已流失"}, {"t7", "g3", "受保护"},
	}
	lib := store.Library{Groups: groups}
	for i, t := range tags {
		g := groups[t.g[1]-'1']
		lib.Tags = append(lib.Tags, store.Tag{ID: t.id, GroupID: g.ID, GroupName: g.Name, Name: t.name, Order: 100 - i})
	}
	return lib
}

// newTestStore opens a store on t.TempDir() with testLibrary and
// customers wm…01 … wm…10 (客户N, mobile 139000000NN, followed by
// zhangsan), 张三 (wm…01 renamed), 李四 (wm…02, also lisi's), 王五 (wm…03,
// with 已流失 on zhangsan's relationship).
func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Sync: "never", Now: func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutLibrary(testLibrary(), "sync"); err != nil {
		t.Fatal(err)
	}
	names := map[int]string{1: "张三", 2: "李四", 3: "王五"}
	for i := 1; i <= 10; i++ {
		id := fmt.Sprintf("wm%016d", i)
		name := names[i]
		if name == "" {
			name = fmt.Sprintf("客户%d", i)
		}
		follows := []store.FollowInfo{{Follower: "zhangsan", Mobiles: []string{fmt.Sprintf("139%08d", i)}}}
		fols := []string{"zhangsan"}
		if i == 2 {
			follows = append(follows, store.FollowInfo{Follower: "lisi"})
			fols = append(fols, "lisi")
		}
		if err := st.UpsertCustomer(store.Customer{ID: id, Name: name, Followers: fols}, follows); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Apply(store.ChangeSet{Actor: "sync", Source: store.SourceSync, Customer: fmt.Sprintf("wm%016d", 3), Follower: "zhangsan",
		Add: []store.TagRef{{ID: "t6"}}}); err != nil {
		t.Fatal(err)
	}
	return st
}

// testPolicy is a Policy: user, whether they see all, and t7 (受保护)
// closed to everyone.
type testPolicy struct {
	user string
	all  bool
}

func (p testPolicy) User() string  { return p.user }
func (p testPolicy) SeesAll() bool { return p.all }
func (p testPolicy) CheckTags(_ store.Relationship, add, remove, _ []store.Tag) ([]store.Tag, error) {
	if slices.ContainsFunc(append(slices.Clone(add), remove...), func(t store.Tag) bool { return t.ID == "t7" }) {
		return nil, fmt.Errorf("标签「受保护」只有管理员能改")
	}
	return nil, nil
}

// dryRunFile plans testdata/name.
func dryRunFile(t *testing.T, st *store.Store, name string, o Options) *Plan {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := Open(name, f)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	o.Store = st
	if o.Policy == nil {
		o.Policy = testPolicy{user: "admin", all: true}
	}
	if o.MaxBadShare == 0 {
		o.MaxBadShare = 0.1
	}
	p, err := DryRun(rows, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// changeView is a Change as tests compare it.
type changeView struct {
	Row              int
	Customer, Follow string
	Add, Remove      string
}

func viewChanges(p *Plan) []changeView {
	var out []changeView
	for _, c := range p.Changes {
		out = append(out, changeView{c.Row, c.Customer, c.Follower, TagNames(c.Add), TagNames(c.Remove)})
	}
	return out
}

type issueView struct {
	Row    int
	Column string
	Value  string
}

func viewIssues(list []Issue) []issueView {
	var out []issueView
	for _, is := range list {
		out = append(out, issueView{is.Row, is.Column, is.Value})
	}
	return out
}
