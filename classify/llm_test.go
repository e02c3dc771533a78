package classify_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/llmtest"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/clocktest"
)

// llmT0 is 10:00 China time.
var llmT0 = time.Date(2026, 12, 2, 10, 0, 0, 0, config.ChinaZone)

// llmLibrary is the tag library of the tests.
var llmLibrary = []classify.LLMTag{
	{Name: "高意向", Group: "意向程度"}, {Name: "低意向", Group: "意向程度"},
	{Name: "VIP", Group: "客户等级"}, {Name: "价格敏感型", Group: "客户画像"},
}

// llmFakeFacts is Facts over fixed values.
type llmFakeFacts struct {
	cust   classify.CustomerFacts
	recent []classify.Message
	err    error
}

func (f llmFakeFacts) Customer() classify.CustomerFacts          { return f.cust }
func (f llmFakeFacts) Count(string, time.Duration) (int, error)  { return 0, nil }
func (f llmFakeFacts) Events(string, time.Duration) (int, error) { return 0, nil }
func (f llmFakeFacts) Recent(limit int) ([]classify.Message, error) {
	if f.err != nil {
		return nil, f.err
	}
	if len(f.recent) > limit {
		return f.recent[len(f.recent)-limit:], nil
	}
	return f.recent, nil
}

// llmCustomerSays is a customer message input and the facts around it.
func llmCustomerSays(text string) (classify.Input, classify.Facts) {
	m := classify.Message{Customer: "wmCUSTOMER0000001", Employee: "zhangsan", From: classify.FromCustomer, Text: text, Time: llmT0}
	return classify.Input{Message: &m}, llmFakeFacts{cust: classify.CustomerFacts{ID: m.Customer, Name: "李华"}}
}

// newLLM builds an LLM against srv with a test clock; edit changes options.
func newTestLLM(t *testing.T, srv *llmtest.Server, edit func(*classify.LLMOptions)) (*classify.LLM, *clocktest.Clock) {
	t.Helper()
	clock := clocktest.New(llmT0)
	opts := classify.LLMOptions{
		Config: config.LLM{BaseURL: srv.URL, Model: "fake-model", APIKey: "sk-test", Timeout: 2 * time.Second,
			MaxConcurrency: 4, DailyTokenBudget: 0, Redact: true},
		Tags:   func() []classify.LLMTag { return llmLibrary },
		Now:    clock.Now,
		Logger: slog.New(slog.DiscardHandler),
	}
	if edit != nil {
		edit(&opts)
	}
	l, err := classify.NewLLM(opts)
	if err != nil {
		t.Fatal(err)
	}
	return l, clock
}

