package importer

import (
	"fmt"
	"slices"
	"sort"

	"github.com/tagbot/tagbot/store"
)

// finish compares each pending change with the relationship's current
// tags, applies the /tag group policies and fills the plan.
func (pl *planner) finish(p *Plan) error {
	added, removed := map[string]*TagCount{}, map[string]*TagCount{}
	for _, ref := range pl.order {
		pd := pl.pending[ref]
		rel, err := pl.o.Store.Relationship(ref.customer, ref.follower)
		if err != nil {
			return err
		}
		add, remove := effective(rel, pd.add, true), effective(rel, pd.remove, false)
		if len(add) == 0 && len(remove) == 0 {
			p.Unchanged++
			continue
		}
		add, remove = pl.allowed(ref, pd, rel, add, remove)
		if len(add) == 0 && len(remove) == 0 {
			continue
		}
		auto, err := pl.o.Policy.CheckTags(rel, add, remove, pl.lib.live)
		if err != nil {
			pl.denied = append(pl.denied, Issue{Row: pd.row, Value: ref.customer, Msg: err.Error()})
			continue
		}
		for _, t := range effective(rel, auto, false) {
			remove = append(withoutTag(remove, t), t)
		}
		p.Changes = append(p.Changes, Change{Row: firstRow(pd, add, remove), Customer: ref.customer, Name: pd.name, Follower: ref.follower, Add: add, Remove: remove})
		count(added, add)
		count(removed, remove)
	}
	p.Added, p.Removed = sortedCounts(added), sortedCounts(removed)
	for _, k := range pl.unkOrder {
		p.UnknownTags = append(p.UnknownTags, *pl.unknown[k])
	}
	sort.SliceStable(pl.denied, func(i, j int) bool { return pl.denied[i].Row < pl.denied[j].Row })
	p.Bad, p.Denied, p.UnknownCustomers = pl.bad, pl.denied, pl.unknownC
	return nil
}

// allowed drops the tags the /tag group policies refuse and denies the
// rows that asked for them, by row: a tag refused on its own, then both
// tags of a pair refused together (an exclusive group), then, if the rest
// is still refused, all of it. The other tags of the relationship go on.
func (pl *planner) allowed(ref relRef, pd *pending, rel store.Relationship, add, remove []store.Tag) ([]store.Tag, []store.Tag) {
	check := func(a, r []store.Tag) error {
		_, err := pl.o.Policy.CheckTags(rel, a, r, pl.lib.live)
		return err
	}
	if check(add, remove) == nil {
		return add, remove
	}
	deny := func(t store.Tag, err error) {
		for _, row := range pd.rows[tagKey(t)] {
			pl.denied = append(pl.denied, Issue{Row: row, Value: ref.customer, Msg: fmt.Sprintf("「%s」：%v", t.Name, err)})
		}
	}
	type change struct {
		t   store.Tag
		add bool
	}
	var all []change
	for _, t := range add {
		all = append(all, change{t, true})
	}
	for _, t := range remove {
		all = append(all, change{t, false})
	}
	split := func(cs []change) (a, r []store.Tag) {
		for _, c := range cs {
			if c.add {
				a = append(a, c.t)
			} else {
				r = append(r, c.t)
			}
		}
		return a, r
	}
	var ok []change
	for _, c := range all {
		if err := check(split([]change{c})); err != nil {
			deny(c.t, err)
			continue
		}
		ok = append(ok, c)
	}
	refused := make([]bool, len(ok))
	for i := range ok {
		for j := i + 1; j < len(ok); j++ {
			if err := check(split([]change{ok[i], ok[j]})); err != nil {
				for _, k := range []int{i, j} {
					if !refused[k] {
						deny(ok[k].t, err)
					}
					refused[k] = true
				}
			}
		}
	}
	var rest []change
	for i, c := range ok {
		if !refused[i] {
			rest = append(rest, c)
		}
	}
	a, r := split(rest)
	if err := check(a, r); err != nil {
		for _, c := range rest {
			deny(c.t, err)
		}
		return nil, nil
	}
	return a, r
}

// firstRow is the first row asking for one of the tags.
func firstRow(pd *pending, add, remove []store.Tag) int {
	row := 0
	for _, t := range append(slices.Clone(add), remove...) {
		for _, r := range pd.rows[tagKey(t)] {
			if row == 0 || r < row {
				row = r
			}
		}
	}
	if row == 0 {
		return pd.row
	}
	return row
}

// effective keeps the tags that would change rel: for add those it lacks
// (a tag to create always), for remove those it has.
func effective(rel store.Relationship, tags []store.Tag, add bool) []store.Tag {
	var out []store.Tag
	for _, t := range tags {
		_, has := rel.Tags[t.ID]
		if t.ID == "" {
			has = false
		}
		if has != add {
			out = append(out, t)
		}
	}
	return out
}

func count(m map[string]*TagCount, tags []store.Tag) {
	for _, t := range tags {
		k := tagKey(t)
		if m[k] == nil {
			m[k] = &TagCount{Tag: t}
		}
		m[k].Count++
	}
}

func sortedCounts(m map[string]*TagCount) []TagCount {
	out := make([]TagCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Tag.Name < out[j].Tag.Name
	})
	return out
}
