package classify

import (
	"context"
	"log/slog"
	"math/bits"
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
	all      uint64 // bit i: All[i] found
	kw       uint64 // bit i: Keywords[i] found (i < 64)
	first    int32  // 1 + index in hits of the first word found, 0 for none
	any      bool
	excluded bool
}

// scratch is per-call working memory, pooled, and the slabs the results
// are cut from.
type scratch struct {
	st      []ruleState
	touched []int32
	cands   []uint64 // rank<<32 | rule
	hits    []hit
	matches slab[Match]
	tags    slab[string]
}

// Sizes of the slabs' blocks: a result that a caller keeps keeps its block
// (at most 9.4 KB and 1 KB) alive. 62 Matches of 152 bytes fill size class
// 9,472, six to a 56 KB span: at 16 (class 2,688, three to an 8 KB span)
// fetching a fresh span every 48 matches took a sixth of Classify's time.
const (
	matchBlock = 62
	tagBlock   = 64
)

// slab hands out the pieces of larger blocks, so most calls allocate
// nothing for their results. A piece is never handed out twice and its
// capacity is clipped (an append copies): the caller owns it as if it
// were allocated for it alone.
type slab[T any] struct{ free []T }

// take returns a zeroed piece of n elements from a block of at least block.
func (s *slab[T]) take(n, block int) []T {
	if len(s.free) < n {
		s.free = make([]T, max(n, block))
	}
	p := s.free[:n:n]
	s.free = s.free[n:]
	return p
}