func TestLLMClassifyAnswers(t *testing.T) {
	snippet := "这款多少钱？有优惠吗"
	suggest := func(tag string, score float64, reason string) classify.Match {
		return classify.Match{Source: classify.SourceLLM, Rule: "llm", Tags: []string{tag}, Mode: classify.ModeSuggest,
			Score: score, Evidence: classify.Evidence{Snippet: snippet, Reason: reason}}
	}
	tests := []struct {
		name      string
		reply     llmtest.Reply
		timeout   time.Duration
		want      []classify.Match
		wantStats classify.LLMStats
	}{
		{"answer", llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("价格敏感型", 0.9, "问价格和优惠"), llmtest.Suggest("高意向", 0.7, "想买")),
			PromptTokens: 100, CompletionTokens: 20}, 0,
			[]classify.Match{suggest("价格敏感型", 0.9, "问价格和优惠"), suggest("高意向", 0.7, "想买")},
			classify.LLMStats{Calls: 1, TokensUsed: 120, TokensToday: 120}},
		{"fenced JSON", llmtest.Reply{Content: "```json\n" + llmtest.Tags(llmtest.Suggest("价格敏感型", 0.8, "问价")) + "\n```"}, 0,
			[]classify.Match{suggest("价格敏感型", 0.8, "问价")}, classify.LLMStats{Calls: 1}},
		{"malformed JSON", llmtest.Reply{Content: `{"tags": [{"tag": "高意向", "confidence": }`, PromptTokens: 5}, 0,
			nil, classify.LLMStats{Calls: 1, Malformed: 1, TokensUsed: 5, TokensToday: 5}},
		{"prose instead of JSON", llmtest.Reply{Content: "这位客户是高意向"}, 0, nil, classify.LLMStats{Calls: 1, Malformed: 1}},
		{"no tags field", llmtest.Reply{Content: `{"labels":["高意向"]}`}, 0, nil, classify.LLMStats{Calls: 1, Malformed: 1}},
		{"unknown tag dropped", llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("钻石会员", 0.95, "x"), llmtest.Suggest("高意向", 0.8, "想买"))}, 0,
			[]classify.Match{suggest("高意向", 0.8, "想买")}, classify.LLMStats{Calls: 1, UnknownTags: 1}},
		{"low confidence dropped", llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.3, "不确定"))}, 0,
			nil, classify.LLMStats{Calls: 1}},
		{"error status", llmtest.Reply{Status: http.StatusInternalServerError}, 0, nil, classify.LLMStats{Calls: 1, Errors: 1}},
		{"rate limited", llmtest.Reply{Status: http.StatusTooManyRequests}, 0, nil, classify.LLMStats{Calls: 1, Errors: 1}},
		{"timeout", llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "x")), Delay: 2 * time.Second}, 100 * time.Millisecond,
			nil, classify.LLMStats{Calls: 1, Timeouts: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Always(tt.reply)
			l, _ := newTestLLM(t, srv, func(o *classify.LLMOptions) {
				if tt.timeout > 0 {
					o.Config.Timeout = tt.timeout
				}
			})
			in, facts := llmCustomerSays(snippet)
			got, err := l.Classify(context.Background(), in, facts)
			if err != nil {
				t.Fatalf("Classify: %v (an LLM failure must not be an error)", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStats, l.Stats()); diff != "" {
				t.Errorf("Stats (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLLMOnlyCustomerMessages(t *testing.T) {
	srv := llmtest.New(t)
	l, _ := newTestLLM(t, srv, nil)
	emp := classify.Message{Customer: "wmCUSTOMER0000001", Employee: "zhangsan", From: classify.FromEmployee, Text: "您好", Time: llmT0}
	ev := classify.Event{Customer: "wmCUSTOMER0000001", Type: "coupon_claim", Time: llmT0}
	for name, in := range map[string]classify.Input{"employee message": {Message: &emp}, "event": {Event: &ev}} {
		t.Run(name, func(t *testing.T) {
			got, err := l.Classify(context.Background(), in, llmFakeFacts{})
			if err != nil || got != nil {
				t.Errorf("Classify = %v, %v; want nil, nil", got, err)
			}
		})
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests sent for non-customer input, want 0", n)
	}
}

func TestLLMFactsError(t *testing.T) {
	srv := llmtest.New(t)
	l, _ := newTestLLM(t, srv, nil)
	in, _ := llmCustomerSays("多少钱")
	_, err := l.Classify(context.Background(), in, llmFakeFacts{err: fmt.Errorf("store closed")})
	if err == nil || !strings.Contains(err.Error(), "store closed") {
		t.Errorf("Classify error = %v, want the facts error", err)
	}
}

func TestLLMCache(t *testing.T) {
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买")), PromptTokens: 10})
	l, _ := newTestLLM(t, srv, nil)
	for i, text := range []string{"想买这款", "想买这款", "下单了"} {
		in, facts := llmCustomerSays(text)
		got, err := l.Classify(context.Background(), in, facts)
		if err != nil || len(got) != 1 || got[0].Tags[0] != "高意向" {
			t.Fatalf("classification %d = %v, %v; want 高意向", i, got, err)
		}
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("%d requests, want 2 (the repeated conversation is answered from the cache)", n)
	}
	want := classify.LLMStats{Calls: 2, CacheHits: 1, TokensUsed: 20, TokensToday: 20}
	if diff := cmp.Diff(want, l.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestLLMMalformedNotCached(t *testing.T) {
	srv := llmtest.New(t)
	srv.Script(llmtest.Reply{Content: "oops"})
	srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买"))})
	l, _ := newTestLLM(t, srv, nil)
	in, facts := llmCustomerSays("想买这款")
	first, _ := l.Classify(context.Background(), in, facts)
	second, _ := l.Classify(context.Background(), in, facts)
	if len(first) != 0 || len(second) != 1 {
		t.Errorf("first = %v (want none: malformed), second = %v (want 高意向: asked again)", first, second)
	}
}

func TestLLMBudget(t *testing.T) {
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买")), PromptTokens: 80, CompletionTokens: 40})
	l, clock := newTestLLM(t, srv, func(o *classify.LLMOptions) { o.Config.DailyTokenBudget = 100 })
	ask := func(text string) int {
		in, facts := llmCustomerSays(text)
		got, err := l.Classify(context.Background(), in, facts)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	steps := []struct {
		name     string
		at       time.Time
		text     string
		matches  int
		requests int
	}{
		{"under budget: asked", llmT0, "第一句", 1, 1},
		{"120 of 100 spent: skipped", llmT0.Add(time.Hour), "第二句", 0, 1},
		{"23:59 the same day: still skipped", time.Date(2026, 12, 2, 23, 59, 0, 0, config.ChinaZone), "第三句", 0, 1},
		{"00:00 the next day (China time): asked", time.Date(2026, 12, 3, 0, 0, 0, 0, config.ChinaZone), "第四句", 1, 2},
	}
	for _, s := range steps {
		clock.Set(s.at)
		if got := ask(s.text); got != s.matches {
			t.Errorf("%s: %d matches, want %d", s.name, got, s.matches)
		}
		if got := len(srv.Requests()); got != s.requests {
			t.Errorf("%s: %d requests so far, want %d", s.name, got, s.requests)
		}
	}
	want := classify.LLMStats{Calls: 2, BudgetSkips: 2, TokensUsed: 240, TokensToday: 120}
	if diff := cmp.Diff(want, l.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestLLMConcurrencyCap(t *testing.T) {
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: llmtest.Tags(), Delay: 50 * time.Millisecond})
	l, _ := newTestLLM(t, srv, func(o *classify.LLMOptions) { o.Config.MaxConcurrency = 2 })
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, facts := llmCustomerSays(fmt.Sprintf("第%d句", i))
			if _, err := l.Classify(context.Background(), in, facts); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := srv.MaxInFlight(); got != 2 {
		t.Errorf("at most %d requests in flight, want exactly max_concurrency 2", got)
	}
	if got := len(srv.Requests()); got != 8 {
		t.Errorf("%d requests, want 8 (waiting for a slot is not failing)", got)
	}
}

func TestLLMCallerCancelled(t *testing.T) {
	srv := llmtest.New(t)
	srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买"))})
	l, _ := newTestLLM(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in, facts := llmCustomerSays("想买")
	got, err := l.Classify(ctx, in, facts)
	if got != nil || err != nil {
		t.Errorf("Classify = %v, %v; want nothing", got, err)
	}
	if s := l.Stats(); s.Errors != 1 || s.Timeouts != 0 {
		t.Errorf("Stats = %+v; want the cancellation counted as an error, not a timeout", s)
	}
}

// BenchmarkLLMCachedClassify is what a message costs the LLM assist before
// any network: the conversation (10 messages) redacted, the request built
// and hashed, the answer found in the cache.
func BenchmarkLLMCachedClassify(b *testing.B) {
	srv := llmtest.Start()
	defer srv.Close()
	srv.Always(llmtest.Reply{Content: llmtest.Tags(llmtest.Suggest("高意向", 0.9, "想买"))})
	clock := clocktest.New(llmT0)
	l, err := classify.NewLLM(classify.LLMOptions{
		Config: config.LLM{BaseURL: srv.URL, Model: "m", Timeout: time.Second, MaxConcurrency: 1, Redact: true},
		Tags:   func() []classify.LLMTag { return llmLibrary }, Now: clock.Now, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	in, _ := llmCustomerSays("我是李华，电话 13812345678，这款什么时候发货？")
	var recent []classify.Message
	for i := range 9 {
		recent = append(recent, classify.Message{From: classify.FromEmployee, Text: fmt.Sprintf("您好李华，第%d条回复，订单 2026120212345678", i), Time: llmT0})
	}
	facts := llmFakeFacts{cust: classify.CustomerFacts{ID: in.Message.Customer, Name: "李华"}, recent: append(recent, *in.Message)}
	if _, err := l.Classify(context.Background(), in, facts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ms, _ := l.Classify(context.Background(), in, facts); len(ms) != 1 {
			b.Fatal("not answered from the cache")
		}
	}
}
