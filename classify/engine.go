package classify

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
)

// snippetRunes is how many runes of context a snippet keeps on each side
// of the first matched word.
const snippetRunes = 10

// EngineOptions configures an Engine.
type EngineOptions struct {
	// Zone is the zone of hour() and weekday(); config.ChinaZone when nil.
	Zone   *time.Location
	Logger *slog.Logger // slog.Default() when nil
}

// Engine classifies inputs with a compiled RuleSet; Reload swaps the set
// atomically while Classify runs. It implements Classifier. 规则引擎。
type Engine struct {
	set     atomic.Pointer[RuleSet]
	zone    *time.Location
	log     *slog.Logger
	condErr atomic.Int64
	pool    sync.Pool // *scratch
}

var _ Classifier = (*Engine)(nil)

// NewEngine returns an Engine running set (nil: no rules).
func NewEngine(set *RuleSet, opts EngineOptions) *Engine {
	e := &Engine{zone: opts.Zone, log: opts.Logger}
	if e.zone == nil {
		e.zone = config.ChinaZone
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if set == nil {
		set, _ = Compile(nil, nil)
	}
	e.set.Store(set)
	e.pool.New = func() any { return &scratch{} }
	return e
}

// Reload compiles rs against lib and swaps it in; on error the running set
// stays and the error names the rule and line. 重新加载规则。
func (e *Engine) Reload(rs []rules.Rule, lib TagLibrary) error {
	set, err := Compile(rs, lib)
	if err != nil {
		return err
	}
	e.Swap(set)
	return nil
}

// Swap replaces the running set with an already compiled one.
func (e *Engine) Swap(set *RuleSet) { e.set.Store(set) }

// Rules lists the running rules (for /rules).
func (e *Engine) Rules() []RuleInfo { return e.set.Load().Infos() }

// ConditionErrors is how many `when:` evaluations failed at run time since
// start (each is no match).
func (e *Engine) ConditionErrors() int64 { return e.condErr.Load() }

// ruleState is what the keyword scan found for one rule.
type ruleState struct {
	any      bool
	excluded bool
	all      uint64
}

// scratch is per-call working memory, pooled.
type scratch struct {
	st      []ruleState
	touched []int32
	hits    []hit
}

// Classify returns the matches of the running rules for in, best first
// (priority, then score, then rule order), one per rule.
func (e *Engine) Classify(ctx context.Context, in Input, facts Facts) ([]Match, error) {
	set := e.set.Load()
	var out []Match
	switch {
	case in.Message != nil:
		out = e.message(set, in, facts)
	case in.Event != nil:
		out = e.event(set, in, facts)
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return cmp.Compare(b.Score, a.Score)
	})
	return out, nil
}

// message runs the message rules: the keyword scan, then regex, from and
// when on the rules it leaves (and on the scan rules).
func (e *Engine) message(set *RuleSet, in Input, facts Facts) []Match {
	m := in.Message
	text := Normalize(m.Text)
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	if len(sc.st) < len(set.rules) {
		sc.st = make([]ruleState, len(set.rules))
	}
	sc.hits = set.kw.find(text, sc.hits[:0])
	sc.touched = sc.touched[:0]
	for _, h := range sc.hits {
		for _, ref := range set.kw.refs[h.pattern] {
			st := &sc.st[ref.rule]
			if !st.any && !st.excluded && st.all == 0 {
				sc.touched = append(sc.touched, ref.rule)
			}
			switch ref.kind {
			case wordAny:
				st.any = true
			case wordAll:
				st.all |= 1 << ref.idx
			case wordExclude:
				st.excluded = true
			}
		}
	}
	var cands []int32
	for _, i := range sc.touched {
		st, r := sc.st[i], &set.rules[i]
		if !st.excluded && (st.any || len(r.Keywords) == 0) && st.all == set.allFull[i] {
			cands = append(cands, i)
		}
	}
	for _, i := range set.scan {
		if !sc.st[i].excluded {
			cands = append(cands, i)
		}
	}
	slices.Sort(cands)
	var out []Match
	var ev *rules.Env
	for _, i := range cands {
		r := &set.rules[i]
		if !fromOK(r.From, m.From) || r.Regexp() != nil && !r.Regexp().MatchString(text) {
			continue
		}
		if r.Program() != nil {
			if ev == nil {
				x := env(in, facts, e.zone)
				ev = &x
			}
			if !e.when(r, ev) {
				continue
			}
		}
		out = append(out, match(r, evidence(set, int(i), text, sc.hits)))
	}
	for _, i := range sc.touched {
		sc.st[i] = ruleState{}
	}
	return out
}