// Classify returns the matches of the running rules for in, best first
// (priority, then score, then rule order), one per rule. They are built in
// that order (ruleHot.rank): nothing is sorted after.
func (e *Engine) Classify(ctx context.Context, in Input, facts Facts) ([]Match, error) {
	set := e.set.Load()
	var out []Match
	switch {
	case in.Message != nil:
		out = e.message(set, in, facts)
	case in.Event != nil:
		out = e.event(set, in, facts)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// message runs the message rules: the keyword scan, then regex, from and
// when on the rules it leaves (and on the scan rules).
func (e *Engine) message(set *RuleSet, in Input, facts Facts) []Match {
	m := in.Message
	sc := e.pool.Get().(*scratch)
	defer e.pool.Put(sc)
	if len(sc.st) < len(set.rules) {
		sc.st = make([]ruleState, len(set.rules))
	}
	var text string
	text, sc.hits = set.kw.scan(m.Text, sc.hits[:0])
	sc.touched = sc.touched[:0]
	for k, h := range sc.hits {
		for _, ref := range set.kw.uses(h.pattern) {
			st := &sc.st[ref.rule]
			if !st.any && !st.excluded && st.all == 0 {
				sc.touched = append(sc.touched, ref.rule)
			}
			switch ref.kind {
			case wordAny:
				st.any = true
				if ref.idx < 64 {
					st.kw |= 1 << ref.idx
				}
			case wordAll:
				st.all |= 1 << ref.idx
			case wordExclude:
				st.excluded = true
				continue
			}
			if st.first == 0 || h.start < sc.hits[st.first-1].start {
				st.first = int32(k + 1)
			}
		}
	}
	cands := sc.cands[:0]
	defer func() { sc.cands = cands[:0] }()
	for _, i := range sc.touched {
		st, h := &sc.st[i], &set.hot[i]
		if !st.excluded && (st.any || !h.keywords) && st.all == h.allFull {
			cands = append(cands, uint64(h.rank)<<32|uint64(i))
		}
	}
	for _, i := range set.scan {
		if !sc.st[i].excluded {
			cands = append(cands, uint64(set.hot[i].rank)<<32|uint64(i))
		}
	}
	slices.Sort(cands)   // best first
	matched := cands[:0] // rule ids, filtered in place
	var ev *rules.Env
	sender := fromCode(m.From)
	ntags := 0
	for _, c := range cands {
		i := int32(c)
		h := &set.hot[i]
		if h.from != fromAny && h.from != sender || h.re != nil && !h.re.MatchString(text) {
			continue
		}
		if h.when {
			if ev == nil {
				x := env(in, facts, e.zone)
				ev = &x
			}
			if !e.when(&set.rules[i], ev) {
				continue
			}
		}
		matched = append(matched, uint64(i))
		ntags += int(h.ntags)
	}
	var out []Match
	if len(matched) > 0 {
		out = sc.matches.take(len(matched), matchBlock)
		tags := sc.tags.take(ntags, tagBlock)[:0] // every match's Tags
		whole := wholeSnippet(text)
		for k, c := range matched {
			i := int32(c)
			o := &set.out[i]
			if o.ntags == 1 {
				tags = append(tags, o.tag0)
			} else {
				tags = append(tags, set.tags(o)...)
			}
			m := &out[k] // filled in place: a Match is not copied
			fill(m, o, tags[len(tags)-int(o.ntags):len(tags):len(tags)])
			evidence(&m.Evidence, set.keywords(o), &set.rules[i], sc.st[i], text, sc.hits, whole)
		}
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
	desc := eventEvidence(in.Event)
	for _, i := range ids {
		r, o := &set.rules[i], &set.out[i]
		if r.Program() != nil && !e.when(r, &x) {
			continue
		}
		out = append(out, Match{Evidence: Evidence{Snippet: desc}})
		fill(&out[len(out)-1], o, slices.Clone(set.tags(o)))
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

// fromCode is a message's sender as a ruleHot.from (empty: the customer).
func fromCode(sender string) uint8 {
	if sender == FromEmployee {
		return fromEmployee
	}
	return fromCustomer
}

// fill sets every field of m but Evidence to the rule o is of, with tags, a
// copy of its tags the caller owns.
func fill(m *Match, o *ruleOut, tags []string) {
	m.Source, m.Rule, m.Tags, m.Mode = SourceRule, o.name, tags, modes[o.mode]
	m.Priority, m.Score, m.Verify = o.priority, o.score, o.verify
}

// wholeSnippet says text has at most snippetRunes+1 runes, so every
// snippet of it is all of it (counted only when the length in bytes
// leaves a doubt).
func wholeSnippet(text string) bool {
	switch {
	case len(text) <= snippetRunes+1:
		return true
	case len(text) > utf8.UTFMax*(snippetRunes+1):
		return false
	}
	return utf8.RuneCountInString(text) <= snippetRunes+1
}

// evidence sets ev (zero) to the rule's matched keywords and all-words (as the rule
// wrote them, in rule order) and a snippet of the normalised text around
// the first word found (for a regex-only rule: around the regex's match).
// keywords are the rule's; r itself is read only for all-words and regex.
// whole says text is short enough for every snippet to be all of it.
// Evidence.Words may share the rule's slice (capacity clipped, so an
// append copies): do not modify its elements.
func evidence(ev *Evidence, keywords []string, r *rules.Rule, st ruleState, text string, hits []hit, whole bool) {
	if st.all == 0 && st.kw != 0 && st.kw&(st.kw-1) == 0 { // one keyword: no allocation
		i := bits.TrailingZeros64(st.kw)
		ev.Words = keywords[i : i+1 : i+1]
	} else {
		for i, w := range keywords[:min(len(keywords), 64)] {
			if st.kw&(1<<i) != 0 && !slices.Contains(ev.Words, w) {
				ev.Words = append(ev.Words, w)
			}
		}
	}
	for i := 0; st.all != 0 && i < len(r.All); i++ { // r (another cache line) only when all-words matched
		if st.all&(1<<i) != 0 {
			ev.Words = append(ev.Words, r.All[i])
		}
	}
	if st.first > 0 {
		h := hits[st.first-1]
		if len(ev.Words) == 0 { // only keywords past the 64th matched
			ev.Words = []string{text[h.start:h.end]}
		}
		ev.Snippet = snippet(text, h.start, h.end, whole)
		return
	}
	if re := r.Regexp(); re != nil {
		if m := re.FindStringIndex(text); m != nil {
			ev.Words = []string{text[m[0]:m[1]]}
			ev.Snippet = snippet(text, m[0], m[1], whole)
			return
		}
	}
	ev.Snippet = snippet(text, 0, 0, whole)
}

// snippet is text[start:end] with up to snippetRunes runes each side (a
// substring of text: no allocation). whole says text has at most
// snippetRunes+1 runes: the snippet around a non-empty span (or with no
// position) is then all of it.
func snippet(text string, start, end int, whole bool) string {
	if whole && (end > start || end == 0) {
		return text
	}
	runes := snippetRunes
	if end == start && start == 0 { // no position: the first 2×snippetRunes runes
		runes *= 2
	}
	from := start
	for n := 0; n < runes && from > 0; n++ {
		from--
		for from > 0 && !utf8.RuneStart(text[from]) {
			from--
		}
	}
	to := end
	for n := 0; n < runes && to < len(text); n++ {
		to++
		for to < len(text) && !utf8.RuneStart(text[to]) {
			to++
		}
	}
	return text[from:to]
}
