// Package trigger runs the tag triggers of config.yaml's `triggers:`: when
// a tag is added to or removed from a customer (by anyone, any source),
// add and remove other tags, notify members, and remind the follower
// later. 标签触发器。
//
// The Engine is the store's TriggerFunc (store.SetTriggers): the store
// calls it inside the transaction of every effective change-set and writes
// what it returns — the trigger's own change-sets (source trigger) and its
// notes — in that same transaction, so an /undo of the original takes them
// back together. The Worker sends notes when they are due.
package trigger

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// Options tune an Engine.
type Options struct {
	// Admins and Managers expand the roles "admins" and "managers" of
	// notify (config roles).
	Admins, Managers []string
	// Exclusive reports whether a tag group is exclusive (one tag at a
	// time): a trigger adding a tag of it removes the group's others.
	Exclusive func(group string) bool
	// Max is the most tags of a group per customer (0: no limit, config
	// groups.*.max): a trigger's add that would pass it is skipped, and
	// the change-set's reason says so.
	Max    func(group string) int
	Logger *slog.Logger
}

// Engine decides what a change-set triggers. It is immutable and safe
// for concurrent use.
type Engine struct {
	triggers []config.Trigger
	opts     Options
	log      *slog.Logger
	cache    atomic.Pointer[library]
}

