package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

	"github.com/tagbot/tagbot/classify/rules"
)

// MinLifecycleEvery is the shortest `every:` of a lifecycle rule: each run
// reads every relationship. 生命周期规则的最短周期。
const MinLifecycleEvery = time.Minute

// LifecycleRule is one entry of `lifecycle:`: a condition over a customer's
// facts and the ledger, evaluated per relationship on a schedule (every
// Every, or daily at At in China time), and the tags to add and remove
// where it holds. 生命周期规则：按时对每个客户关系求值，条件成立则增删标签。
type LifecycleRule struct {
	Name string
	// Every is the period of an `every:` rule (e.g. 1h, 7d); 0 for an
	// `at:` rule.
	Every time.Duration
	// At is the time of day of an `at:` rule as written ("09:00"), ""
	// for an `every:` rule; AtMinute is it in minutes after midnight.
	At       string
	AtMinute int
	When     string   // expr-lang condition over rules.LifecycleEnv
	Add      []string // tag names to add
	Remove   []string // tag names to remove
	Line     int      // line of the rule in the config file

	prog *vm.Program
}

// Program is the compiled `when:` (run it with a rules.LifecycleEnv).
func (r *LifecycleRule) Program() *vm.Program { return r.prog }

// SetProgram compiles when into the rule, for callers building rules in
// code (the demo, tests); Load compiles the file's rules.
func (r *LifecycleRule) SetProgram(when string) error {
	prog, err := rules.CompileLifecycle(when)
	if err != nil {
		return err
	}
	r.When, r.prog = when, prog
	return nil
}

// Schedule describes the rule's schedule as users read it ("每 1h",
// "每天 09:00").
func (r *LifecycleRule) Schedule() string {
	if r.At != "" {
		return "每天 " + r.At
	}
	return "每 " + FormatPeriod(r.Every)
}

// FormatPeriod writes a period the way `every:` takes it: whole days as
// "7d", else Go's form without zero units ("1h", "90m").
func FormatPeriod(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	return strings.TrimSuffix(s, "0m")
}

// lifecycle decodes the `lifecycle:` list into rules, compiling each
// condition; problems name the rule's key and line (and the column in the
// condition, with a caret).
func (d *decoder) lifecycle(dst *[]LifecycleRule) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		v := deref(n)
		if isNull(v) {
			return
		}
		if v.Kind != yaml.SequenceNode {
			d.at(n.Line, path, "want a list of rules, got %s", describe(v))
			return
		}
		seen := map[string]int{}
		for i, e := range v.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			r := d.lifecycleRule(e, p)
			if r.Name == "" {
				continue
			}
			if first, dup := seen[r.Name]; dup {
				d.at(r.Line, p+".name", "rule %q is defined twice (first at line %d)", r.Name, first)
				continue
			}
			seen[r.Name] = r.Line
			*dst = append(*dst, r)
		}
	}
}

// lifecycleRule decodes and checks one rule; Name is "" when it is unusable.
func (d *decoder) lifecycleRule(n *yaml.Node, p string) LifecycleRule {
	r := LifecycleRule{Line: n.Line}
	var every, when string
	var whenNode *yaml.Node
	d.mapping(n, p, []field{
		{"name", d.str(&r.Name)},
		{"every", d.str(&every)},
		{"at", d.str(&r.At)},
		{"when", func(v *yaml.Node, path string) { whenNode = v; d.str(&when)(v, path) }},
		{"add", d.strList(&r.Add)},
		{"remove", d.strList(&r.Remove)},
	})
	before := len(d.problems)
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		d.at(n.Line, p+".name", "every lifecycle rule needs a name")
	}
	name := fmt.Sprintf("rule %q: ", r.Name)
	d.lifecycleSchedule(&r, every, n, p, name)
	if len(r.Add)+len(r.Remove) == 0 {
		d.at(n.Line, p, "%sneeds add: or remove: (the tags it changes)", name)
	}
	for _, t := range r.Add {
		for _, u := range r.Remove {
			if strings.TrimSpace(t) == strings.TrimSpace(u) {
				d.at(n.Line, p, "%stag %q is both in add and remove", name, t)
			}
		}
	}
	d.lifecycleWhen(&r, when, whenNode, n, p, name)
	if len(d.problems) > before {
		r.Name = ""
	}
	return r
}

// lifecycleSchedule checks that exactly one of every and at is given and
// parses it.
func (d *decoder) lifecycleSchedule(r *LifecycleRule, every string, n *yaml.Node, p, name string) {
	switch {
	case every == "" && r.At == "":
		d.at(n.Line, p, "%sneeds every: (e.g. 1h, 7d) or at: (e.g. \"09:00\")", name)
	case every != "" && r.At != "":
		d.at(d.src.lines[p+".at"], p+".at", "%sgive every: or at:, not both", name)
	case every != "":
		dur, err := rules.ParseWindow(every)
		if err == nil && dur < MinLifecycleEvery {
			err = fmt.Errorf("at least %s", MinLifecycleEvery)
		}
		if err != nil {
			d.at(d.src.lines[p+".every"], p+".every", "%swant a period like 1h or 7d: %v", name, err)
		}
		r.Every = dur
	default:
		var h, m int
		if _, err := fmt.Sscanf(r.At, "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 ||
			len(r.At) < 4 || len(r.At) > 5 || r.At[len(r.At)-3] != ':' {
			d.at(d.src.lines[p+".at"], p+".at", "%swant a time of day like \"09:00\" (quote it), got %q", name, r.At)
			return
		}
		r.AtMinute = h*60 + m
	}
}

// lifecycleWhen compiles the condition, reporting an error at its line
// in the file with the column and a caret.
func (d *decoder) lifecycleWhen(r *LifecycleRule, when string, v, n *yaml.Node, p, name string) {
	if v == nil {
		d.at(n.Line, p, "%sneeds when: (a condition)", name)
		return
	}
	prog, err := rules.CompileLifecycle(when)
	var ee *rules.ExprError
	switch {
	case err == nil:
		r.When, r.prog = when, prog
	case errors.As(err, &ee):
		line := v.Line + ee.Line - 1
		if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++ // a block scalar starts on the line after its indicator
		}
		msg := fmt.Sprintf("%s (column %d)", ee.Msg, ee.Column)
		if ee.Caret != "" {
			msg += "\n" + ee.Caret
		}
		d.at(line, p+".when", "%s%s", name, msg)
	default:
		d.at(v.Line, p+".when", "%s%v", name, err)
	}
}

// LifecycleWarnings logs, for each lifecycle rule counting over a window
// longer than intake.history, that older messages and events are gone by
// then (the count is low, so the rule may fire where it should not). Not
// an error: serve calls it at start and reload.
func (c *Config) LifecycleWarnings(log *slog.Logger) {
	for i := range c.Lifecycle {
		r := &c.Lifecycle[i]
		for _, fn := range []string{"count", "events", "count_events"} {
			for _, w := range rules.LiteralArgs(r.prog, fn, 1) {
				if dur, err := rules.ParseWindow(w); err == nil && dur > c.Intake.History {
					log.Warn("lifecycle rule counts over a window longer than intake.history keeps messages and events",
						"rule", r.Name, "window", w, "intake.history", c.Intake.History)
				}
			}
		}
	}
}
