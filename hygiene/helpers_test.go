package hygiene

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/bulk"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// env is a fake WeCom, the real client, syncer, outbox worker, store, job
// runner and router with the hygiene and /bulk extensions.
type env struct {
	t      testing.TB
	fake   *wecomtest.Server
	st     *store.Store
	clk    *clocktest.Clock
	r      *commands.Router
	runner *jobs.Runner
	worker *mirror.Worker
	lib    map[string]string // tag name → id, as seeded

	mu        sync.Mutex
	delivered map[string][]string // user → texts sent by job summaries
}

// quiet discards logs.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newEnv seeds the fake: groups 地区 (exclusive: 北上广客户, 华南), 客群
// (北京上海广州用户), 意向程度 (exclusive: 高意向, 低意向), 客户等级 (VIP,
// 普通), 渠道 (展会, admins only); customers c1 王小明 (zhangsan, lisi), c2 赵敏, c3 钱多多 and c4
// 孙悟空 (zhangsan). boss is admin, mgr manager.
func newEnv(t testing.TB) *env { t.Helper(); return newEnvCfg(t, nil) }

// newEnvCfg is newEnv with edit applied to the configuration first (nil:
// none); the store gets the group limits as app gives them.
func newEnvCfg(t testing.TB, edit func(*config.Config)) *env {
	t.Helper()
	return newEnvWith(t, edit)
}

// newEnvWith is newEnv with edit applied to the config (nil: none).
func newEnvWith(t testing.TB, edit func(*config.Config)) *env {
	t.Helper()
	fake := wecomtest.New(wecomtest.Options{Secret: "s-" + t.Name()})
	t.Cleanup(fake.Close)
	o := fake.Options()
	limits := map[string]int{}
	for k := range wecom.DefaultRateLimits {
		limits[k] = -1
	}
	api, err := wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL(),
		RateLimits: limits, HTTPTimeout: 5 * time.Second, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(time.Date(2026, 12, 2, 10, 0, 0, 0, config.ChinaZone))
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, fake: fake, st: st, clk: clk, lib: map[string]string{}, delivered: map[string][]string{}}
	for _, g := range []wecomtest.GroupInfo{
		fake.AddTagGroup("地区", "北上广客户", "华南"),
		fake.AddTagGroup("客群", "北京上海广州用户"),
		fake.AddTagGroup("意向程度", "高意向", "低意向"),
		fake.AddTagGroup("客户等级", "VIP", "普通"),
		fake.AddTagGroup("渠道", "展会"),
	} {
		for _, tg := range g.Tags {
			e.lib[tg.Name] = tg.ID
		}
	}
	for _, c := range []wecomtest.Customer{
		{ExternalUserID: "c1", Name: "王小明", Follows: []wecomtest.Follow{{UserID: "zhangsan"}, {UserID: "lisi"}}},
		{ExternalUserID: "c2", Name: "赵敏", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}},
		{ExternalUserID: "c3", Name: "钱多多", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}},
		{ExternalUserID: "c4", Name: "孙悟空", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}},
	} {
		fake.AddCustomer(c)
	}
	syncer := mirror.NewSyncer(st, api, mirror.SyncOptions{Now: clk.Now, Logger: quiet()})
	e.worker = mirror.NewWorker(st, api, mirror.WorkerOptions{Now: clk.Now, Logger: quiet()})
	e.runner = &jobs.Runner{Store: st, Now: clk.Now, Logger: quiet(), MaxBacklog: -1}
	cfg := config.Default()
	cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr"}}
	cfg.Groups = map[string]config.GroupPolicy{"地区": {Exclusive: true}, "意向程度": {Exclusive: true}, "渠道": {EditableBy: []string{"admins"}}}
	if edit != nil {
		edit(cfg)
	}
	gl := map[string]store.GroupLimit{}
	for name, g := range cfg.Groups {
		gl[name] = store.GroupLimit{Max: g.Max, Exclusive: g.Exclusive}
	}
	st.SetGroupLimits(gl)
	h := New(Options{Store: st, Jobs: e.runner, Synonyms: cfg.TagSynonyms, Tags: syncer, Logger: quiet(), MarkTagPerMinute: 600,
		Deliver: func(_ context.Context, user string, replies []commands.Reply) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.delivered[user] = append(e.delivered[user], joinReplies(replies))
		}})
	b := bulk.New(bulk.Options{Store: st, Config: cfg, Runner: e.runner, Now: clk.Now, Logger: quiet()})
	e.r, err = commands.NewRouter(commands.Options{Store: st, Config: cfg, Tags: syncer, Now: clk.Now, Logger: quiet(),
		Extensions: []commands.Extension{b, h}, MassUndo: h})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := syncer.FullSync(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// say sends one message as user and returns the replies' text.
func (e *env) say(user, text string) string {
	return joinReplies(e.r.HandleText(context.Background(), user, text))
}

// settle runs the jobs to the end, then the outbox, as serve would.
func (e *env) settle() {
	e.t.Helper()
	ctx := context.Background()
	if err := e.runner.Drain(ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.worker.Drain(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// lastDelivered is the last job summary sent to user.
func (e *env) lastDelivered(user string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.delivered[user]
	if len(d) == 0 {
		return ""
	}
	return d[len(d)-1]
}

// apply writes a change-set as actor on a relationship (tags by name).
func (e *env) apply(actor string, src store.Source, customer, follower string, add, remove []string) store.ChangeSet {
	e.t.Helper()
	refs := func(names []string) []store.TagRef {
		var out []store.TagRef
		for _, n := range names {
			out = append(out, store.TagRef{ID: e.lib[n]})
		}
		return out
	}
	cs, err := e.st.Apply(store.ChangeSet{Actor: actor, Source: src, Customer: customer, Follower: follower, Add: refs(add), Remove: refs(remove)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.clk.Advance(time.Minute)
	return cs
}

// tagNames lists a relationship's tags by name, sorted, from the store.
func (e *env) tagNames(customer, follower string) []string {
	e.t.Helper()
	rel, err := e.st.Relationship(customer, follower)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for id := range rel.Tags {
		tg, err := e.st.Tag(id)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, tg.Name)
	}
	slices.Sort(out)
	return out
}

// wecomTagNames lists a relationship's tags by name on the fake WeCom.
func (e *env) wecomTagNames(customer, follower string) []string {
	names := map[string]string{}
	for _, g := range e.fake.TagGroups() {
		for _, tg := range g.Tags {
			names[tg.ID] = tg.Name
		}
	}
	var out []string
	for _, id := range e.fake.CustomerTags(customer, follower) {
		out = append(out, names[id])
	}
	slices.Sort(out)
	return out
}

// joinReplies joins the replies' texts (cards by their title and lines).
func joinReplies(rs []commands.Reply) string {
	var parts []string
	for _, r := range rs {
		if r.Text != "" {
			parts = append(parts, r.Text)
		}
	}
	return strings.Join(parts, "\n")
}
