package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Trigger is one entry of `triggers:`: when a tag of OnAdd is added to a
// customer, or one of OnRemove removed (by anyone, any source), add and
// remove tags, notify members and remind the follower later. 标签触发器。
type Trigger struct {
	Name     string
	OnAdd    []string // tag names 标签名
	OnRemove []string
	Add      []string
	Remove   []string
	// Notify lists userids or the roles "admins", "managers" and
	// "follower" (the customer's follower). 通知的成员或角色。
	Notify []string
	// RemindAfter and Remind: the follower is sent Remind this long after
	// the change, unless the tag that fired it is gone (or back) by then.
	RemindAfter time.Duration
	Remind      string
	// Line is where the trigger starts in config.yaml (0 if unknown).
	Line int
}

// Roles usable in triggers[].notify besides userids. 通知角色。
const (
	NotifyFollower = "follower"
)

// MaxTriggerChain is the longest chain of triggers firing one another
// (A adds a tag B fires on, …) accepted at load; a longer chain or a cycle
// is refused. 触发器连锁的最大长度。
const MaxTriggerChain = 4

// SampleTriggers returns the sample triggers the committed config.yaml
// shows, on tags of the demo's library: the demo runs on them when there
// is no config.yaml. 示例触发器（config.yaml 与演示共用）。
func SampleTriggers() []Trigger {
	return []Trigger{
		{Name: "成交去掉报价", OnAdd: []string{"已成交"}, Remove: []string{"已报价"}},
		{Name: "高意向告诉主管", OnAdd: []string{"高意向"}, Notify: []string{EditorManagers}},
		{Name: "报价后回访", OnAdd: []string{"已报价"}, RemindAfter: 72 * time.Hour, Remind: "报价 3 天了，回访一下"},
	}
}

// maxRemindAfter bounds remind_after. 提醒最长延迟。
const maxRemindAfter = 365 * 24 * time.Hour

// triggers decodes `triggers:`, a list of mappings.
func (d *decoder) triggers(dst *[]Trigger) func(*yaml.Node, string) {
	return func(n *yaml.Node, path string) {
		seq := deref(n)
		if isNull(seq) {
			return
		}
		if seq.Kind != yaml.SequenceNode {
			d.at(n.Line, path, "want a list of triggers, got %s", describe(seq))
			return
		}
		for i, item := range seq.Content {
			t := Trigger{Line: item.Line}
			d.mapping(item, fmt.Sprintf("%s[%d]", path, i), []field{
				{"name", d.str(&t.Name)},
				{"on_add", d.strList(&t.OnAdd)},
				{"on_remove", d.strList(&t.OnRemove)},
				{"add", d.strList(&t.Add)},
				{"remove", d.strList(&t.Remove)},
				{"notify", d.strList(&t.Notify)},
				{"remind_after", d.duration(&t.RemindAfter)},
				{"remind", d.str(&t.Remind)},
			})
			*dst = append(*dst, t)
		}
	}
}

// validateTriggers checks each trigger and refuses chains of triggers
// longer than MaxTriggerChain, and cycles.
func (c *Config) validateTriggers(r *reporter) {
	names := map[string]bool{}
	for i, t := range c.Triggers {
		p := fmt.Sprintf("triggers[%d]", i)
		for _, msg := range t.problems() {
			r.at(t.Line, p, "%s", msg)
		}
		if names[t.Name] && t.Name != "" {
			r.at(t.Line, p, "trigger %q: name used twice", t.Name)
		}
		names[t.Name] = true
	}
	if err := CheckTriggerChains(c.Triggers); err != nil {
		r.add("triggers", "%v", err)
	}
}

// problems lists what is wrong with one trigger on its own.
func (t Trigger) problems() []string {
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("trigger %q: ", t.Name)+fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(t.Name) == "" {
		bad("name is required")
	}
	if len(t.OnAdd)+len(t.OnRemove) == 0 {
		bad("needs on_add or on_remove")
	}
	if len(t.Add)+len(t.Remove)+len(t.Notify) == 0 && t.Remind == "" {
		bad("does nothing: give add, remove, notify or remind")
	}
	for key, list := range map[string][]string{"on_add": t.OnAdd, "on_remove": t.OnRemove, "add": t.Add, "remove": t.Remove} {
		for _, name := range list {
			if n := utf8.RuneCountInString(name); strings.TrimSpace(name) == "" || n > 30 {
				bad("%s: tag name %q must be 1 to 30 characters", key, name)
			}
		}
	}
	for _, name := range t.Add {
		if slices.Contains(t.Remove, name) {
			bad("tag %q both in add and remove", name)
		}
	}
	for _, u := range t.Notify {
		if u == "" || strings.ContainsAny(u, ": \t\r\n") {
			bad("notify: %q is not a userid or role", u)
		}
	}
	switch {
	case (t.Remind == "") != (t.RemindAfter == 0):
		bad("remind and remind_after go together")
	case t.RemindAfter < 0 || t.RemindAfter > maxRemindAfter:
		bad("remind_after must be between 1m and 8760h, got %s", t.RemindAfter)
	case t.RemindAfter > 0 && t.RemindAfter < time.Minute:
		bad("remind_after must be between 1m and 8760h, got %s", t.RemindAfter)
	}
	return out
}