// New builds an engine for ts, which config validation has checked
// (config.CheckTriggerChains refuses loops).
func New(ts []config.Trigger, opts Options) *Engine {
	if opts.Exclusive == nil {
		opts.Exclusive = func(string) bool { return false }
	}
	if opts.Max == nil {
		opts.Max = func(string) int { return 0 }
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Engine{triggers: slices.Clone(ts), opts: opts, log: opts.Logger.With("pkg", "trigger")}
}

// Len is the number of triggers.
func (e *Engine) Len() int { return len(e.triggers) }

// Fire is the store.TriggerFunc: for every trigger whose on_add tags
// were added or on_remove tags removed by in.Change, one change-set and
// its notes.
func (e *Engine) Fire(in store.TriggerInput) store.TriggerOutput {
	var out store.TriggerOutput
	var lib *library
	for _, t := range e.triggers {
		fired, removed := firedBy(t, in.Change)
		if fired == nil {
			continue
		}
		if lib == nil {
			lib = e.library(in.Library)
		}
		reason := fmt.Sprintf("触发器「%s」：%s「%s」（变更 #%d）", t.Name, verb(removed), fired.Name, in.Change.ID)
		if cs, ok := e.changes(t, in.Rel, lib, reason); ok {
			out.ChangeSets = append(out.ChangeSets, cs)
		}
		out.Notes = append(out.Notes, e.notes(t, in, *fired, removed)...)
	}
	return out
}

// firedBy returns the tag of cs that fires t (and whether by its removal).
func firedBy(t config.Trigger, cs store.ChangeSet) (*store.TagRef, bool) {
	for i := range cs.Add {
		if slices.Contains(t.OnAdd, cs.Add[i].Name) {
			return &cs.Add[i], false
		}
	}
	for i := range cs.Remove {
		if slices.Contains(t.OnRemove, cs.Remove[i].Name) {
			return &cs.Remove[i], true
		}
	}
	return nil, false
}

func verb(removed bool) string {
	if removed {
		return "去掉"
	}
	return "加上"
}

// changes is the change-set of t's add and remove on rel: tags named in
// add that rel lacks (and, for an exclusive group, the group's other tags
// rel has), tags named in remove that rel has. An add that would give a
// group more tags than its max is skipped; the reason names it.
func (e *Engine) changes(t config.Trigger, rel store.Relationship, lib *library, reason string) (store.ChangeSet, bool) {
	cs := store.ChangeSet{Source: store.SourceTrigger, Reason: reason}
	adding := map[string]bool{}
	groups := map[string]bool{} // exclusive groups already given a tag
	var added []store.Tag
	for _, name := range t.Add {
		tag, ok := lib.byName(name)
		if !ok {
			e.log.Warn("trigger adds a tag not in the library", "trigger", t.Name, "tag", name)
			continue
		}
		if e.opts.Exclusive(tag.GroupName) {
			if groups[tag.GroupName] {
				continue // one tag per exclusive group
			}
			groups[tag.GroupName] = true
		}
		adding[tag.ID] = true
		if _, has := rel.Tags[tag.ID]; !has {
			added = append(added, tag)
		}
	}
	for _, id := range rel.TagIDs() {
		tag, ok := lib.tags[id]
		if !ok || adding[id] {
			continue
		}
		if slices.Contains(t.Remove, tag.Name) || groups[tag.GroupName] {
			cs.Remove = append(cs.Remove, tag.Ref())
		}
	}
	var skipped []string
	for _, tag := range added {
		if max := e.opts.Max(tag.GroupName); max > 0 && e.inGroup(rel, lib, cs, tag.GroupName) >= max {
			e.log.Info("trigger add skipped: the group is at its max", "trigger", t.Name, "tag", tag.Name, "group", tag.GroupName, "max", max)
			skipped = append(skipped, fmt.Sprintf("未加「%s」：标签组「%s」最多 %d 个", display.Name(tag.Name), display.Name(tag.GroupName), max))
			continue
		}
		cs.Add = append(cs.Add, tag.Ref())
	}
	if len(skipped) > 0 {
		cs.Reason += "；" + strings.Join(skipped, "；")
	}
	return cs, len(cs.Add)+len(cs.Remove) > 0
}

// inGroup counts the tags of group rel has after cs so far.
func (e *Engine) inGroup(rel store.Relationship, lib *library, cs store.ChangeSet, group string) int {
	n := 0
	for id := range rel.Tags {
		if t, ok := lib.tags[id]; ok && t.GroupName == group && !refHas(cs.Remove, id) {
			n++
		}
	}
	for _, r := range cs.Add {
		if t, ok := lib.tags[r.ID]; ok && t.GroupName == group {
			n++
		}
	}
	return n
}

func refHas(refs []store.TagRef, id string) bool {
	for _, r := range refs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// notes are t's notify and remind messages for in.
func (e *Engine) notes(t config.Trigger, in store.TriggerInput, fired store.TagRef, removed bool) []store.Note {
	cs := in.Change
	who := fmt.Sprintf("客户 %s（跟进人 %s）", display.Name(in.CustomerName), display.Name(cs.Follower))
	var out []store.Note
	if to := e.recipients(t.Notify, cs.Follower); len(to) > 0 {
		text := fmt.Sprintf("%s被%s标签「%s」（触发器「%s」，%s 操作）。发送 /tags %s 查看。",
			who, verb(removed), display.Name(fired.Name), display.Name(t.Name), display.Name(cs.Actor), cs.Customer)
		out = append(out, store.Note{Due: cs.Time, To: to, Text: text, Trigger: t.Name, Customer: cs.Customer, Follower: cs.Follower, Tag: fired})
	}
	if t.Remind != "" {
		text := fmt.Sprintf("提醒：%s\n%s，%s「%s」已 %s（触发器「%s」）。发送 /tags %s 查看。",
			display.Line(t.Remind, 200), who, verb(removed), display.Name(fired.Name), remindAge(t), display.Name(t.Name), cs.Customer)
		out = append(out, store.Note{Due: cs.Time.Add(t.RemindAfter), To: []string{cs.Follower}, Text: text, Trigger: t.Name,
			Customer: cs.Customer, Follower: cs.Follower, IfTag: fired.ID, IfAbsent: removed, Tag: fired})
	}
	return out
}

// remindAge says how long ago the change was, as the reminder arrives.
func remindAge(t config.Trigger) string {
	h := t.RemindAfter.Hours()
	if h >= 24 && h == float64(int(h/24)*24) {
		return fmt.Sprintf("%d 天", int(h/24))
	}
	return strings.TrimSuffix(strings.TrimSuffix(t.RemindAfter.String(), "0s"), "0m")
}

// recipients expands notify's roles to userids, each once, in order.
func (e *Engine) recipients(notify []string, follower string) []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	for _, n := range notify {
		switch n {
		case config.EditorAdmins:
			add(e.opts.Admins...)
		case config.EditorManagers:
			add(e.opts.Managers...)
		case config.NotifyFollower:
			add(follower)
		default:
			add(n)
		}
	}
	return out
}

// library finds live tags by id and name.
type library struct {
	key   *store.Tag // &all[0] of the store's library it was built from
	n     int
	tags  map[string]store.Tag
	names map[string]store.Tag // the first live tag of each name, display order
}

// library returns the lookup of all, built once per library: the store
// hands every trigger call the same immutable slice until the library
// changes.
func (e *Engine) library(all []store.Tag) *library {
	if c := e.cache.Load(); c != nil && len(all) > 0 && c.key == &all[0] && c.n == len(all) {
		return c
	}
	lib := newLibrary(all)
	e.cache.Store(lib)
	return lib
}

func newLibrary(all []store.Tag) *library {
	lib := &library{n: len(all)}
	if len(all) > 0 {
		lib.key = &all[0]
	}
	lib.tags, lib.names = make(map[string]store.Tag, len(all)), map[string]store.Tag{}
	for _, t := range all {
		if t.Deleted {
			continue
		}
		lib.tags[t.ID] = t
		if _, dup := lib.names[t.Name]; !dup {
			lib.names[t.Name] = t
		}
	}
	return lib
}

func (l *library) byName(name string) (store.Tag, bool) {
	t, ok := l.names[name]
	return t, ok
}
