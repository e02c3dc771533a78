package wecom

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// env is a Client wired to its own fake WeCom.
type env struct {
	c    *Client
	s    *wecomtest.Server
	logs *logtest.Buffer
}

// newEnv starts a fake with a secret unique to the test (gettoken is routed
// by corpid+secret) and a Client pointed at it. mut may adjust the Config.
func newEnv(t *testing.T, opts wecomtest.Options, mut func(*Config)) env {
	t.Helper()
	if opts.Secret == "" {
		opts.Secret = "secret-" + t.Name()
	}
	s := wecomtest.New(opts)
	t.Cleanup(s.Close)
	o := s.Options()
	logs := &logtest.Buffer{}
	cfg := Config{
		CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: s.URL(),
		HTTPTimeout: 5 * time.Second,
		Logger:      slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mut != nil {
		mut(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { assertNoSecrets(t, logs.String(), o.Secret, s) })
	return env{c: c, s: s, logs: logs}
}

// assertNoSecrets fails if the logs contain the secret or any token the fake saw.
func assertNoSecrets(t *testing.T, logs, secret string, s *wecomtest.Server) {
	t.Helper()
	if strings.Contains(logs, secret) {
		t.Errorf("logs contain the secret")
	}
	for _, call := range s.Calls() {
		if tok := call.Query.Get("access_token"); tok != "" && strings.Contains(logs, tok) {
			t.Errorf("logs contain an access token")
		}
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ok default base", Config{CorpID: "c", Secret: "s-new-1"}, true},
		{"ok custom base", Config{CorpID: "c", Secret: "s-new-2", APIBase: "http://127.0.0.1:1/"}, true},
		{"no corp", Config{Secret: "s"}, false},
		{"no secret", Config{CorpID: "c"}, false},
		{"bad scheme", Config{CorpID: "c", Secret: "s", APIBase: "ftp://x"}, false},
		{"no host", Config{CorpID: "c", Secret: "s", APIBase: "http://"}, false},
		{"negative agent", Config{CorpID: "c", Secret: "s", AgentID: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if (err == nil) != tt.ok {
				t.Fatalf("New(%+v) err = %v", tt.cfg, err)
			}
			if err == nil && strings.HasSuffix(c.base, "/") {
				t.Errorf("base %q keeps a trailing slash", c.base)
			}
		})
	}
}

func TestTokenRefreshAndRetry(t *testing.T) {
	tests := []struct {
		name   string
		poison func(*wecomtest.Server)
		code   int
	}{
		{"invalid token 40014", (*wecomtest.Server).InvalidateTokens, errcode.InvalidToken},
		{"expired token 42001", (*wecomtest.Server).ExpireTokens, errcode.TokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, wecomtest.Options{}, nil)
			e.s.AddUser("alice", "Alice")
			ctx := context.Background()
			if _, err := e.c.GetUser(ctx, "alice"); err != nil {
				t.Fatal(err)
			}
			tt.poison(e.s)
			u, err := e.c.GetUser(ctx, "alice")
			if err != nil || u.Name != "Alice" {
				t.Fatalf("GetUser after %s = %+v, %v", tt.name, u, err)
			}
			if n := len(e.s.CallsTo("gettoken")); n != 2 {
				t.Errorf("gettoken calls = %d, want 2", n)
			}
			calls := e.s.CallsTo("user/get")
			var codes []int
			for _, c := range calls {
				codes = append(codes, c.ErrCode)
			}
			if diff := cmp.Diff([]int{errcode.OK, tt.code, errcode.OK}, codes); diff != "" {
				t.Fatalf("user/get errcodes (-want +got):\n%s", diff)
			}
			if calls[1].Query.Get("access_token") == calls[2].Query.Get("access_token") {
				t.Error("retry reused the rejected token")
			}
			// The fresh token is cached: no further gettoken.
			if _, err := e.c.GetUser(ctx, "alice"); err != nil {
				t.Fatal(err)
			}
			if n := len(e.s.CallsTo("gettoken")); n != 2 {
				t.Errorf("gettoken calls after a third call = %d, want 2", n)
			}
		})
	}
}

func TestTokenRetryHappensOnlyOnce(t *testing.T) {
	for _, code := range []int{errcode.InvalidToken, errcode.TokenExpired} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t, wecomtest.Options{}, nil)
			e.s.Fault("externalcontact/mark_tag", wecomtest.Fault{ErrCode: code})
			err := e.c.MarkTag(context.Background(), "u", "ext", []string{"t"}, nil)
			if Code(err) != code {
				t.Fatalf("err = %v, want errcode %d", err, code)
			}
			if n := len(e.s.CallsTo("externalcontact/mark_tag")); n != 2 {
				t.Errorf("mark_tag calls = %d, want exactly 2 (one retry)", n)
			}
			if n := len(e.s.CallsTo("gettoken")); n != 2 {
				t.Errorf("gettoken calls = %d, want 2", n)
			}
		})
	}
}

