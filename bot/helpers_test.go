package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// testHandler is a simple Handler: it echoes texts, panics on "panic" and
// answers card clicks; it records what it saw, per user in order.
type testHandler struct {
	mu    sync.Mutex
	texts map[string][]string
	cards []commands.CardEvent
	// onStart, when set before the loop runs, is called first by every
	// HandleText (it may block, holding up that worker).
	onStart  func(userID, text string)
	deadline time.Time // the deadline of the last HandleText ctx (zero: none)
}

func (h *testHandler) HandleText(ctx context.Context, userID, text string) []commands.Reply {
	if h.onStart != nil {
		h.onStart(userID, text)
	}
	if text == "panic" {
		panic("test handler asked to panic")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.texts == nil {
		h.texts = map[string][]string{}
	}
	h.texts[userID] = append(h.texts[userID], text)
	h.deadline, _ = ctx.Deadline()
	return []commands.Reply{{Text: "echo: " + text}}
}

func (h *testHandler) HandleCard(ctx context.Context, userID string, ev commands.CardEvent) []commands.Reply {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cards = append(h.cards, ev)
	return []commands.Reply{{Text: "clicked " + ev.EventKey}, {ButtonDone: "已处理"}}
}

func (h *testHandler) seen(user string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.texts[user]...)
}

func (h *testHandler) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, v := range h.texts {
		n += len(v)
	}
	return n
}

// refreshCall is one recorded Refresher call.
type refreshCall struct{ kind, external, follower, change string }

// testRefresher records calls; failures makes the next calls fail with err.
type testRefresher struct {
	mu       sync.Mutex
	calls    []refreshCall
	failures int
	err      error
}

func (r *testRefresher) fail() error {
	if r.failures > 0 {
		r.failures--
		return r.err
	}
	return nil
}

func (r *testRefresher) RefreshCustomer(ctx context.Context, ext, follower, change string) ([]store.ChangeSet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, refreshCall{"customer", ext, follower, change})
	return nil, r.fail()
}

func (r *testRefresher) RefreshLibrary(ctx context.Context) ([]store.Tag, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, refreshCall{kind: "library"})
	return nil, r.fail()
}

func (r *testRefresher) recorded() []refreshCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]refreshCall(nil), r.calls...)
}

var envSeq atomic.Int64

// env is a fake WeCom, a store in a temp dir, the real callback server on
// httptest, a Sender and a Loop.
type env struct {
	fake      *wecomtest.Server
	crypto    *wxcrypt.Crypto
	api       *wecom.Client
	clk       *clocktest.Clock
	path      string
	st        *store.Store
	srv       *Server
	http      *httptest.Server
	url       string
	handler   *testHandler
	refresher *testRefresher
	sender    *Sender
	loop      *Loop
	logs      *logtest.Buffer
	log       *slog.Logger
}

// newEnv builds an env; members alice and bob exist on the fake.
func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{clk: clocktest.New(time.Date(2025, 3, 14, 9, 0, 0, 0, config.ChinaZone)), handler: &testHandler{}, refresher: &testRefresher{}, logs: &logtest.Buffer{}}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.fake = wecomtest.New(wecomtest.Options{Secret: fmt.Sprintf("bot-secret-%d", envSeq.Add(1)), Now: e.clk.Now})
	t.Cleanup(e.fake.Close)
	e.fake.AddUser("alice", "Alice")
	e.fake.AddUser("bob", "Bob")
	o := e.fake.Options()
	var err error
	if e.crypto, err = wxcrypt.New(o.Token, o.EncodingAESKey, o.CorpID); err != nil {
		t.Fatal(err)
	}
	e.api, err = wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID,
		APIBase: e.fake.URL(), HTTPTimeout: 5 * time.Second, Logger: e.log,
		RateLimits: map[string]int{"message/send": -1}}) // the Sender under test does the per-member limiting
	if err != nil {
		t.Fatal(err)
	}
	e.path = filepath.Join(t.TempDir(), "tagbot.db")
	e.open(t)
	return e
}

// open (re)opens the store and builds the sender, server and loop on it.
func (e *env) open(t testing.TB) {
	t.Helper()
	st, err := store.Open(e.path, store.Options{Now: e.clk.Now, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	e.sender = NewSender(SenderOptions{API: e.api, Store: st, Now: e.clk.Now, Logger: e.log})
	e.loop = NewLoop(LoopOptions{Store: st, Handler: e.handler, Refresher: e.refresher, Sender: e.sender,
		Now: e.clk.Now, Logger: e.log, Poll: 20 * time.Millisecond})
	e.srv = NewServer(ServerOptions{Crypto: e.crypto, Store: st, Path: "/wecom/callback",
		TimestampWindow: 5 * time.Minute, MaxBodyBytes: 16 << 10, Wake: e.loop.Wake, Now: e.clk.Now, Logger: e.log})
	e.http = httptest.NewServer(e.srv)
	t.Cleanup(e.http.Close)
	e.url = e.http.URL + "/wecom/callback"
}

// restart closes the HTTP server and the store, then reopens both; the
// sender, loop and server are new, as after a process restart.
func (e *env) restart(t testing.TB) {
	t.Helper()
	e.http.Close()
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	e.open(t)
}

// deliver posts an encrypted callback and fails unless it answers 200 with an empty body.
func (e *env) deliver(t testing.TB, inner []byte) {
	t.Helper()
	resp, err := e.fake.Deliver(context.Background(), e.url, inner)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Fatalf("deliver: %d %q, want 200 and an empty body", resp.StatusCode, body)
	}
}

// pending is the number of inbox messages not yet processed.
func (e *env) pending(t testing.TB) int {
	t.Helper()
	p, err := e.st.InboxPending(0)
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

// drain runs the loop over everything pending.
func (e *env) drain(t testing.TB) {
	t.Helper()
	if err := e.loop.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// texts returns the text of every message sent to user, in order.
func (e *env) texts(user string) []string {
	var out []string
	for _, m := range e.fake.Messages() {
		if m.ToUser == user {
			out = append(out, m.Text)
		}
	}
	return out
}

// waitFor polls cond for up to 5 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// event builds the inner XML of an event from user.
func (e *env) event(user string, fields ...string) []byte {
	m := map[string]string{}
	for i := 0; i+1 < len(fields); i += 2 {
		m[fields[i]] = fields[i+1]
	}
	return e.fake.CallbackEvent(user, m)
}

// joinAll joins texts the way the sender coalesces them.
func joinAll(texts []string) string { return strings.Join(texts, replySeparator) }

// The real implementations fit the seams (checked at compile time).
var (
	_ Handler         = (*commands.Router)(nil)
	_ Refresher       = (*mirror.Syncer)(nil)
	_ Replier         = (*Sender)(nil)
	_ mirror.Notifier = (*Sender)(nil).Notify
)
