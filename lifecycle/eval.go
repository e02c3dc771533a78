package lifecycle

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/store"
)

// Change is one relationship's tag change planned by one rule: only what
// would really change (tags the relationship lacks, tags it has; adding a
// tag of an exclusive group also removes the group's other tags).
type Change struct {
	Rule         string
	Customer     string // external_userid
	CustomerName string
	Follower     string
	Add, Remove  []store.Tag
}

// Plan is what a run of some rules would change at one time.
type Plan struct {
	At      time.Time
	Rules   []string
	Changes []Change
	// Skipped are the changes of rules that held but were not planned
	// because they disagree with what an earlier rule (in config order)
	// planned on the same relationship: a second tag of an exclusive
	// group, more tags than a group's max, or undoing an earlier rule's
	// change. A run applies Changes only, as its preview showed.
	Skipped []Change
	// Relationships is how many were evaluated; Errors how many
	// evaluations failed at run time (a failed condition is false).
	Relationships int
	Errors        int
}

// Evaluate runs rules over every relationship in the store at now and
// returns the changes they would make, in customer and rule order. It
// writes nothing. A condition that fails at run time for one relationship
// (e.g. a missing event attribute) counts as false and is counted in Errors.
func Evaluate(ctx context.Context, st *store.Store, rs []Rule, lib *Library, now time.Time, zone *time.Location, log *slog.Logger) (*Plan, error) {
	p := &Plan{At: now, Rules: Names(rs)}
	if len(rs) == 0 {
		return p, nil
	}
	byID := map[string]store.Tag{}
	for _, ts := range lib.byName {
		for _, t := range ts {
			byID[t.ID] = t
		}
	}
	needLast := slices.ContainsFunc(rs, func(r Rule) bool { return strings.Contains(r.When, "last_message") })
	err := st.EachCustomer(func(c *store.Customer, rels []store.Relationship) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		cf := &customerFacts{st: st, id: c.ID, now: now}
		if needLast {
			last, err := st.LastMessages([]string{c.ID})
			if err != nil {
				return err
			}
			cf.last = last[c.ID]
		}
		for i := range rels {
			p.Relationships++
			env := relEnv(c, &rels[i], cf, byID, now, zone)
			pl := newRelPlan(&rels[i], byID)
			for _, r := range rs {
				ok, err := holds(r, env)
				if err != nil {
					if p.Errors == 0 {
						log.Warn("lifecycle condition failed at run time; counted as false", "rule", r.Name, "err", err)
					}
					p.Errors++
				}
				if !ok {
					continue
				}
				ch, changed, clash := pl.change(r, c, lib)
				switch {
				case clash:
					p.Skipped = append(p.Skipped, ch)
				case changed:
					pl.take(ch)
					p.Changes = append(p.Changes, ch)
				}
			}
		}
		return nil
	})
	return p, err
}

// holds runs a rule's condition.
func holds(r Rule, env *rules.LifecycleEnv) (bool, error) {
	out, err := expr.Run(r.Program(), *env)
	if err != nil {
		return false, err
	}
	ok, _ := out.(bool)
	return ok, nil
}

// relPlan is one relationship as the rules of a run leave it, in rule
// order: its tags once the changes planned so far are made, and which tags
// and exclusive groups those changes touched.
type relPlan struct {
	rel     *store.Relationship
	tags    map[string]bool   // tag id → on the relationship after the planned changes
	groupOf map[string]string // tag id → group name
	touched map[string]bool   // tag ids an earlier rule adds or removes
	filled  map[string]bool   // exclusive groups an earlier rule adds a tag of
}

// newRelPlan starts the plan of rel: nothing planned yet.
func newRelPlan(rel *store.Relationship, byID map[string]store.Tag) *relPlan {
	p := &relPlan{rel: rel, tags: map[string]bool{}, groupOf: map[string]string{}, touched: map[string]bool{}, filled: map[string]bool{}}
	for id := range rel.Tags {
		p.tags[id] = true
		if t, ok := byID[id]; ok {
			p.groupOf[id] = t.GroupName
		}
	}
	return p
}

// change is what r would change on the relationship after the earlier
// rules' changes; false when nothing. Adding a tag of an exclusive group
// removes the group's other tags, as /tag does. clash reports that r
// disagrees with an earlier rule's change (see Plan.Skipped): ch is then
// what r would have done, and nothing is planned for it.
func (p *relPlan) change(r Rule, c *store.Customer, lib *Library) (ch Change, changed, clash bool) {
	ch = Change{Rule: r.Name, Customer: c.ID, CustomerName: c.Name, Follower: p.rel.Follower}
	adding := map[string]bool{}
	for _, t := range r.Add {
		adding[t.ID] = true
		if !p.tags[t.ID] {
			ch.Add = append(ch.Add, t)
			clash = clash || p.touched[t.ID] || (lib.exclusive[t.GroupName] && p.filled[t.GroupName])
		}
	}
	removing := map[string]bool{}
	drop := func(t store.Tag, asked bool) {
		if p.tags[t.ID] && !removing[t.ID] && !adding[t.ID] {
			removing[t.ID] = true
			ch.Remove = append(ch.Remove, t)
			clash = clash || (asked && p.touched[t.ID])
		}
	}
	for _, t := range r.Remove {
		drop(t, true)
	}
	for _, t := range ch.Add {
		if lib.exclusive[t.GroupName] {
			for _, o := range lib.groupTags[t.GroupName] {
				drop(o, false)
			}
		}
	}
	for g, most := range lib.max {
		if most > 0 && p.grows(ch, g) && p.count(ch, g) > most {
			clash = true
		}
	}
	return ch, len(ch.Add)+len(ch.Remove) > 0, clash
}