// event runs the rules `on: event:<type>` of the event's type.
func (e *Engine) event(set *RuleSet, in Input, facts Facts) []Match {
	ids := set.events[in.Event.Type]
	if len(ids) == 0 {
		return nil
	}
	x := env(in, facts, e.zone)
	var out []Match
	for _, i := range ids {
		r := &set.rules[i]
		if r.Program() != nil && !e.when(r, &x) {
			continue
		}
		out = append(out, match(r, Evidence{Snippet: "event " + in.Event.Type}))
	}
	return out
}

// when evaluates r's condition; a run-time error is no match, counted and
// logged at debug with the rule's name.
func (e *Engine) when(r *rules.Rule, ev *rules.Env) bool {
	ok, err := evalWhen(r, ev)
	if err != nil {
		e.condErr.Add(1)
		e.log.Debug("classify: condition failed", "rule", r.Name, "err", err)
	}
	return ok
}

// fromOK reports whether a rule's from: admits a message's sender (an empty
// sender is the customer).
func fromOK(rule, sender string) bool {
	if sender == "" {
		sender = FromCustomer
	}
	return rule == rules.FromAny || rule == sender
}

func match(r *rules.Rule, ev Evidence) Match {
	return Match{Source: SourceRule, Rule: r.Name, Tags: slices.Clone(r.Tags), Mode: Mode(r.Mode),
		Priority: r.Priority, Score: r.Score, Evidence: ev, Verify: r.Verify}
}

// evidence lists rule i's matched keywords and all-words (as the rule
// wrote them) and a snippet of the normalised text around the first.
func evidence(set *RuleSet, i int, text string, hits []hit) Evidence {
	r := &set.rules[i]
	var ev Evidence
	first := -1
	for k, h := range hits {
		for _, ref := range set.kw.refs[h.pattern] {
			if int(ref.rule) != i || ref.kind == wordExclude {
				continue
			}
			w := r.Keywords
			if ref.kind == wordAll {
				w = r.All
			}
			if !slices.Contains(ev.Words, w[ref.idx]) {
				ev.Words = append(ev.Words, w[ref.idx])
			}
			if first < 0 || h.start < hits[first].start {
				first = k
			}
		}
	}
	if first < 0 {
		if loc := r.Regexp(); loc != nil {
			if m := loc.FindStringIndex(text); m != nil {
				ev.Words = []string{text[m[0]:m[1]]}
				ev.Snippet = snippet(text, m[0], m[1])
			}
		}
		if ev.Snippet == "" {
			ev.Snippet = snippet(text, 0, 0)
		}
		return ev
	}
	ev.Snippet = snippet(text, hits[first].start, hits[first].end)
	return ev
}

// snippet is text[start:end] with up to snippetRunes runes each side,
// marked with … where cut.
func snippet(text string, start, end int) string {
	from := start
	for n := 0; n < snippetRunes && from > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:from])
		from -= size
	}
	to := end
	for n := 0; n < snippetRunes && to < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	if end == start && start == 0 { // no position: the first 2×snippetRunes runes
		for n := 0; n < snippetRunes && to < len(text); n++ {
			_, size := utf8.DecodeRuneInString(text[to:])
			to += size
		}
	}
	s := text[from:to]
	if from > 0 {
		s = "…" + s
	}
	if to < len(text) {
		s += "…"
	}
	return s
}
