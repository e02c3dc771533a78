package classify

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/classify/rules"
)

// maxAllWords is how many `all:` words one rule may have (a bit each).
const maxAllWords = 64

// TagLibrary says which tag names exist (the tag library and the tags the
// packs create). 标签库。
type TagLibrary interface {
	HasTag(name string) bool
}

// TagGroups is a TagLibrary that also knows the groups a name is in: a
// rule's tag whose name is in two groups is refused, since a suggestion
// could not say which of the two it means.
type TagGroups interface {
	TagLibrary
	GroupsOf(name string) []string
}

// TagNames is a TagLibrary over a set of names.
type TagNames map[string]bool

// HasTag reports whether name, trimmed, is in the set.
func (t TagNames) HasTag(name string) bool { return t[strings.TrimSpace(name)] }

// NewTagNames returns the set of every name in lists, trimmed.
func NewTagNames(lists ...[]string) TagNames {
	t := TagNames{}
	for _, l := range lists {
		for _, n := range l {
			t[strings.TrimSpace(n)] = true
		}
	}
	return t
}

// Codes of ruleHot.from.
const (
	fromCustomer uint8 = iota
	fromEmployee
	fromAny
)

// ruleHot is what the engine checks of every candidate rule, kept apart
// from the (large) rules.Rule so the check stays in cache.
type ruleHot struct {
	allFull  uint64 // one bit per `all:` word
	from     uint8
	when     bool
	keywords bool  // the rule has keywords (one of them must match)
	ntags    uint8 // len(Tags), capped
	// rank is the rule's place in the order matches are returned in
	// (priority, then score, then rule order): sorting candidates by rank
	// sorts the matches before they are built.
	rank int32
	re   *regexp.Regexp
}

// ruleOut is what a match copies of its rule, in one 64-byte record (the
// fields of a rules.Rule that a Match needs span four cache lines): the
// first tag inline, all the tags and then the keywords at
// RuleSet.words[start:end].
type ruleOut struct {
	name       string
	tag0       string // Tags[0], "" when none
	priority   int
	score      float64
	start      uint32
	ntags, end uint32
	mode       uint8 // index in modes
	verify     bool
}

// modes are the values of ruleOut.mode (checkRules refuses any other).
var modes = [...]Mode{"", ModeSuggest, ModeAuto}

// tags is the rule's tags (capacity clipped: an append copies).
func (s *RuleSet) tags(o *ruleOut) []string {
	return s.words[o.start : o.start+o.ntags : o.start+o.ntags]
}

// keywords is the rule's keywords (capacity clipped: an append copies).
func (s *RuleSet) keywords(o *ruleOut) []string {
	return s.words[o.start+o.ntags : o.end : o.end]
}

// RuleSet is a compiled set of rules: the keyword automaton, the regexes
// and conditions, ready for an Engine. It is immutable. 编译后的规则集。
type RuleSet struct {
	rules []rules.Rule
	hot   []ruleHot
	out   []ruleOut
	words []string // every rule's tags, then its keywords
	kw    *keywordIndex
	// scan lists message rules with neither keywords nor all words: they
	// are tried on every message (regex or when alone).
	scan []int32
	// events maps an event type to the rules `on: event:<type>`, best
	// first.
	events map[string][]int32
}

// Compile checks every rule's tags against lib (nil skips the check) and
// compiles the rules into one RuleSet. An unknown tag is an error naming
// the rule, the file and the line. 编译规则并检查标签。
func Compile(rs []rules.Rule, lib TagLibrary) (*RuleSet, error) {
	if errs := checkRules(rs, lib); len(errs) > 0 {
		return nil, errs
	}
	set := &RuleSet{rules: slices.Clone(rs), hot: make([]ruleHot, len(rs)), out: make([]ruleOut, len(rs)),
		events: map[string][]int32{}}
	b := newKeywordBuilder()
	for i := range set.rules {
		r := &set.rules[i]
		set.hot[i] = ruleHot{from: map[string]uint8{rules.FromEmployee: fromEmployee, rules.FromAny: fromAny}[r.From],
			when: r.Program() != nil, keywords: len(r.Keywords) > 0, ntags: uint8(min(len(r.Tags), 255)), re: r.Regexp()}
		set.out[i] = ruleOut{name: r.Name, mode: uint8(slices.Index(modes[:], Mode(r.Mode))), priority: r.Priority,
			score: r.Score, verify: r.Verify, start: uint32(len(set.words)), ntags: uint32(len(r.Tags))}
		if len(r.Tags) > 0 {
			set.out[i].tag0 = r.Tags[0]
		}
		set.words = append(append(set.words, r.Tags...), r.Keywords...)
		set.out[i].end = uint32(len(set.words))
		if t := r.EventType(); t != "" {
			set.events[t] = append(set.events[t], int32(i))
			continue
		}
		for j, w := range r.Keywords {
			b.add(w, i, wordAny, j)
		}
		for j, w := range r.All {
			b.add(w, i, wordAll, j)
			set.hot[i].allFull |= 1 << j
		}
		for j, w := range r.Exclude {
			b.add(w, i, wordExclude, j)
		}
		if len(r.Keywords) == 0 && len(r.All) == 0 {
			set.scan = append(set.scan, int32(i))
		}
	}
	set.kw = b.build()
	set.rankRules()
	return set, nil
}