// grows reports whether ch adds a tag of group g.
func (p *relPlan) grows(ch Change, g string) bool {
	return slices.ContainsFunc(ch.Add, func(t store.Tag) bool { return t.GroupName == g })
}

// count is how many tags of group g the relationship would have after ch.
func (p *relPlan) count(ch Change, g string) int {
	n := 0
	for id, on := range p.tags {
		if on && p.groupOf[id] == g && !slices.ContainsFunc(ch.Remove, func(t store.Tag) bool { return t.ID == id }) {
			n++
		}
	}
	for _, t := range ch.Add {
		if t.GroupName == g {
			n++
		}
	}
	return n
}

// take makes ch part of the plan: later rules see its result.
func (p *relPlan) take(ch Change) {
	for _, t := range ch.Add {
		p.tags[t.ID], p.groupOf[t.ID], p.touched[t.ID] = true, t.GroupName, true
		p.filled[t.GroupName] = true
	}
	for _, t := range ch.Remove {
		p.tags[t.ID], p.touched[t.ID] = false, true
	}
}

// relEnv is the condition environment of one relationship at now.
func relEnv(c *store.Customer, rel *store.Relationship, cf *customerFacts, byID map[string]store.Tag, now time.Time, zone *time.Location) *rules.LifecycleEnv {
	names := make([]string, 0, len(rel.Tags))
	added := make(map[string]time.Time, len(rel.Tags))
	for id, m := range rel.Tags {
		t, ok := byID[id]
		if !ok {
			continue
		}
		names = append(names, t.Name)
		if m.At.After(added[t.Name]) {
			added[t.Name] = m.At
		}
	}
	slices.Sort(names)
	last := cf.last
	if last.IsZero() {
		last = rel.CreateTime // never heard from: silent since added
	}
	e := &rules.LifecycleEnv{}
	e.Customer = rules.CustomerEnv{ID: c.ID, Name: c.Name, Added: rel.CreateTime, State: rel.State, Tags: names, LastMessage: last}
	e.Count = cf.count
	e.Events = cf.events
	e.CountEvents = cf.events
	e.Hour = func(t time.Time) int { return t.In(zone).Hour() }
	e.Weekday = func(t time.Time) int { return int(t.In(zone).Weekday()) }
	e.DaysSince = func(t time.Time) int {
		if t.IsZero() {
			return -1
		}
		return int(now.Sub(t) / (24 * time.Hour))
	}
	e.HasTag = func(name string) bool { _, ok := added[strings.TrimSpace(name)]; return ok }
	e.TagAdded = func(name string) time.Time { return added[strings.TrimSpace(name)] }
	e.Contains = func(text, word string) bool {
		return strings.Contains(classify.Normalize(text), classify.Normalize(word))
	}
	return e
}

// customerFacts answers count and events for one customer: its
// activities are read once, over the longest window asked (widened if a
// longer one comes), and each message is normalised once.
type customerFacts struct {
	st     *store.Store
	id     string
	now    time.Time
	last   time.Time
	loaded time.Duration // window read so far (0: none)
	acts   []fact        // activities within loaded, oldest first
}

// fact is an activity with its normalised text.
type fact struct {
	*store.Activity
	norm string
}

// within lists the customer's activities in (now-window, now].
func (f *customerFacts) within(window string) ([]fact, error) {
	d, err := rules.ParseWindow(window)
	if err != nil {
		return nil, err
	}
	if d > f.loaded {
		f.acts, f.loaded = f.acts[:0], d
		err = f.st.CustomerActivities(f.id, f.now.Add(-d), f.now, false, func(a *store.Activity) bool {
			x := fact{Activity: a}
			if a.Kind == store.ActivityMessage {
				x.norm = classify.Normalize(a.Text)
			}
			f.acts = append(f.acts, x)
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	since := f.now.Add(-d)
	i, _ := slices.BinarySearchFunc(f.acts, since, func(a fact, t time.Time) int {
		if a.Time.After(t) {
			return 1
		}
		return -1
	})
	return f.acts[i:], nil
}

// count is count(word, window): the customer's messages in the window
// whose normalised text contains the normalised word.
func (f *customerFacts) count(word, window string) (int, error) {
	acts, err := f.within(window)
	w := classify.Normalize(word)
	n := 0
	for _, a := range acts {
		if a.Kind == store.ActivityMessage && a.From != classify.FromEmployee && strings.Contains(a.norm, w) {
			n++
		}
	}
	return n, err
}

// events is events(type, window) and count_events(type, window).
func (f *customerFacts) events(eventType, window string) (int, error) {
	acts, err := f.within(window)
	n := 0
	for _, a := range acts {
		if a.Kind == store.ActivityEvent && a.Type == eventType {
			n++
		}
	}
	return n, err
}