func TestOtherErrorsAreNotRetried(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	e.s.Fault("externalcontact/mark_tag", wecomtest.Fault{ErrCode: errcode.RateLimited, Times: 1})
	err := e.c.MarkTag(context.Background(), "u", "ext", []string{"t"}, nil)
	if Code(err) != errcode.RateLimited || !IsTransient(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(e.s.CallsTo("externalcontact/mark_tag")); n != 1 {
		t.Errorf("mark_tag calls = %d, want 1", n)
	}
}

func TestGetTokenFailure(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, func(c *Config) { c.Secret += "-wrong" })
	_, err := e.c.GetFollowUserList(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if diff := cmp.Diff(&APIError{API: "gettoken", Code: errcode.InvalidSecret, Msg: ae.Msg}, ae); diff != "" {
		t.Fatalf("APIError (-want +got):\n%s", diff)
	}
	if IsTransient(err) {
		t.Fatal("a wrong secret is reported transient")
	}
	if n := len(e.s.CallsTo("externalcontact/get_follow_user_list")); n != 0 {
		t.Errorf("API called without a token: %d", n)
	}
}

// TestTwoClientsConcurrently runs two Clients with different secrets against
// two fakes in parallel: every call must reach its own fake and the token
// caches must be independent.
func TestTwoClientsConcurrently(t *testing.T) {
	unlimited := func(c *Config) {
		c.RateLimits = map[string]int{"externalcontact/get": -1, "externalcontact/get_follow_user_list": -1}
	}
	a := newEnv(t, wecomtest.Options{CorpID: "corpA", Secret: "secret-A-" + t.Name()}, unlimited)
	b := newEnv(t, wecomtest.Options{CorpID: "corpB", Secret: "secret-B-" + t.Name()}, unlimited)
	for _, e := range []env{a, b} {
		g := e.s.AddTagGroup("客户等级", "VIP")
		e.s.AddCustomer(wecomtest.Customer{ExternalUserID: "ext1", Name: "张三",
			Follows: []wecomtest.Follow{{UserID: "sales"}}})
		if err := e.c.MarkTag(context.Background(), "sales", "ext1", []string{g.Tags[0].ID}, nil); err != nil {
			t.Fatal(err)
		}
	}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := 0; i < n; i++ {
		for _, e := range []env{a, b} {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := e.c.GetExternalContact(context.Background(), "ext1"); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				if _, err := e.c.GetFollowUserList(context.Background()); err != nil {
					errs <- err
				}
			}()
		}
		if i == n/2 {
			a.s.InvalidateTokens() // only A's cache must be refreshed
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	tokA := a.s.CallsTo("gettoken")
	if len(tokA) != 2 {
		t.Errorf("A gettoken calls = %d, want 2 (initial + after invalidation)", len(tokA))
	}
	if n := len(b.s.CallsTo("gettoken")); n != 1 {
		t.Errorf("B gettoken calls = %d, want 1 (its cache is separate)", n)
	}
	for _, e := range []env{a, b} {
		if n := len(e.s.CallsTo("externalcontact/get")); n < 20 {
			t.Errorf("%s saw %d externalcontact/get calls, want ≥ 20", e.s.Options().CorpID, n)
		}
		for _, call := range e.s.Calls() {
			if call.Path == "gettoken" && call.Query.Get("corpid") != e.s.Options().CorpID {
				t.Errorf("%s received gettoken for %s", e.s.Options().CorpID, call.Query.Get("corpid"))
			}
		}
	}
}

// TestSDKRouting checks that SDK calls (URLs hard-coded to qyapi.weixin.qq.com)
// reach the Client's own fake through the global URI modifier.
func TestSDKRouting(t *testing.T) {
	a := newEnv(t, wecomtest.Options{CorpID: "corpSA"}, nil)
	b := newEnv(t, wecomtest.Options{CorpID: "corpSB"}, nil)
	a.s.AddUser("only-in-a", "A")
	b.s.AddUser("only-in-b", "B")
	for _, tc := range []struct {
		e    env
		want string
	}{{a, "only-in-a"}, {b, "only-in-b"}, {a, "only-in-a"}} {
		users, err := tc.e.c.SDK().GetExternalContact().GetFollowUserList()
		if err != nil {
			t.Fatalf("SDK GetFollowUserList: %v", err)
		}
		if len(users) != 1 || users[0] != tc.want {
			t.Fatalf("SDK call routed to the wrong fake: got %v, want [%s]", users, tc.want)
		}
	}
	if n := len(a.s.CallsTo("gettoken")); n != 1 {
		t.Errorf("SDK shares the Client's token cache: gettoken calls = %d, want 1", n)
	}
}

func TestRateLimiterSpacesCalls(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, func(c *Config) {
		c.RateLimits = map[string]int{"user/get": 1, "externalcontact/get_follow_user_list": -1}
	})
	e.s.AddUser("alice", "Alice")
	ctx := context.Background()
	if _, err := e.c.GetUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if tok := e.c.lim.get("user/get").tokens(); tok >= 1 {
		t.Fatalf("limiter still has %.2f tokens after a call at 1/min", tok)
	}
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_, err := e.c.GetUser(short, "alice")
	if !errors.Is(err, ErrRateLimited) || !IsTransient(err) {
		t.Fatalf("second call within the minute: err = %v, want ErrRateLimited", err)
	}
	if n := len(e.s.CallsTo("user/get")); n != 1 {
		t.Errorf("user/get reached the server %d times, want 1", n)
	}
	// Unlimited and other paths are unaffected.
	for i := 0; i < 5; i++ {
		if _, err := e.c.GetFollowUserList(short); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTransientClassificationAgainstFake(t *testing.T) {
	tests := []struct {
		name      string
		fault     *wecomtest.Fault
		transient bool
		code      int
	}{
		{"http 502", &wecomtest.Fault{HTTPStatus: 502}, true, 0},
		{"http 500 with errcode", &wecomtest.Fault{ErrCode: errcode.SystemBusy, HTTPStatus: 500}, true, 0},
		{"dropped connection", &wecomtest.Fault{Drop: true}, true, 0},
		{"system busy", &wecomtest.Fault{ErrCode: errcode.SystemBusy}, true, errcode.SystemBusy},
		{"freq limit", &wecomtest.Fault{ErrCode: errcode.RateLimited}, true, errcode.RateLimited},
		{"concurrency limit", &wecomtest.Fault{ErrCode: errcode.ConcurrencyLimited}, true, errcode.ConcurrencyLimited},
		{"timeout", &wecomtest.Fault{Latency: 3 * time.Second}, true, 0},
		{"unknown tag", nil, false, errcode.InvalidTagID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, wecomtest.Options{}, func(c *Config) { c.HTTPTimeout = 300 * time.Millisecond })
			e.s.AddCustomer(wecomtest.Customer{ExternalUserID: "ext", Follows: []wecomtest.Follow{{UserID: "u"}}})
			if tt.fault != nil {
				e.s.Fault("externalcontact/mark_tag", *tt.fault)
			}
			err := e.c.MarkTag(context.Background(), "u", "ext", []string{"no-such-tag"}, nil)
			if err == nil {
				t.Fatal("expected an error")
			}
			if IsTransient(err) != tt.transient || Code(err) != tt.code {
				t.Errorf("err = %v: transient=%v code=%d, want %v/%d", err, IsTransient(err), Code(err), tt.transient, tt.code)
			}
		})
	}
	t.Run("no relation", func(t *testing.T) {
		e := newEnv(t, wecomtest.Options{}, nil)
		g := e.s.AddTagGroup("g", "t")
		e.s.AddUser("other", "Other")
		e.s.AddCustomer(wecomtest.Customer{ExternalUserID: "ext", Follows: []wecomtest.Follow{{UserID: "u"}}})
		err := e.c.MarkTag(context.Background(), "other", "ext", []string{g.Tags[0].ID}, nil)
		if Code(err) != errcode.NoRelation || IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("caller cancelled", func(t *testing.T) {
		e := newEnv(t, wecomtest.Options{}, nil)
		e.s.Fault("externalcontact/mark_tag", wecomtest.Fault{Latency: 3 * time.Second})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := e.c.MarkTag(ctx, "u", "ext", []string{"t"}, nil)
		if !errors.Is(err, context.Canceled) || IsTransient(err) {
			t.Fatalf("err = %v, want non-transient context.Canceled", err)
		}
	})
}

func TestDebugLogsCarryNoSecrets(t *testing.T) {
	e := newEnv(t, wecomtest.Options{}, nil)
	e.s.AddUser("alice", "Alice")
	if err := e.c.SendText(context.Background(), "alice", "机密内容 body-marker"); err != nil {
		t.Fatal(err)
	}
	e.s.InvalidateTokens()
	if err := e.c.SendText(context.Background(), "alice", "again"); err != nil {
		t.Fatal(err)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "api=message/send") || !strings.Contains(logs, "pkg=wecom") {
		t.Fatalf("expected debug call logs with pkg=wecom, got:\n%s", logs)
	}
	if strings.Contains(logs, "body-marker") {
		t.Error("logs contain a message body")
	}
	// assertNoSecrets (registered by newEnv) checks secret and tokens at cleanup.
}
