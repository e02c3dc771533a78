package classify

import (
	"fmt"
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

// RuleSet is a compiled set of rules: the keyword automaton, the regexes
// and conditions, ready for an Engine. It is immutable. 编译后的规则集。
type RuleSet struct {
	rules []rules.Rule
	kw    *keywordIndex
	// allFull[i] has one bit per `all:` word of rule i.
	allFull []uint64
	// scan lists message rules with neither keywords nor all words: they
	// are tried on every message (regex or when alone).
	scan []int32
	// events maps an event type to the rules `on: event:<type>`.
	events map[string][]int32
}

// Compile checks every rule's tags against lib (nil skips the check) and
// compiles the rules into one RuleSet. An unknown tag is an error naming
// the rule, the file and the line. 编译规则并检查标签。
func Compile(rs []rules.Rule, lib TagLibrary) (*RuleSet, error) {
	if errs := checkRules(rs, lib); len(errs) > 0 {
		return nil, errs
	}
	set := &RuleSet{rules: slices.Clone(rs), allFull: make([]uint64, len(rs)), events: map[string][]int32{}}
	b := newKeywordBuilder()
	for i := range set.rules {
		r := &set.rules[i]
		if t := r.EventType(); t != "" {
			set.events[t] = append(set.events[t], int32(i))
			continue
		}
		for j, w := range r.Keywords {
			b.add(w, i, wordAny, j)
		}
		for j, w := range r.All {
			b.add(w, i, wordAll, j)
			set.allFull[i] |= 1 << j
		}
		for j, w := range r.Exclude {
			b.add(w, i, wordExclude, j)
		}
		if len(r.Keywords) == 0 && len(r.All) == 0 {
			set.scan = append(set.scan, int32(i))
		}
	}
	kw, err := b.build()
	if err != nil {
		return nil, fmt.Errorf("build keyword automaton: %w", err)
	}
	set.kw = kw
	return set, nil
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
		if len(r.All) > maxAllWords {
			errs = append(errs, &rules.Error{File: r.File, Line: r.Line, Rule: r.Name, Key: "all",
				Msg: fmt.Sprintf("at most %d words", maxAllWords)})
		}
		if lib == nil {
			continue
		}
		for i, t := range r.Tags {
			if lib.HasTag(t) {
				continue
			}
			line := r.Line
			if i < len(r.TagLines) {
				line = r.TagLines[i]
			}
			errs = append(errs, &rules.Error{File: r.File, Line: line, Rule: r.Name, Key: "tags",
				Msg: fmt.Sprintf("unknown tag %q: not in the tag library and not created by a pack", t)})
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
