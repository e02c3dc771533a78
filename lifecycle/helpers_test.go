package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

var cst = config.ChinaZone

// t0 is the tests' start: 2026-06-01 10:00 China time.
var t0 = time.Date(2026, 6, 1, 10, 0, 0, 0, cst)

// testYAML is a config with the three lifecycle examples.
const testYAML = `
groups:
  会员状态: {exclusive: true}
lifecycle:
  - name: 沉睡会员
    at: "09:00"
    when: days_since(customer.last_message) > 180 and has_tag("活跃会员")
    add: [待激活客户]
    remove: [活跃会员]
  - name: 童装尺码过期
    every: 1h
    when: days_since(tag_added("童装尺码档案")) > 90 and count_events("order", "90d") == 0
    remove: [童装尺码档案]
  - name: 咖啡因依赖
    every: 1d
    when: count("咖啡", "30d") >= 8
    add: [咖啡因依赖症]
`

var testLibrary = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "会员状态"}, {ID: "g2", Name: "档案"}, {ID: "g3", Name: "偏好"}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "会员状态", Name: "活跃会员"},
		{ID: "t2", GroupID: "g1", GroupName: "会员状态", Name: "待激活客户"},
		{ID: "t3", GroupID: "g1", GroupName: "会员状态", Name: "怀旧型用户"},
		{ID: "t4", GroupID: "g2", GroupName: "档案", Name: "童装尺码档案"},
		{ID: "t5", GroupID: "g3", GroupName: "偏好", Name: "咖啡续命族"},
		{ID: "t6", GroupID: "g3", GroupName: "偏好", Name: "咖啡因依赖症"},
	},
}

// env is a seeded store on a settable clock with a lifecycle Service.
type env struct {
	t    testing.TB
	path string
	clk  *clocktest.Clock
	st   *store.Store
	cfg  *config.Config
	jobs *jobs.Runner
	svc  *Service
}

// newEnv opens an empty store (the tag library only) at t0 and loads yaml.
func newEnv(t testing.TB, yaml string) *env {
	t.Helper()
	e := &env{t: t, path: filepath.Join(t.TempDir(), "tagbot.db"), clk: clocktest.New(t0)}
	e.open()
	if _, err := e.st.PutLibrary(testLibrary, "sync"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(yaml), "config.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	e.load()
	return e
}

// open (re)opens the store and builds the runner and service on it.
func (e *env) open() {
	st, err := store.Open(e.path, store.Options{Now: e.clk.Now, Sync: "never"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st = st
	e.t.Cleanup(func() { st.Close() })
	quiet := slog.New(slog.DiscardHandler)
	e.jobs = &jobs.Runner{Store: st, Now: e.clk.Now, Logger: quiet}
	e.svc = New(Options{Store: st, Jobs: e.jobs, Now: e.clk.Now, Logger: quiet})
}

// load loads the config's rules into the service.
func (e *env) load() {
	e.t.Helper()
	if err := e.svc.Load(e.cfg, "config.yaml"); err != nil {
		e.t.Fatal(err)
	}
}

// reopen closes and opens the store again, like a restart.
func (e *env) reopen() {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
	e.load()
}

// customer adds a customer followed by zhangsan, added at added.
func (e *env) customer(id, name string, added time.Time) {
	e.t.Helper()
	if err := e.st.UpsertCustomer(store.Customer{ID: id, Name: name}, []store.FollowInfo{{Follower: "zhangsan", CreateTime: added}}); err != nil {
		e.t.Fatal(err)
	}
}

// tag puts tags (by id) on the customer's relationship with zhangsan now.
func (e *env) tag(customer string, ids ...string) {
	e.t.Helper()
	cs := store.ChangeSet{Actor: "zhangsan", Source: store.SourceSync, Customer: customer, Follower: "zhangsan"}
	for _, id := range ids {
		cs.Add = append(cs.Add, store.TagRef{ID: id})
	}
	if _, err := e.st.Apply(cs); err != nil {
		e.t.Fatal(err)
	}
}

// message stores a customer message at time at; event an event of typ.
func (e *env) message(customer, text string, at time.Time) {
	e.t.Helper()
	e.activity(store.Activity{Kind: store.ActivityMessage, Source: store.ActivityAPI, Customer: customer, From: "customer", Text: text, Time: at})
}

func (e *env) event(customer, typ string, at time.Time) {
	e.t.Helper()
	e.activity(store.Activity{Kind: store.ActivityEvent, Source: store.ActivityAPI, Customer: customer, Type: typ, Time: at})
}

func (e *env) activity(a store.Activity) {
	e.t.Helper()
	if _, _, err := e.st.PutActivities(store.ActivityBatch{Items: []store.Activity{a}, Retention: 400 * 24 * time.Hour}); err != nil {
		e.t.Fatal(err)
	}
}

// drain applies every runnable job.
func (e *env) drain() {
	e.t.Helper()
	if err := e.jobs.Drain(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// planLines renders changes as "customer/follower +A -B (rule)", sorted.
func planLines(cs []Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s/%s %s (%s)", c.Customer, c.Follower, tagsOf(c.Add, c.Remove), c.Rule)
	}
	slices.Sort(out)
	return out
}

// batchLines renders the change-sets of a batch the same way.
func (e *env) batchLines(batch string) []string {
	e.t.Helper()
	css, err := e.st.History(store.Query{Batch: batch, Limit: 100000})
	if err != nil {
		e.t.Fatal(err)
	}
	out := make([]string, len(css))
	for i, cs := range css {
		var add, rm []store.Tag
		for _, r := range cs.Add {
			add = append(add, store.Tag{Name: r.Name})
		}
		for _, r := range cs.Remove {
			rm = append(rm, store.Tag{Name: r.Name})
		}
		rule := strings.TrimSuffix(strings.TrimPrefix(cs.Reason, "生命周期规则「"), "」")
		out[i] = fmt.Sprintf("%s/%s %s (%s)", cs.Customer, cs.Follower, tagChange(names(add), names(rm)), rule)
	}
	slices.Sort(out)
	return out
}

func names(ts []store.Tag) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}
