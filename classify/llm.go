package classify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/tagbot/tagbot/config"
)

// Defaults of LLMOptions.
const (
	// DefaultLLMRecent is how many messages of the conversation are sent.
	DefaultLLMRecent = 10
	// DefaultLLMMinScore is the confidence below which an LLM tag is not
	// suggested.
	DefaultLLMMinScore = 0.5
	// DefaultLLMCacheSize is how many answers the cache keeps.
	DefaultLLMCacheSize = 10_000
	// maxLLMTags is how many tags one answer may suggest.
	maxLLMTags = 3
	// llmSnippetRunes bounds a match's evidence snippet.
	llmSnippetRunes = 60
)

// LLMOptions configure NewLLM.
type LLMOptions struct {
	// Config is the llm: section; it must be Enabled.
	Config config.LLM
	// Tags returns the tag library the LLM may choose from (live tags,
	// with their groups); it is called for every classification.
	Tags func() []LLMTag
	// Names returns, for a customer (external_userid), the names, remarks,
	// userids and numbers to redact beyond the customer's WeChat name
	// (Facts.Customer), the customer's id and the userids of the
	// conversation, which are always redacted. Nil: none.
	Names func(customer string) []LLMName
	// Now is the clock (the token budget resets at midnight China time).
	Now func() time.Time
	// Logger logs failures, never message texts, prompts or answers.
	Logger *slog.Logger
	// HTTPClient makes the calls; a plain http.Client when nil.
	HTTPClient *http.Client
	// Recent, MinScore and CacheSize default to DefaultLLMRecent,
	// DefaultLLMMinScore and DefaultLLMCacheSize.
	Recent    int
	MinScore  float64
	CacheSize int
}

// LLM asks an OpenAI-compatible model which tags of the library a customer's
// conversation suggests (Classify) and whether it supports a rule's match
// (Verify). Its matches are always ModeSuggest: what a customer writes can
// never put a tag on without the follower. Every failure (error status,
// timeout, malformed answer, budget spent) yields no match and is counted
// in Stats, so rules alone stand. Safe for concurrent use.
// 大模型辅助打标：只产生建议，失败时不影响规则。
type LLM struct {
	client   *openai.Client
	model    string
	timeout  time.Duration
	redact   bool
	tags     func() []LLMTag
	names    func(string) []LLMName
	now      func() time.Time
	log      *slog.Logger
	recent   int
	minScore float64

	sem    chan struct{}
	cache  *llmCache
	budget *llmBudget
	stats  llmCounters
}

var _ Classifier = (*LLM)(nil)

// NewLLM builds the LLM assist. It returns an error when opts.Config is not
// enabled or opts.Tags is nil.
func NewLLM(opts LLMOptions) (*LLM, error) {
	c := opts.Config
	if !c.Enabled() {
		return nil, errors.New("classify: llm.base_url and llm.model must be set")
	}
	if opts.Tags == nil {
		return nil, errors.New("classify: LLMOptions.Tags is nil")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	if opts.Recent <= 0 {
		opts.Recent = DefaultLLMRecent
	}
	if opts.MinScore <= 0 {
		opts.MinScore = DefaultLLMMinScore
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultLLMCacheSize
	}
	if c.MaxConcurrency <= 0 {
		c.MaxConcurrency = config.DefaultLLMMaxConcurrency
	}
	if c.Timeout <= 0 {
		c.Timeout = config.DefaultLLMTimeout
	}
	oc := openai.DefaultConfig(c.APIKey)
	oc.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	oc.HTTPClient = opts.HTTPClient
	return &LLM{
		client: openai.NewClientWithConfig(oc), model: c.Model, timeout: c.Timeout, redact: c.Redact,
		tags: opts.Tags, names: opts.Names, now: opts.Now, log: opts.Logger.With("pkg", "classify", "component", "llm"),
		recent: opts.Recent, minScore: opts.MinScore,
		sem: make(chan struct{}, c.MaxConcurrency), cache: newLLMCache(opts.CacheSize),
		budget: &llmBudget{limit: int64(c.DailyTokenBudget)},
	}, nil
}

// Classify asks the model which library tags the conversation ending with a
// customer's message suggests. Inputs other than customer messages, and an
// LLM that failed or is out of budget, yield no match. The error is only a
// failure of facts (the store). Matches: Source and Rule "llm", ModeSuggest,
// one per tag, best first.
func (l *LLM) Classify(ctx context.Context, in Input, facts Facts) ([]Match, error) {
	if l == nil || in.Message == nil || in.Message.From != FromCustomer {
		return nil, nil
	}
	lib := l.tags()
	if len(lib) == 0 {
		return nil, nil
	}
	conv, err := l.conversation(in, facts)
	if err != nil {
		return nil, err
	}
	req := l.request(llmClassifyPrompt(lib), conv, "tags", llmClassifySchema(lib))
	v, ok := l.ask(ctx, "classify", req, func(s string) (any, error) { return parseLLMTags(s) })
	if !ok {
		return nil, nil
	}
	return l.matches(v.([]llmAnswerTag), lib, in.Message), nil
}

// Verify asks the model whether the conversation supports m's tags (a rule
// marked `llm: verify`). It returns false only when the model answered
// that it does not; errors, timeouts, a malformed answer or a spent budget
// keep the match (true), as does a nil LLM.
func (l *LLM) Verify(ctx context.Context, in Input, facts Facts, m Match) (bool, error) {
	if l == nil || len(m.Tags) == 0 {
		return true, nil
	}
	conv, err := l.conversation(in, facts)
	if err != nil {
		return true, err
	}
	if len(conv) == 0 {
		return true, nil // nothing said to judge by
	}
	groups := map[string]string{}
	for _, t := range l.tags() {
		groups[t.Name] = t.Group
	}
	want := make([]LLMTag, len(m.Tags))
	for i, name := range m.Tags {
		want[i] = LLMTag{Name: name, Group: groups[name]}
	}
	req := l.request(llmVerifyPrompt(want), conv, "verdict", llmVerifySchema())
	v, ok := l.ask(ctx, "verify", req, func(s string) (any, error) { return parseLLMVerdict(s) })
	if !ok {
		return true, nil
	}
	if !*v.(llmVerdict).Supported {
		l.stats.verifyRejected.Add(1)
		return false, nil
	}
	return true, nil
}

// conversation is the recent conversation up to and including the input's
// message (appended when Recent did not return it), redacted when
// llm.redact is on.
func (l *LLM) conversation(in Input, facts Facts) ([]Message, error) {
	var msgs []Message
	var cust CustomerFacts
	if facts != nil {
		var err error
		if msgs, err = facts.Recent(l.recent); err != nil {
			return nil, fmt.Errorf("llm: recent conversation: %w", err)
		}
		cust = facts.Customer()
	}
	if m := in.Message; m != nil && !llmEndsWith(msgs, *m) {
		msgs = append(msgs, *m)
	}
	if len(msgs) > l.recent {
		msgs = msgs[len(msgs)-l.recent:]
	}
	if !l.redact {
		return msgs, nil
	}
	customer := cust.ID
	if customer == "" && in.Message != nil {
		customer = in.Message.Customer
	}
	names := []LLMName{{Text: cust.Name, Who: LLMWhoCustomer}, {Text: customer, Who: LLMWhoCustomer}}
	for _, m := range msgs {
		names = append(names, LLMName{Text: m.Customer, Who: LLMWhoCustomer}, LLMName{Text: m.Employee, Who: LLMWhoEmployee})
	}
	if l.names != nil {
		names = append(names, l.names(customer)...)
	}
	r := newLLMRedactor(names)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = Message{From: m.From, Time: m.Time, Text: r.text(m.Text)}
	}
	return out, nil
}

