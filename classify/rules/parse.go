package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/internal/yamlnode"

	"gopkg.in/yaml.v3"
)

// ruleKeys are the keys a rule may have, in the order the README lists them.
var ruleKeys = []string{"name", "tags", "keywords", "all", "exclude", "regex", "on", "from", "when", "mode", "priority", "score", "llm"}

// parser decodes rule nodes of one file, collecting every problem.
type parser struct {
	file string
	pack string
	errs Errors
}

// ParseRules decodes and checks a YAML list of rules (the value of
// `rules:`) read from file; pack names the pack ("" for config.yaml). A
// null node is no rules. Every problem is returned at once as Errors.
func ParseRules(n *yaml.Node, file, pack string) ([]Rule, error) {
	p := &parser{file: file, pack: pack}
	rs := p.rules(n)
	return rs, p.errs.err()
}

func (p *parser) add(line int, rule, key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Rule: rule, Key: key, Msg: fmt.Sprintf(format, args...)})
}

// rules decodes the list, checking names are unique within the file.
func (p *parser) rules(n *yaml.Node) []Rule {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n.Line, "", "", "rules: want a list of rules, got %s", describe(n))
		return nil
	}
	var out []Rule
	seen := map[string]int{}
	for _, e := range n.Content {
		r, ok := p.rule(e)
		if !ok {
			continue
		}
		if first, dup := seen[r.Name]; dup {
			p.add(r.Line, r.Name, "name", "duplicate rule name (first at line %d)", first)
			continue
		}
		seen[r.Name] = r.Line
		out = append(out, r)
	}
	return out
}

// rule decodes one rule mapping; ok is false when it had a problem.
func (p *parser) rule(n *yaml.Node) (Rule, bool) {
	n = deref(n)
	r := Rule{File: p.file, Pack: p.pack, Line: n.Line, On: OnMessage, From: FromCustomer, Mode: ModeSuggest, Score: 1}
	if n.Kind != yaml.MappingNode {
		p.add(n.Line, "", "", "want a rule (a mapping with name, tags, …), got %s", describe(n))
		return r, false
	}
	before := len(p.errs)
	vals := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		switch {
		case !slices.Contains(ruleKeys, k.Value):
			p.add(k.Line, "", keyName(k.Value), "unknown key (a rule has %s)", strings.Join(ruleKeys, ", "))
		case vals[k.Value] != nil:
			p.add(k.Line, "", keyName(k.Value), "duplicate key")
		default:
			vals[k.Value] = v
		}
	}
	r.Name = strings.TrimSpace(p.scalar(vals["name"], "", "name"))
	if r.Name == "" {
		p.add(n.Line, "", "name", "every rule needs a name")
	}
	for i := before; i < len(p.errs); i++ {
		p.errs[i].Rule = r.Name
	}
	p.fields(&r, vals)
	return r, len(p.errs) == before
}

