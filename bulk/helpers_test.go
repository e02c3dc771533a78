package bulk

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

var testLibrary = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "客户"}, {ID: "g2", Name: "等级"}, {ID: "g3", Name: "区域"}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "客户", Name: "老客户"},
		{ID: "t2", GroupID: "g1", GroupName: "客户", Name: "已流失"},
		{ID: "t3", GroupID: "g1", GroupName: "客户", Name: "双十一"},
		{ID: "t5", GroupID: "g2", GroupName: "等级", Name: "金"},
		{ID: "t6", GroupID: "g2", GroupName: "等级", Name: "银"},
		{ID: "t9", GroupID: "g3", GroupName: "区域", Name: "华东"},
	},
}

// testRel is one relationship of the test store.
type testRel struct {
	cust, name, follower string
	created              time.Time
	state                string
	tags                 []string
}

func day(m, d int) time.Time { return time.Date(2026, time.Month(m), d, 10, 0, 0, 0, config.ChinaZone) }

var testRels = []testRel{
	{"c1", "王一", "zhangsan", day(10, 1), "展会", []string{"t1"}},
	{"c1", "王一", "lisi", day(10, 1), "", []string{"t1", "t2"}},
	{"c2", "李二", "zhangsan", day(10, 5), "", []string{"t1", "t3"}},
	{"c3", "赵三", "lisi", day(11, 15), "官网", []string{"t2"}},
	{"c4", "钱四", "lisi", day(11, 18), "展会", nil},
	{"c5", "孙五", "zhangsan", day(11, 19), "", []string{"t1", "t6"}},
}

// openStore opens a store in a temp dir holding testLibrary and testRels.
func openStore(t testing.TB) (*store.Store, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(testNow)
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutLibrary(testLibrary, "sync"); err != nil {
		t.Fatal(err)
	}
	follows := map[string][]store.FollowInfo{}
	names := map[string]string{}
	var order []string
	for _, r := range testRels {
		if _, ok := names[r.cust]; !ok {
			order = append(order, r.cust)
		}
		names[r.cust] = r.name
		follows[r.cust] = append(follows[r.cust], store.FollowInfo{Follower: r.follower, CreateTime: r.created, State: r.state})
	}
	for _, c := range order {
		if err := st.UpsertCustomer(store.Customer{ID: c, Name: names[c]}, follows[c]); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range testRels {
		if len(r.tags) == 0 {
			continue
		}
		var add []store.TagRef
		for _, id := range r.tags {
			add = append(add, store.TagRef{ID: id})
		}
		if _, err := st.Apply(store.ChangeSet{Actor: "sync", Source: store.SourceSync, Customer: r.cust, Follower: r.follower, Add: add}); err != nil {
			t.Fatal(err)
		}
	}
	return st, clk
}

// env is a router with /bulk over the test store, and what it delivered.
type env struct {
	st     *store.Store
	clk    *clocktest.Clock
	runner *jobs.Runner
	r      *commands.Router
	mu     sync.Mutex
	sent   []string // "user: text"
}

func testConfig() *config.Config {
	cfg := config.Default()
	cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr"}}
	cfg.Groups = map[string]config.GroupPolicy{"等级": {Exclusive: true}, "区域": {EditableBy: []string{"zhangsan"}}}
	return cfg
}

func newEnv(t testing.TB) *env {
	t.Helper()
	st, clk := openStore(t)
	e := &env{st: st, clk: clk}
	e.runner = &jobs.Runner{Store: st, Now: clk.Now, Chunk: 2, MaxBacklog: -1}
	b := New(Options{Store: st, Config: testConfig(), Runner: e.runner, Now: clk.Now, Deliver: newEnvDeliver(e)})
	r, err := commands.NewRouter(commands.Options{Store: st, Config: testConfig(), Now: clk.Now, Extensions: []commands.Extension{b}})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	return e
}

// newEnvDeliver records deliveries in e.sent.
func newEnvDeliver(e *env) func(context.Context, string, []commands.Reply) {
	return func(_ context.Context, user string, rs []commands.Reply) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, r := range rs {
			e.sent = append(e.sent, user+": "+r.Text)
		}
	}
}

// say sends text as user and joins the reply texts.
func (e *env) say(user, text string) string {
	var out []string
	for _, r := range e.r.HandleText(context.Background(), user, text) {
		if r.Text != "" {
			out = append(out, r.Text)
		}
	}
	return strings.Join(out, "\n")
}

// delivered returns and forgets what was delivered.
func (e *env) delivered() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.sent
	e.sent = nil
	return out
}
