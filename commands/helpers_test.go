package commands

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/store"
)

var cst = config.ChinaZone

// fakeCreator stands in for mirror.Syncer: it "creates" the tag on WeCom
// by giving it a new id and records it with store.PutTag, as the real one does.
type fakeCreator struct {
	st    *store.Store
	calls atomic.Int32
	fail  error
}

func (f *fakeCreator) CreateTag(_ context.Context, groupName, tagName string) (store.Tag, error) {
	n := f.calls.Add(1)
	if f.fail != nil {
		return store.Tag{}, f.fail
	}
	groups, err := f.st.Groups()
	if err != nil {
		return store.Tag{}, err
	}
	g := store.Group{ID: fmt.Sprintf("gnew%d", n), Name: groupName}
	for _, x := range groups {
		if x.Name == groupName {
			g = x
		}
	}
	t := store.Tag{ID: fmt.Sprintf("tnew%d", n), GroupID: g.ID, GroupName: groupName, Name: tagName}
	return t, f.st.PutTag(g, t)
}

// env is a router over a real store in a temp dir.
type env struct {
	t       testing.TB
	st      *store.Store
	clk     *clocktest.Clock
	r       *Router
	kicks   atomic.Int32
	creator *fakeCreator
	logs    *logtest.Buffer
}

// testConfig: boss is admin, mgr manager; everyone else an employee.
func testConfig() *config.Config {
	cfg := config.Default()
	cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr"}}
	cfg.Groups = map[string]config.GroupPolicy{
		"客户等级":  {Exclusive: true, Protected: []string{"VIP"}},
		"意向程度":  {Exclusive: true},
		"渠道":    {EditableBy: []string{"managers"}},
		"区域":    {EditableBy: []string{"zhangsan"}},
		"未同步的组": {Exclusive: true},
	}
	return cfg
}

var testLibrary = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "客户等级", Order: 5}, {ID: "g2", Name: "意向程度", Order: 4},
		{ID: "g3", Name: "渠道", Order: 3}, {ID: "g4", Name: "区域", Order: 2}, {ID: "g5", Name: "兴趣", Order: 1}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "客户等级", Name: "VIP"},
		{ID: "t2", GroupID: "g1", GroupName: "客户等级", Name: "普通"},
		{ID: "t3", GroupID: "g2", GroupName: "意向程度", Name: "高意向"},
		{ID: "t4", GroupID: "g2", GroupName: "意向程度", Name: "低意向"},
		{ID: "t6", GroupID: "g2", GroupName: "意向程度", Name: "中意向"},
		{ID: "t7", GroupID: "g3", GroupName: "渠道", Name: "展会"},
		{ID: "t9", GroupID: "g4", GroupName: "区域", Name: "华东"},
		{ID: "t11", GroupID: "g5", GroupName: "兴趣", Name: "保健品"},
		{ID: "t12", GroupID: "g5", GroupName: "兴趣", Name: "咖啡"},
	},
}

// newEnv opens a seeded store: c1 王小明 (zhangsan, lisi), c2 王小红
// (zhangsan), c3 赵敏 (lisi), c4 王大明 (zhangsan).
func newEnv(t testing.TB, mods ...func(*config.Config)) *env {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 11, 21, 15, 4, 0, 0, cst)) // shared by the store and the router
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutLibrary(testLibrary, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		c store.Customer
		f []store.FollowInfo
	}{
		{store.Customer{ID: "c1", Name: "王小明", CorpName: "小明科技"},
			[]store.FollowInfo{{Follower: "zhangsan", Remark: "王总", Mobiles: []string{"13800000001"}}, {Follower: "lisi"}}},
		{store.Customer{ID: "c2", Name: "王小红"}, []store.FollowInfo{{Follower: "zhangsan"}}},
		{store.Customer{ID: "c3", Name: "赵敏"}, []store.FollowInfo{{Follower: "lisi"}}},
		{store.Customer{ID: "c4", Name: "王大明"}, []store.FollowInfo{{Follower: "zhangsan"}}},
	} {
		if err := st.UpsertCustomer(c.c, c.f); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig()
	for _, m := range mods {
		m(cfg)
	}
	e := &env{t: t, st: st, clk: clk, creator: &fakeCreator{st: st}, logs: &logtest.Buffer{}}
	e.r, err = NewRouter(Options{Store: st, Config: cfg, Tags: e.creator, Kick: func() { e.kicks.Add(1) }, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// say sends text as user and returns all reply texts (cards as their lines).
func (e *env) say(user, text string) string {
	e.t.Helper()
	return joinReplies(e.r.HandleText(context.Background(), user, text))
}

func joinReplies(rs []Reply) string {
	var parts []string
	for _, r := range rs {
		if r.Card != nil {
			parts = append(parts, "[card "+r.Card.Title+"] "+strings.Join(r.Card.Lines, " | "))
		} else {
			parts = append(parts, r.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// mustSay is say, failing unless the reply contains want.
func (e *env) mustSay(user, text, want string) string {
	e.t.Helper()
	got := e.say(user, text)
	if !strings.Contains(got, want) {
		e.t.Fatalf("%s: %q\nreply: %s\nwant substring: %s", user, text, got, want)
	}
	return got
}

// apply writes a change-set directly through the store (test setup): tag
// ids to add, or to remove when written "-t3".
func (e *env) apply(actor, customer, follower string, ids ...string) store.ChangeSet {
	e.t.Helper()
	cs := store.ChangeSet{Actor: actor, Source: store.SourceCommand, Customer: customer, Follower: follower}
	for _, id := range ids {
		if rest, ok := strings.CutPrefix(id, "-"); ok {
			cs.Remove = append(cs.Remove, store.TagRef{ID: rest})
		} else {
			cs.Add = append(cs.Add, store.TagRef{ID: id})
		}
	}
	out, err := e.st.Apply(cs)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// tagNames lists a relationship's tag names, sorted.
func (e *env) tagNames(customer, follower string) []string {
	e.t.Helper()
	rel, err := e.st.Relationship(customer, follower)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, id := range rel.TagIDs() {
		t, err := e.st.Tag(id)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, t.Name)
	}
	slices.Sort(out)
	return out
}

// ledger returns every change-set, newest first, denied ones included.
func (e *env) ledger() []store.ChangeSet {
	e.t.Helper()
	list, err := e.st.History(store.Query{Limit: 100000, IncludeDenied: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) verify() {
	e.t.Helper()
	if err := e.st.Verify(); err != nil {
		e.t.Fatal(err)
	}
}
