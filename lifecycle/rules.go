// Package lifecycle runs lifecycle rules (config `lifecycle:`): expr
// conditions over each relationship's customer facts and ledger, evaluated
// on a schedule, whose tag changes are applied as one background job per
// run (source lifecycle, batch bg-life-N, undoable with /undo bg-life-N).
// It serves /lifecycle, /lifecycle preview and /lifecycle run, and the
// preview of `tagbot lifecycle --dry-run`. 生命周期规则：按时求值、成批增删标签。
package lifecycle

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Rule is a configured lifecycle rule with its tags resolved against the
// tag library.
type Rule struct {
	*config.LifecycleRule
	Add, Remove []store.Tag
}

// Library is the live tag library as the rules see it: tags by name, and
// which groups are exclusive (adding one of their tags removes the others).
type Library struct {
	byName    map[string][]store.Tag
	groupTags map[string][]store.Tag // group name → its live tags
	exclusive map[string]bool        // group name → exclusive
	max       map[string]int         // group name → most tags per relationship (0: no limit)
}

// NewLibrary indexes the live tags; exclusive names the exclusive groups
// (config groups.<组名>.exclusive).
func NewLibrary(tags []store.Tag, exclusive map[string]bool) *Library {
	l := &Library{byName: map[string][]store.Tag{}, groupTags: map[string][]store.Tag{}, exclusive: exclusive}
	for _, t := range tags {
		if t.Deleted {
			continue
		}
		l.byName[t.Name] = append(l.byName[t.Name], t)
		l.groupTags[t.GroupName] = append(l.groupTags[t.GroupName], t)
	}
	return l
}

// LoadLibrary reads the store's live tag library with cfg's exclusive groups.
func LoadLibrary(st *store.Store, groups map[string]config.GroupPolicy) (*Library, error) {
	tags, err := st.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: read tag library: %w", err)
	}
	ex, most := map[string]bool{}, map[string]int{}
	for g, p := range groups {
		ex[g], most[g] = p.Exclusive, p.Max
	}
	l := NewLibrary(tags, ex)
	l.max = most
	return l, nil
}

// tag finds the one live tag named name.
func (l *Library) tag(name string) (store.Tag, error) {
	ts := l.byName[strings.TrimSpace(name)]
	switch len(ts) {
	case 0:
		return store.Tag{}, fmt.Errorf("tag %q is not in the tag library", name)
	case 1:
		return ts[0], nil
	}
	groups := make([]string, len(ts))
	for i, t := range ts {
		groups[i] = t.GroupName
	}
	return store.Tag{}, fmt.Errorf("tag %q is in several groups (%s): rename one", name, strings.Join(groups, ", "))
}

// Compile resolves each rule's tags (add, remove, and the names has_tag
// and tag_added ask about) against lib. Every problem names the rule and
// its line; all are returned at once, as a *RuleError, beside the rules
// that have none.
func Compile(cfg []config.LifecycleRule, lib *Library, file string) ([]Rule, error) {
	var errs []error
	out := make([]Rule, 0, len(cfg))
	for i := range cfg {
		c := &cfg[i]
		r := Rule{LifecycleRule: c}
		ok := true
		bad := func(format string, args ...any) {
			ok = false
			errs = append(errs, fmt.Errorf("%s:%d: lifecycle rule %q: %s", file, c.Line, c.Name, fmt.Sprintf(format, args...)))
		}
		if c.Program() == nil {
			bad("condition not compiled")
			continue
		}
		for _, list := range []struct {
			names []string
			dst   *[]store.Tag
		}{{c.Add, &r.Add}, {c.Remove, &r.Remove}} {
			for _, n := range list.names {
				t, err := lib.tag(n)
				if err != nil {
					bad("%v", err)
					continue
				}
				*list.dst = append(*list.dst, t)
			}
		}
		for _, fn := range []string{"has_tag", "tag_added"} {
			for _, n := range rules.LiteralArgs(c.Program(), fn, 0) {
				if len(lib.byName[strings.TrimSpace(n)]) == 0 {
					bad("when: %s(%q): tag is not in the tag library", fn, n)
				}
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	if len(errs) > 0 {
		return out, &RuleError{Err: errors.Join(errs...)}
	}
	return out, nil
}

// RuleError is a lifecycle rule that cannot run: a tag missing from the
// library, an unknown rule name. Its text is safe to show admins.
type RuleError struct{ Err error }

// Error returns the problems, one per line.
func (e *RuleError) Error() string { return e.Err.Error() }

// Unwrap returns the problems.
func (e *RuleError) Unwrap() error { return e.Err }

// UnknownRuleError is a rule name that no loaded lifecycle rule has.
type UnknownRuleError struct{ Name string }

// Error names the rule.
func (e *UnknownRuleError) Error() string { return fmt.Sprintf("no lifecycle rule %q", e.Name) }

// Names lists the rules' names in order.
func Names(rs []Rule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Name
	}
	return out
}

// find returns the rules named (all when names is empty), or an error
// naming the unknown one.
func find(rs []Rule, names []string) ([]Rule, error) {
	if len(names) == 0 {
		return rs, nil
	}
	var out []Rule
	for _, n := range names {
		i := slices.IndexFunc(rs, func(r Rule) bool { return r.Name == n })
		if i < 0 {
			return nil, &UnknownRuleError{Name: n}
		}
		out = append(out, rs[i])
	}
	return out, nil
}
