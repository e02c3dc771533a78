package mirror

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// env is a fake WeCom, a real Client pointed at it and a real store.
type env struct {
	fake *wecomtest.Server
	api  *wecom.Client
	st   *store.Store
	path string
	clk  *clocktest.Clock
	log  *slog.Logger
	// lib holds the seeded tag ids by name.
	lib map[string]string
}

var envSeq atomic.Int64

// quietLogger discards logs (tests assert on state, not on log lines).
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// noLimits turns the client's rate limiter off on every path.
func noLimits() map[string]int {
	m := map[string]int{}
	for k := range wecom.DefaultRateLimits {
		m[k] = -1
	}
	return m
}

// newEnv starts an empty fake WeCom (each with its own secret, as gettoken
// is routed by corpid+secret) and opens a store in a temp dir.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	secret := fmt.Sprintf("secret-%d", envSeq.Add(1))
	fake := wecomtest.New(wecomtest.Options{Secret: secret})
	tb.Cleanup(fake.Close)
	o := fake.Options()
	log := quietLogger()
	api, err := wecom.New(wecom.Config{
		CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL(),
		RateLimits: noLimits(), HTTPTimeout: 5 * time.Second, Logger: log,
		// a 45009 injected by a test pauses mark_tag for a moment only
		Limits: wecom.LimitOptions{RatePause: time.Millisecond, MaxRatePause: 4 * time.Millisecond},
	})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{fake: fake, api: api, path: filepath.Join(tb.TempDir(), "tagbot.db"), clk: clocktest.New(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), log: log, lib: map[string]string{}}
	e.open(tb)
	return e
}

// open (re)opens the store file.
func (e *env) open(tb testing.TB) {
	tb.Helper()
	st, err := store.Open(e.path, store.Options{Now: e.clk.Now, Logger: e.log})
	if err != nil {
		tb.Fatal(err)
	}
	e.st = st
	tb.Cleanup(func() { st.Close() })
}

// reopen closes and reopens the store, as after a restart.
func (e *env) reopen(tb testing.TB) {
	tb.Helper()
	if err := e.st.Close(); err != nil {
		tb.Fatal(err)
	}
	e.open(tb)
}

// seedSmall creates two tag groups and two customers on the fake: c1
// (王小明) followed by zhangsan and lisi, c2 (赵敏) followed by zhangsan.
func (e *env) seedSmall(tb testing.TB) {
	tb.Helper()
	for _, g := range []wecomtest.GroupInfo{
		e.fake.AddTagGroup("客户等级", "VIP", "普通"),
		e.fake.AddTagGroup("意向程度", "高意向", "低意向"),
	} {
		for _, t := range g.Tags {
			e.lib[t.Name] = t.ID
		}
	}
	e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c1", Name: "王小明", CorpName: "小明科技", Follows: []wecomtest.Follow{
		{UserID: "zhangsan", Remark: "王总", Mobiles: []string{"13800000001"}, CreateTime: 1700000000},
		{UserID: "lisi", CreateTime: 1700000100},
	}})
	e.fake.AddCustomer(wecomtest.Customer{ExternalUserID: "c2", Name: "赵敏", Follows: []wecomtest.Follow{{UserID: "zhangsan"}}})
}

// syncer returns a Syncer on the env.
func (e *env) syncer() *Syncer {
	return NewSyncer(e.st, e.api, SyncOptions{Now: e.clk.Now, Logger: e.log})
}

// fullSync runs a FullSync and fails the test on error.
func (e *env) fullSync(tb testing.TB) SyncReport {
	tb.Helper()
	rep, err := e.syncer().FullSync(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return rep
}

// ids maps tag names to the seeded ids.
func (e *env) ids(names ...string) []store.TagRef {
	out := make([]store.TagRef, len(names))
	for i, n := range names {
		out[i] = store.TagRef{ID: e.lib[n]}
	}
	return out
}

// apply records a command change-set by actor on customer/follower.
func (e *env) apply(tb testing.TB, actor, customer, follower string, add, remove []string) store.ChangeSet {
	tb.Helper()
	cs, err := e.st.Apply(store.ChangeSet{
		Actor: actor, Source: store.SourceCommand, Customer: customer, Follower: follower,
		Add: e.ids(add...), Remove: e.ids(remove...),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}

// okMarkTags returns the mark_tag calls WeCom accepted.
func okMarkTags(fake *wecomtest.Server) []wecomtest.Call {
	var out []wecomtest.Call
	for _, c := range fake.CallsTo("externalcontact/mark_tag") {
		if c.Status == 200 && c.ErrCode == 0 {
			out = append(out, c)
		}
	}
	return out
}

// notes records Notifier calls.
type notes struct {
	mu   sync.Mutex
	list [][2]string
}

func (n *notes) notify(_ context.Context, user, text string) {
	n.mu.Lock()
	n.list = append(n.list, [2]string{user, text})
	n.mu.Unlock()
}

func (n *notes) all() [][2]string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([][2]string(nil), n.list...)
}

// worker returns a fast worker: injected clock, no backoff wait, one
// relationship at a time unless opts say otherwise.
func (e *env) worker(opts WorkerOptions) *Worker {
	if opts.Now == nil {
		opts.Now = e.clk.Now
	}
	if opts.Backoff == nil {
		opts.Backoff = func(int) time.Duration { return 0 }
	}
	if opts.Logger == nil {
		opts.Logger = e.log
	}
	if opts.Parallel == 0 {
		opts.Parallel = 1
	}
	return NewWorker(e.st, e.api, opts)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// told is everything people were told: Notify calls, then the notices
// queued in the store with a failure.
func (e *env) told(t *testing.T, n *notes) [][2]string {
	t.Helper()
	out := n.all()
	q, err := e.st.RepliesPending(0)
	must(t, err)
	for _, r := range q {
		out = append(out, [2]string{r.User, r.Text})
	}
	return out
}

// csView is what a test compares of a change-set: who made it, where, and
// which tag ids it added and removed (sorted), without ids, times and tag
// names. Batch is kept as its kind only ("sync-…" → "sync-").
type csView struct {
	Source      store.Source
	Actor       string
	Customer    string
	Follower    string
	Add, Remove []string
	BatchKind   string
}

// viewCS is cs as a csView; nil Add/Remove become empty, so a want of
// []string{} and a change-set without removals compare equal.
func viewCS(cs store.ChangeSet) csView {
	kind, _, _ := strings.Cut(cs.Batch, "-")
	if kind != "" {
		kind += "-"
	}
	return csView{Source: cs.Source, Actor: cs.Actor, Customer: cs.Customer, Follower: cs.Follower,
		Add: refIDs(cs.Add), Remove: refIDs(cs.Remove), BatchKind: kind}
}

// viewCSs is viewCS of each.
func viewCSs(css []store.ChangeSet) []csView {
	out := make([]csView, len(css))
	for i, cs := range css {
		out[i] = viewCS(cs)
	}
	return out
}

// obView is what a test compares of an outbox entry.
type obView struct {
	Status      store.OutboxStatus
	ErrCode     int
	Attempts    int
	Compensated bool // a compensating change-set was recorded
}

// viewOB is e as an obView.
func viewOB(e store.OutboxEntry) obView {
	return obView{Status: e.Status, ErrCode: e.ErrCode, Attempts: e.Attempts, Compensated: e.Compensated != 0}
}
