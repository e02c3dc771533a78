package suggestion

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/intake"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/store"
)

// hostile is a customer name built to break a card: a right-to-left
// override, a line break and a zero-width space.
const hostile = "坏\u202e人\n第二行\u200b"

// outbox records what the Service sends each member (the stand-in for
// bot.Sender, whose WeCom side the app's end-to-end test covers).
type outbox struct {
	mu   sync.Mutex
	sent map[string][]commands.Reply
}

func (o *outbox) Send(_ context.Context, user string, replies []commands.Reply) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[user] = append(o.sent[user], replies...)
}

// cards returns the cards sent to user so far.
func (o *outbox) cards(user string) []commands.Card {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []commands.Card
	for _, r := range o.sent[user] {
		if r.Card != nil {
			out = append(out, *r.Card)
		}
	}
	return out
}

// texts returns the texts sent to user so far.
func (o *outbox) texts(user string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, r := range o.sent[user] {
		if r.Text != "" {
			out = append(out, r.Text)
		}
	}
	return out
}

// updates records card updates (the stand-in for bot.Sender.UpdateCard).
type updates struct {
	mu  sync.Mutex
	got []string // "user code text"
}

func (u *updates) UpdateCard(_ context.Context, user, code, text string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.got = append(u.got, user+" "+code+" "+text)
}

// quiet discards the logs of tests.
var quiet = slog.New(slog.DiscardHandler)

type rules []classify.RuleInfo

func (r rules) Rules() []classify.RuleInfo { return r }

type env struct {
	t     *testing.T
	st    *store.Store
	clk   *clocktest.Clock
	out   *outbox
	upd   *updates
	svc   *Service
	r     *commands.Router
	kicks int
}

var lib = store.Library{
	Groups: []store.Group{{ID: "g1", Name: "消费特征"}, {ID: "g2", Name: "意向"}, {ID: "g3", Name: "等级"}},
	Tags: []store.Tag{
		{ID: "t1", GroupID: "g1", GroupName: "消费特征", Name: "价格敏感型"},
		{ID: "t2", GroupID: "g2", GroupName: "意向", Name: "高意向"},
		{ID: "t3", GroupID: "g1", GroupName: "消费特征", Name: "观望型"},
		{ID: "t4", GroupID: "g2", GroupName: "意向", Name: "低意向"},
		{ID: "t5", GroupID: "g3", GroupName: "等级", Name: "VIP"},
	},
}

// newEnv opens a real store with the library and customers: c1 王小明
// (zhangsan, lisi), c2 with a hostile name (zhangsan), c3 赵敏 (lisi).
func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(filepath.Join(t.TempDir(), "tagbot.db"), store.Options{Now: clk.Now, Sync: "never"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, name string
		f        []string
	}{{"c1", "王小明", []string{"zhangsan", "lisi"}}, {"c2", hostile, []string{"zhangsan"}}, {"c3", "赵敏", []string{"lisi"}}} {
		var fs []store.FollowInfo
		for _, f := range c.f {
			fs = append(fs, store.FollowInfo{Follower: f})
		}
		if err := st.UpsertCustomer(store.Customer{ID: c.id, Name: c.name}, fs); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, st: st, clk: clk, out: &outbox{sent: map[string][]commands.Reply{}}, upd: &updates{}}
	e.svc, err = New(Options{Store: st, Replier: e.out, Updater: e.upd, Kick: func() { e.kicks++ }, Now: clk.Now, Submitter: intake.NewQueue(st, intake.QueueOptions{Now: clk.Now}), Logger: quiet,
		Rules: rules{{Name: "价格咨询", Tags: []string{"价格敏感型"}}, {Name: "犹豫", Tags: []string{"观望型"}}}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Roles = config.Roles{Admins: []string{"boss"}, Managers: []string{"mgr"}}
	cfg.Groups = map[string]config.GroupPolicy{"意向": {Exclusive: true}, "等级": {Protected: []string{"VIP"}}}
	e.r, err = commands.NewRouter(commands.Options{Store: st, Config: cfg, Now: clk.Now, Suggestions: e.svc, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetPolicy(e.r.SuggestionPolicy)
	e.svc.SetWriteLock(e.r.LockWrites)
	return e
}

// offer offers one rule match of a message from customer to follower.
func (e *env) offer(ref, customer, follower, rule string, mode classify.Mode, tags ...string) {
	e.t.Helper()
	err := e.svc.Offer(context.Background(), classify.Offer{
		Ref: ref, Follower: follower,
		Input: classify.Input{Message: &classify.Message{Customer: customer, Employee: follower, From: classify.FromCustomer,
			Text: "这个多少钱？", Time: e.clk.Now()}},
		Matches: []classify.Match{{Source: classify.SourceRule, Rule: rule, Tags: tags, Mode: mode, Score: 1,
			Evidence: classify.Evidence{Words: []string{"多少钱"}, Snippet: "这个多少钱？"}}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// say sends a command as user and returns the reply texts joined.
func (e *env) say(user, text string) string {
	var out []string
	for _, r := range e.r.HandleText(context.Background(), user, text) {
		out = append(out, r.Text)
	}
	return strings.Join(out, "\n")
}

// click clicks a card's button as user (with the ticked choices of a
// checkbox card); it returns the texts and the ButtonDone.
func (e *env) click(user string, c commands.Card, key string, selected ...string) (string, string) {
	var texts []string
	done := ""
	ev := commands.CardEvent{TaskID: c.TaskID, EventKey: key, ResponseCode: "rc", Selected: selected}
	for _, r := range e.r.HandleCard(context.Background(), user, ev) {
		if r.Text != "" {
			texts = append(texts, r.Text)
		}
		if r.ButtonDone != "" {
			done = r.ButtonDone
		}
	}
	return strings.Join(texts, "\n"), done
}

// relTags is the relationship's tag ids.
func (e *env) relTags(customer, follower string) []string {
	e.t.Helper()
	rel, err := e.st.Relationship(customer, follower)
	if err != nil {
		e.t.Fatal(err)
	}
	return rel.TagIDs()
}
