package todo

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// fixture is a store with a required group 客户来源 (官网, 转介绍), a
// required group 婚姻状况 only zhangsan sees, and customers: zhangsan
// follows c01…c12 (c01 has 官网 and 已婚), lisi follows c20 (官网).
type fixture struct {
	t    *testing.T
	path string
	clk  *clocktest.Clock
	cfg  *config.Config
	st   *store.Store
	svc  *Service
	r    *commands.Router
	mu   sync.Mutex
	sent []string // "user: text" of the digests
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "tagbot.db"),
		clk: clocktest.New(time.Date(2026, 12, 2, 9, 0, 0, 0, config.ChinaZone))}
	f.cfg = config.Default()
	f.cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr"}}
	f.cfg.Groups = map[string]config.GroupPolicy{
		"客户来源": {Required: true},
		"婚姻状况": {Required: true, VisibleTo: []string{"zhangsan"}},
		"空组":   {Required: true}, // no tags in the library: never asked for
	}
	f.open()
	lib := store.Library{
		Groups: []store.Group{{ID: "g1", Name: "客户来源"}, {ID: "g2", Name: "婚姻状况"}, {ID: "g3", Name: "兴趣"}},
		Tags: []store.Tag{
			{ID: "t1", GroupID: "g1", GroupName: "客户来源", Name: "官网"},
			{ID: "t2", GroupID: "g1", GroupName: "客户来源", Name: "转介绍"},
			{ID: "t3", GroupID: "g2", GroupName: "婚姻状况", Name: "已婚"},
			{ID: "t4", GroupID: "g3", GroupName: "兴趣", Name: "咖啡"},
		},
	}
	if _, err := f.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 12; i++ {
		f.customer(fmt.Sprintf("c%02d", i), fmt.Sprintf("客户%02d", i), "zhangsan")
	}
	f.customer("c20", "客户20", "lisi")
	f.apply("c01", "zhangsan", "t1", "t3")
	f.apply("c20", "lisi", "t1")
	return f
}

// open opens the store and builds the service and a router using it.
func (f *fixture) open() {
	f.t.Helper()
	st, err := store.Open(f.path, store.Options{Now: f.clk.Now, Sync: "never"})
	if err != nil {
		f.t.Fatal(err)
	}
	f.st = st
	f.t.Cleanup(func() { st.Close() })
	f.svc = New(Options{Store: st, Config: f.cfg, Now: f.clk.Now, Notify: func(_ context.Context, user, text string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sent = append(f.sent, user+": "+text)
	}})
	f.r, err = commands.NewRouter(commands.Options{Store: st, Config: f.cfg, Now: f.clk.Now, Extensions: []commands.Extension{f.svc}})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) customer(id, name, follower string) {
	f.t.Helper()
	if err := f.st.UpsertCustomer(store.Customer{ID: id, Name: name}, []store.FollowInfo{{Follower: follower}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) apply(customer, follower string, ids ...string) {
	f.t.Helper()
	cs := store.ChangeSet{Actor: follower, Source: store.SourceCommand, Customer: customer, Follower: follower}
	for _, id := range ids {
		cs.Add = append(cs.Add, store.TagRef{ID: id})
	}
	if _, err := f.st.Apply(cs); err != nil {
		f.t.Fatal(err)
	}
}

// say sends text as user and returns the reply texts.
func (f *fixture) say(user, text string) string {
	var parts []string
	for _, r := range f.r.HandleText(context.Background(), user, text) {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n")
}

// TestTodoCommand runs /todo as the follower, a manager and a colleague.
func TestTodoCommand(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name, user, cmd string
		want, hide      []string
	}{
		{"own list", "zhangsan", "/todo", []string{"有 11 位还缺必选标签（第 1/2 页）", "1. 客户02 缺：「婚姻状况」「客户来源」", "下一页：/todo page:2"}, []string{"客户01 ", "空组"}},
		{"page 2", "zhangsan", "/todo page:2", []string{"第 2/2 页", "11. 客户12 缺："}, []string{"下一页"}},
		{"past the end", "zhangsan", "/todo page:5", []string{"只有 2 页，没有第 5 页。看最后一页：/todo page:2"}, nil},
		{"hidden group not asked of others", "lisi", "/todo", []string{"你跟进的客户都已打上必选标签组的标签"}, []string{"婚姻状况"}},
		{"colleague refused", "lisi", "/todo @zhangsan", []string{"你只能看自己的待补名单"}, []string{"客户02"}},
		{"manager per employee", "mgr", "/todo", []string{"@zhangsan：11 位（客户来源 11 位）", "看某位员工的名单：/todo @userid"}, []string{"lisi", "婚姻状况"}},
		{"manager one employee", "mgr", "/todo @zhangsan page:2", []string{"@zhangsan 跟进的客户中有 11 位", "第 2/2 页"}, []string{"婚姻状况"}},
		{"admin sees every group", "boss", "/todo", []string{"@zhangsan：11 位（婚姻状况 11 位、客户来源 11 位）"}, nil},
		{"bad argument", "zhangsan", "/todo 王", []string{"看不懂「王」"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f.say(tc.user, tc.cmd)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %q: reply lacks %q:\n%s", tc.user, tc.cmd, w, got)
				}
			}
			for _, h := range tc.hide {
				if strings.Contains(got, h) {
					t.Errorf("%s %q: reply shows %q:\n%s", tc.user, tc.cmd, h, got)
				}
			}
		})
	}
}

// TestTodoNothingRequired checks /todo without required groups.
func TestTodoNothingRequired(t *testing.T) {
	f := newFixture(t)
	f.cfg.Groups = map[string]config.GroupPolicy{}
	if got := f.say("zhangsan", "/todo"); !strings.Contains(got, "还没有必选的标签组") {
		t.Errorf("reply = %s", got)
	}
}