// rankRules sets each rule's rank and sorts each event type's rules by it.
func (s *RuleSet) rankRules() {
	order := make([]int32, len(s.rules))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		ra, rb := &s.rules[a], &s.rules[b]
		if c := cmp.Compare(rb.Priority, ra.Priority); c != 0 {
			return c
		}
		return cmp.Compare(rb.Score, ra.Score)
	})
	for k, i := range order {
		s.hot[i].rank = int32(k)
	}
	for _, ids := range s.events {
		slices.SortFunc(ids, func(a, b int32) int { return cmp.Compare(s.hot[a].rank, s.hot[b].rank) })
	}
}

// checkRules finds unknown tags, too many all words and duplicate names.
func checkRules(rs []rules.Rule, lib TagLibrary) rules.Errors {
	var errs rules.Errors
	names := map[string]bool{}
	for _, r := range rs {
		if names[r.Name] {
			errs = append(errs, &rules.Error{File: r.File, Line: r.Line, Rule: r.Name, Msg: "duplicate rule name"})
		}
		names[r.Name] = true
		if !slices.Contains(modes[:], Mode(r.Mode)) {
			errs = append(errs, &rules.Error{File: r.File, Line: r.Line, Rule: r.Name, Key: "mode",
				Msg: fmt.Sprintf("unknown mode %q (suggest or auto)", r.Mode)})
		}
		if len(r.All) > maxAllWords {
			errs = append(errs, &rules.Error{File: r.File, Line: r.Line, Rule: r.Name, Key: "all",
				Msg: fmt.Sprintf("at most %d words", maxAllWords)})
		}
		if lib == nil {
			continue
		}
		errs = append(errs, checkTags(r, lib)...)
	}
	return errs
}

// checkTags refuses a rule's tags that are not in lib, or (when lib knows
// groups) whose name is in more than one group.
func checkTags(r rules.Rule, lib TagLibrary) rules.Errors {
	var errs rules.Errors
	groups, _ := lib.(TagGroups)
	for i, t := range r.Tags {
		line := r.Line
		if i < len(r.TagLines) {
			line = r.TagLines[i]
		}
		switch {
		case !lib.HasTag(t):
			errs = append(errs, &rules.Error{File: r.File, Line: line, Rule: r.Name, Key: "tags",
				Msg: fmt.Sprintf("unknown tag %q: not in the tag library and not created by a pack (tagbot pack apply FILE creates a pack's tags)", t)})
		case groups != nil && len(groups.GroupsOf(t)) > 1:
			errs = append(errs, &rules.Error{File: r.File, Line: line, Rule: r.Name, Key: "tags",
				Msg: fmt.Sprintf("tag %q is in %d groups (%s): rename all but one in WeCom, so the rule names one tag",
					t, len(groups.GroupsOf(t)), strings.Join(groups.GroupsOf(t), ", "))})
		}
	}
	return errs
}

// Len is the number of rules.
func (s *RuleSet) Len() int { return len(s.rules) }

// RuleInfo is what /rules shows of one rule. 规则概览。
type RuleInfo struct {
	Name     string
	Tags     []string
	Mode     Mode
	Priority int
	On       string // "message" or "event:<type>"
	Source   string // config file, or "pack <name> (<file>)"
	Pack     string // pack name, "" for config.yaml's rules
}

// Infos lists the rules in order.
func (s *RuleSet) Infos() []RuleInfo {
	out := make([]RuleInfo, len(s.rules))
	for i := range s.rules {
		r := &s.rules[i]
		out[i] = RuleInfo{Name: r.Name, Tags: slices.Clone(r.Tags), Mode: Mode(r.Mode), Priority: r.Priority,
			On: r.On, Source: r.Source(), Pack: r.Pack}
	}
	return out
}