// llmEndsWith reports whether msgs ends with m (same id, or same text, sender
// and time).
func llmEndsWith(msgs []Message, m Message) bool {
	if len(msgs) == 0 {
		return false
	}
	last := msgs[len(msgs)-1]
	if m.ID != "" && last.ID != "" {
		return last.ID == m.ID
	}
	return last.Text == m.Text && last.From == m.From && last.Time.Equal(m.Time)
}

// matches turns an answer into matches: tags outside the library dropped
// (counted), below MinScore dropped, best first, at most maxLLMTags.
func (l *LLM) matches(answer []llmAnswerTag, lib []LLMTag, msg *Message) []Match {
	known := make(map[string]bool, len(lib))
	for _, t := range lib {
		known[t.Name] = true
	}
	var out []Match
	for _, a := range answer {
		if !known[a.Tag] {
			l.stats.unknownTags.Add(1)
			l.log.Info("llm suggested a tag outside the library; dropped")
			continue
		}
		if a.Confidence < l.minScore {
			continue
		}
		out = append(out, Match{
			Source: SourceLLM, Rule: SourceLLM, Tags: []string{a.Tag}, Mode: ModeSuggest, Score: a.Confidence,
			Evidence: Evidence{Snippet: llmCut(strings.TrimSpace(msg.Text), llmSnippetRunes), Reason: a.Reason},
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > maxLLMTags {
		out = out[:maxLLMTags]
	}
	return out
}

// LLMStats are the LLM assist's counters since it was built. 调用统计。
type LLMStats struct {
	Calls          int64 // requests sent
	CacheHits      int64 // answers taken from the cache (no request)
	Errors         int64 // error statuses and transport errors (not timeouts)
	Timeouts       int64 // calls that took longer than llm.timeout
	Malformed      int64 // answers that were not the JSON asked for
	UnknownTags    int64 // suggested tags outside the library (dropped)
	BudgetSkips    int64 // calls not made: daily_token_budget spent
	VerifyRejected int64 // rule matches the model did not support (dropped)
	TokensUsed     int64 // tokens reported by the responses' usage, all days
	TokensToday    int64 // tokens used today (China time)
}

type llmCounters struct {
	calls, cacheHits, errors, timeouts, malformed, unknownTags, budgetSkips, verifyRejected, tokens atomic.Int64
}

// Stats returns the counters.
func (l *LLM) Stats() LLMStats {
	if l == nil {
		return LLMStats{}
	}
	s := &l.stats
	return LLMStats{
		Calls: s.calls.Load(), CacheHits: s.cacheHits.Load(), Errors: s.errors.Load(), Timeouts: s.timeouts.Load(),
		Malformed: s.malformed.Load(), UnknownTags: s.unknownTags.Load(), BudgetSkips: s.budgetSkips.Load(),
		VerifyRejected: s.verifyRejected.Load(), TokensUsed: s.tokens.Load(), TokensToday: l.budget.today(l.now()),
	}
}
