// Package rules reads classification rules: the `rules:` list of
// config.yaml and the pack files named by `rule_packs:`. It checks every
// rule as it reads it (keys, kinds, regexes, `when` expressions compiled
// against the typed environment Env) and names the file, the rule, the line
// and, for `when`, the position in the expression with a caret. It imports
// neither package config nor package classify, so both can use it: config
// fails Load on a bad rule, classify compiles the rules into an Engine.
// 分类规则的读取与校验。
package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/expr-lang/expr/vm"
)

// Values of a rule's `on:` (an event rule is "event:<type>").
const (
	OnMessage   = "message"
	EventPrefix = "event:"
)

// Values of a rule's `from:`.
const (
	FromCustomer = "customer"
	FromEmployee = "employee"
	FromAny      = "any"
)

// Values of a rule's `mode:` (the same strings as classify.Mode).
const (
	ModeSuggest = "suggest"
	ModeAuto    = "auto"
)

// Rule is one classification rule as written, checked and with its regex
// and `when` program compiled. 一条分类规则。
type Rule struct {
	Name     string
	Tags     []string // tag names, trimmed
	Keywords []string // any one matches
	All      []string // every one must appear
	Exclude  []string // any one vetoes the rule
	Regex    string
	On       string // OnMessage or EventPrefix+type
	From     string // FromCustomer (default), FromEmployee or FromAny
	When     string // expr-lang/expr condition, "" for none
	Mode     string // ModeSuggest (default) or ModeAuto
	Priority int
	Score    float64 // 0..1, 1 when not given
	Verify   bool    // `llm: verify`

	File string // file the rule was read from
	Pack string // name of the pack, "" for config.yaml's rules
	Line int    // line of the rule in File
	// TagLines are the lines of Tags[i] in File (for the tag check).
	TagLines []int

	re   *regexp.Regexp
	prog *vm.Program
}

// Regexp is the compiled `regex:`, nil when the rule has none.
func (r *Rule) Regexp() *regexp.Regexp { return r.re }

// Program is the compiled `when:`, nil when the rule has none. Run it with
// an Env.
func (r *Rule) Program() *vm.Program { return r.prog }

// EventType is the event type of an `on: event:<type>` rule, "" for a
// message rule.
func (r *Rule) EventType() string {
	t, _ := strings.CutPrefix(r.On, EventPrefix)
	if t == r.On {
		return ""
	}
	return t
}

// Source names where the rule comes from: "pack <name> (<file>)" or the
// config file.
func (r *Rule) Source() string {
	if r.Pack != "" {
		return fmt.Sprintf("pack %s (%s)", r.Pack, r.File)
	}
	return r.File
}

// Error is one problem with one rule (or with a pack file), positioned in
// its file. 规则错误：文件、行、规则名与表达式位置。
type Error struct {
	File  string
	Line  int
	Rule  string // rule name, "" when the problem is not inside a rule
	Key   string // the rule's key at fault (tags, when, …), "" for the rule
	Msg   string
	Caret string // for `when`: the expression line and a caret under the fault
}

// Error renders "file:line: rule 名: key: msg" and the caret lines.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	if e.Caret != "" {
		b.WriteString("\n" + e.Caret)
	}
	return b.String()
}

// Errors is every problem found in one read, in file order.
type Errors []*Error

// Error renders one problem per line.
func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// err returns es as an error, nil when empty.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}