// fields decodes everything but the name into r.
func (p *parser) fields(r *Rule, vals map[string]*yaml.Node) {
	var lines []int
	r.Tags, lines = p.list(vals["tags"], r.Name, "tags")
	for i, t := range r.Tags {
		r.Tags[i] = strings.TrimSpace(t)
		if r.Tags[i] == "" {
			p.add(lines[i], r.Name, "tags", "empty tag name")
		}
	}
	r.TagLines = lines
	if len(r.Tags) == 0 {
		p.add(r.Line, r.Name, "tags", "every rule needs tags (names in the tag library)")
	}
	r.Keywords = p.words(vals["keywords"], r.Name, "keywords")
	r.All = p.words(vals["all"], r.Name, "all")
	r.Exclude = p.words(vals["exclude"], r.Name, "exclude")
	if v := vals["regex"]; v != nil {
		r.Regex = p.scalar(v, r.Name, "regex")
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			p.add(v.Line, r.Name, "regex", "%v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		r.re = re
	}
	p.on(r, vals["on"])
	p.from(r, vals["from"])
	p.mode(r, vals)
	if v := vals["priority"]; v != nil {
		n, err := strconv.Atoi(p.scalar(v, r.Name, "priority"))
		if err != nil || deref(v).ShortTag() != "!!int" {
			p.add(v.Line, r.Name, "priority", "want an integer, got %s", describe(deref(v)))
		}
		r.Priority = n
	}
	if v := vals["score"]; v != nil {
		f, err := strconv.ParseFloat(p.scalar(v, r.Name, "score"), 64)
		if err != nil || f <= 0 || f > 1 {
			p.add(v.Line, r.Name, "score", "want a number in (0, 1], got %s", describe(deref(v)))
		}
		r.Score = f
	}
	if v := vals["when"]; v != nil {
		r.When = p.scalar(v, r.Name, "when")
		r.prog = p.when(deref(v), r)
	}
	if r.EventType() != "" && len(r.Keywords)+len(r.All)+len(r.Exclude) > 0 || r.EventType() != "" && r.Regex != "" {
		p.add(r.Line, r.Name, "on", "an event rule matches by its when condition only (no keywords, all, exclude, regex)")
	}
	if len(r.Keywords)+len(r.All) == 0 && r.Regex == "" && r.When == "" {
		p.add(r.Line, r.Name, "", "a rule needs at least one of keywords, all, regex, when")
	}
}

// on decodes `on: message | event:<type>`.
func (p *parser) on(r *Rule, v *yaml.Node) {
	if v == nil {
		return
	}
	s := strings.TrimSpace(p.scalar(v, r.Name, "on"))
	t, isEvent := strings.CutPrefix(s, EventPrefix)
	switch {
	case s == OnMessage:
	case isEvent && strings.TrimSpace(t) != "":
		s = EventPrefix + strings.TrimSpace(t)
	default:
		p.add(v.Line, r.Name, "on", "want message or event:<type>, got %s", describe(deref(v)))
	}
	r.On = s
}

// from decodes `from: customer | employee | any`.
func (p *parser) from(r *Rule, v *yaml.Node) {
	if v == nil {
		return
	}
	r.From = p.scalar(v, r.Name, "from")
	if !slices.Contains([]string{FromCustomer, FromEmployee, FromAny}, r.From) {
		p.add(v.Line, r.Name, "from", "want customer, employee or any, got %s", describe(deref(v)))
	}
}

// mode decodes `mode:` and `llm: verify`; a pack may not set mode auto.
func (p *parser) mode(r *Rule, vals map[string]*yaml.Node) {
	if v := vals["mode"]; v != nil {
		r.Mode = p.scalar(v, r.Name, "mode")
		switch {
		case r.Mode != ModeSuggest && r.Mode != ModeAuto:
			p.add(v.Line, r.Name, "mode", "want suggest or auto, got %s", describe(deref(v)))
		case r.Mode == ModeAuto && p.pack != "":
			p.add(v.Line, r.Name, "mode", "auto is only for rules in config.yaml (admins' rules), not in a pack")
		}
	}
	if v := vals["llm"]; v != nil {
		if p.scalar(v, r.Name, "llm") != "verify" {
			p.add(v.Line, r.Name, "llm", "want verify, got %s", describe(deref(v)))
		}
		r.Verify = true
	}
}

// scalar returns a scalar's text, reporting anything else.
func (p *parser) scalar(v *yaml.Node, rule, key string) string {
	d := deref(v)
	if isNull(d) {
		return ""
	}
	if d.Kind != yaml.ScalarNode {
		p.add(v.Line, rule, key, "want a single value, got %s", describe(d))
		return ""
	}
	return d.Value
}

// list decodes a list of scalars (a single scalar is a list of one) and
// the line of each.
func (p *parser) list(v *yaml.Node, rule, key string) ([]string, []int) {
	d := deref(v)
	if isNull(d) {
		return nil, nil
	}
	if d.Kind == yaml.ScalarNode {
		return []string{d.Value}, []int{d.Line}
	}
	if d.Kind != yaml.SequenceNode {
		p.add(v.Line, rule, key, "want a list, got %s", describe(d))
		return nil, nil
	}
	var out []string
	var lines []int
	for _, e := range d.Content {
		ed := deref(e)
		if ed.Kind != yaml.ScalarNode || isNull(ed) {
			p.add(e.Line, rule, key, "want a word, got %s", describe(ed))
			continue
		}
		out = append(out, ed.Value)
		lines = append(lines, e.Line)
	}
	return out, lines
}

// words decodes a list of match words; an empty word is an error.
func (p *parser) words(v *yaml.Node, rule, key string) []string {
	ws, lines := p.list(v, rule, key)
	for i, w := range ws {
		if strings.TrimSpace(w) == "" {
			p.add(lines[i], rule, key, "empty word")
		}
	}
	return ws
}

// The node helpers live in internal/yamlnode (shared with the other YAML
// parser); these names keep the call sites short.
var (
	deref    = yamlnode.Deref
	isNull   = yamlnode.IsNull
	describe = yamlnode.Describe
)

// maxKeyRunes is how much of an unknown key an error quotes.
const maxKeyRunes = 32

// keyName is an unknown key as errors quote it: cut to maxKeyRunes runes,
// so a file that is not a pack (a password file, a log) is not copied into
// the log and the chat line by line.
func keyName(k string) string {
	if r := []rune(k); len(r) > maxKeyRunes {
		return string(r[:maxKeyRunes]) + "…"
	}
	return k
}