// CheckTriggerChains refuses triggers that could fire one another in a
// cycle, or in a chain of more than MaxTriggerChain: trigger A leads to B
// when A adds a tag B fires on when added, or removes one B fires on when
// removed. The error names the triggers of the chain in order.
func CheckTriggerChains(ts []Trigger) error { return checkChains(ts, nil, nil) }

// CheckTriggerGroups is CheckTriggerChains with the tag groups known:
// groupsOf lists the groups of the live tags of a name (the store's tag
// library, which config.yaml does not hold, so serve checks this at
// start). A trigger adding a tag of an exclusive group also removes the
// group's other tags, which fires their on_remove triggers: a loop through
// such a removal is refused too. So is a trigger whose add list holds two
// tags of an exclusive group, or more tags of a group than its max.
// Tags of no group known are left to the run-time checks.
func CheckTriggerGroups(ts []Trigger, groups map[string]GroupPolicy, groupsOf func(tag string) []string) error {
	var errs []string
	for _, t := range ts {
		byGroup := map[string][]string{}
		var order []string
		for _, name := range t.Add {
			for _, g := range groupsOf(name) {
				if len(byGroup[g]) == 0 {
					order = append(order, g)
				}
				if !slices.Contains(byGroup[g], name) {
					byGroup[g] = append(byGroup[g], name)
				}
			}
		}
		for _, g := range order {
			names, p := byGroup[g], groups[g]
			switch {
			case p.Exclusive && len(names) > 1:
				errs = append(errs, fmt.Sprintf("trigger %q: add: 「%s」 and 「%s」 are both in the exclusive group 「%s」; keep one",
					t.Name, names[0], names[1], g))
			case p.Max > 0 && len(names) > p.Max:
				errs = append(errs, fmt.Sprintf("trigger %q: add: %d tags of group 「%s」 (%s), more than its max of %d; keep at most %d",
					t.Name, len(names), g, strings.Join(names, ", "), p.Max, p.Max))
			}
		}
	}
	if err := checkChains(ts, groups, groupsOf); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// checkChains is CheckTriggerChains; with groupsOf, adding a tag of an
// exclusive group also leads to the triggers on_remove of the group's
// other tags.
func checkChains(ts []Trigger, groups map[string]GroupPolicy, groupsOf func(tag string) []string) error {
	// displaced reports whether adding a tag of adds removes tag (another
	// tag of one of its exclusive groups).
	displaced := func(adds []string, tag string) bool {
		if groupsOf == nil {
			return false
		}
		for _, a := range adds {
			if a == tag {
				continue
			}
			for _, g := range groupsOf(a) {
				if groups[g].Exclusive && slices.Contains(groupsOf(tag), g) {
					return true
				}
			}
		}
		return false
	}
	next := make([][]int, len(ts))
	for i, a := range ts {
		for j, b := range ts {
			leads := overlaps(a.Add, b.OnAdd) || overlaps(a.Remove, b.OnRemove)
			for _, tag := range b.OnRemove {
				leads = leads || displaced(a.Add, tag)
			}
			if leads {
				next[i] = append(next[i], j)
			}
		}
	}
	var path []int
	on := make([]bool, len(ts))
	var walk func(i int) error
	walk = func(i int) error {
		path = append(path, i)
		defer func() { path = path[:len(path)-1] }()
		if on[i] {
			return fmt.Errorf("triggers fire one another in a loop: %s", chainNames(ts, path))
		}
		if len(path) > MaxTriggerChain {
			return fmt.Errorf("a chain of %d triggers is longer than %d: %s", len(path), MaxTriggerChain, chainNames(ts, path))
		}
		on[i] = true
		defer func() { on[i] = false }()
		for _, j := range next[i] {
			if err := walk(j); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range ts {
		if err := walk(i); err != nil {
			return err
		}
	}
	return nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func chainNames(ts []Trigger, path []int) string {
	names := make([]string, len(path))
	for i, j := range path {
		names[i] = fmt.Sprintf("%q", ts[j].Name)
	}
	return strings.Join(names, " → ")
}

// redactedTrigger mirrors Trigger with its YAML key names (Redacted).
type redactedTrigger struct {
	Name        string   `yaml:"name"`
	OnAdd       []string `yaml:"on_add,omitempty,flow"`
	OnRemove    []string `yaml:"on_remove,omitempty,flow"`
	Add         []string `yaml:"add,omitempty,flow"`
	Remove      []string `yaml:"remove,omitempty,flow"`
	Notify      []string `yaml:"notify,omitempty,flow"`
	RemindAfter string   `yaml:"remind_after,omitempty"`
	Remind      string   `yaml:"remind,omitempty"`
}

func redactedTriggers(ts []Trigger) []redactedTrigger {
	var out []redactedTrigger
	for _, t := range ts {
		r := redactedTrigger{Name: t.Name, OnAdd: t.OnAdd, OnRemove: t.OnRemove, Add: t.Add, Remove: t.Remove, Notify: t.Notify, Remind: t.Remind}
		if t.RemindAfter != 0 {
			r.RemindAfter = t.RemindAfter.String()
		}
		out = append(out, r)
	}
	return out
}
